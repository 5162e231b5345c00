# SPDX-License-Identifier: GPL-2.0
# The hostile RDMA peer of tests/vm/62-rdma-malformed.sh: a userspace
# librdmacm program, copied into the test VMs with the selftests but not a
# selftest itself (run-all runs only *_test).

RDMA_LIBS := -lrdmacm -libverbs

$(B)/selftests/rdma_badpeer: selftests/rdma_badpeer.c kmod/proto/wire.h \
		kmod/proto/types.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< $(RDMA_LIBS)

selftests: $(B)/selftests/rdma_badpeer

$(B)/selftests/rdma_events: selftests/rdma_events.c include/uapi/linux/ssihv.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -o $@ $< $(NL_LIBS)

selftests: $(B)/selftests/rdma_events

# wire_frame_test checks the module's wire parser: rebuild it when it changes.
$(B)/selftests/wire_frame_test: kmod/proto/wire.h kmod/proto/types.h
