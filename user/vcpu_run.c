// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU threads: one per vCPU, each looping on KVM_RUN and dispatching the
 * exits that reach userspace.  With the in-kernel irqchip, HLT, INIT and
 * SIPI stay in the kernel: the APs sit in KVM_RUN until the BSP's INIT/SIPI
 * wakes them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "ioport.h"
#include "vmm.h"

static void vcpu_dump(struct vcpu *vcpu)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return;
	fprintf(stderr,
		"ssi-vmm: vCPU %u: rip=0x%llx rsp=0x%llx rflags=0x%llx cr0=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx\n",
		vcpu->id, regs.rip, regs.rsp, regs.rflags, sregs.cr0,
		sregs.cr3, sregs.cr4, sregs.efer);
}

static const char *internal_error_name(unsigned int suberror)
{
	switch (suberror) {
	case KVM_INTERNAL_ERROR_EMULATION:
		return "cannot emulate an instruction, e.g. code outside RAM";
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		return "exception while delivering an exception";
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		return "event delivery failed";
	}
	return "see linux/kvm.h";
}

static void vcpu_handle_io(struct kvm_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	uint32_t i;

	/* String instructions arrive as count back-to-back accesses. */
	for (i = 0; i < run->io.count; i++) {
		ioport_dispatch(run->io.port, data, run->io.size, is_write);
		data += run->io.size;
	}
}

/* Returns false when the vCPU must stop running. */
static bool vcpu_handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		vcpu_handle_io(run);
		return true;
	case KVM_EXIT_MMIO:
		mmio_dispatch(run->mmio.phys_addr, run->mmio.data,
			      run->mmio.len, run->mmio.is_write);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SHUTDOWN:
		/* A triple fault resets a PC. */
		vm_request_exit(VM_EXIT_RESET);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
			vm_request_exit(VM_EXIT_POWEROFF);
		else
			vm_request_exit(VM_EXIT_RESET);
		return false;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel LAPIC; we always have one. */
		return true;
	case KVM_EXIT_FAIL_ENTRY:
		fprintf(stderr,
			"ssi-vmm: vCPU %u: entry failed, reason 0x%llx\n",
			vcpu->id, (unsigned long long)
			run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		fprintf(stderr, "ssi-vmm: vCPU %u: KVM internal error %u (%s)\n",
			vcpu->id, run->internal.suberror,
			internal_error_name(run->internal.suberror));
		break;
	default:
		fprintf(stderr, "ssi-vmm: vCPU %u: unhandled exit %u\n",
			vcpu->id, run->exit_reason);
		break;
	}
	vcpu_dump(vcpu);
	vm_request_exit(VM_EXIT_ERROR);
	return false;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", vcpu->id);
	pthread_setname_np(pthread_self(), name);
	placement_pin_vcpu(vcpu);
	for (;;) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "ssi-vmm: vCPU %u: KVM_RUN: %s\n",
				vcpu->id, strerror(errno));
			vm_request_exit(VM_EXIT_ERROR);
			break;
		}
		if (!vcpu_handle_exit(vcpu))
			break;
	}
	return NULL;
}

int vcpus_start(struct vmm *vmm)
{
	unsigned int i;

	for (i = 0; i < vmm->cfg.nr_cpus; i++) {
		if (pthread_create(&vmm->vcpus[i].thread, NULL, vcpu_thread,
				   &vmm->vcpus[i])) {
			fprintf(stderr, "ssi-vmm: cannot start vCPU %u\n", i);
			return -1;
		}
	}
	return 0;
}
