#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 61-rdma-kill.sh with request/reply fetches in flight (each waits for the
# dead peer's FETCH_REP): every waiter must be failed, none may hang.
exec "$(dirname "$0")/61-rdma-kill.sh" fetch-write
