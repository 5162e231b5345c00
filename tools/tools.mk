# SPDX-License-Identifier: GPL-2.0
# Host-side checks of the tools that need no kernel module.

HOST_CHECKS += check-ssihvctl-cli

.PHONY: check-ssihvctl-cli
check-ssihvctl-cli: $(B)/ssihvctl
	tests/host/ssihvctl-cli.sh $(B)/ssihvctl
