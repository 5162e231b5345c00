// SPDX-License-Identifier: GPL-2.0
/*
 * ssi-vmm: boot a Linux bzImage in a KVM VM.
 *
 * Setup order matters: guest RAM before the VM (memslots), the loader
 * before the BSP (entry point, boot_params), devices before any vCPU runs
 * (the I/O dispatch tables are fixed once vCPUs start).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices.h"
#include "options.h"
#include "serial.h"
#include "ssi_acpi.h"
#include "term.h"
#include "vmm.h"

static struct vmm vmm;

/*
 * --memory-only: attach the VM id with the topology's memory map, so that
 * this host's ssihv.ko serves the frames homed here to the host running
 * the guest, and hold it until told to stop.  No KVM, no vCPUs.
 */
static int memory_only(struct vmm *vmm)
{
	sigset_t stop;
	int sig;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &stop, NULL))
		return 1;
	if (topology_load(vmm) < 0 || guest_ram_alloc(vmm) < 0)
		return 1;
	fprintf(stderr, "ssi-vmm: serving the guest memory homed here until SIGINT or SIGTERM\n");
	if (sigwait(&stop, &sig))
		return 1;
	fprintf(stderr, "ssi-vmm: %s: no longer serving VM id %llu\n",
		strsignal(sig), (unsigned long long)vmm->cfg.vm_id);
	return 0;
}

static int vm_setup(struct vmm *vmm)
{
	unsigned int i;

	if (topology_load(vmm) < 0 || placement_plan_vcpus(vmm) < 0)
		return -1;
	if (guest_ram_alloc(vmm) < 0 || kvm_vm_init(vmm) < 0 ||
	    linux_load(vmm) < 0 || acpi_setup(vmm) < 0)
		return -1;
	for (i = 0; i < vmm->cfg.nr_cpus; i++) {
		if (kvm_vcpu_init(vmm, i) < 0)
			return -1;
	}
	if (vcpu_setup_long_mode(&vmm->vcpus[0]) < 0)
		return -1;
	if (serial_init(vmm, STDOUT_FILENO) < 0 || reset_init() < 0 ||
	    rtc_init() < 0 || acpi_pm_init(vmm) < 0)
		return -1;
	if (vmm->topo->acpi.pci) {
		if (pci_init(vmm->topo->acpi.pci_mmio_base,
			     vmm->topo->acpi.pci_mmio_size) < 0)
			return -1;
	} else if (vmm->cfg.nr_disks) {
		fprintf(stderr, "ssi-vmm: --disk needs PCI, which the topology turns off (pci = no)\n");
		return -1;
	}
	for (i = 0; i < vmm->cfg.nr_disks; i++) {
		if (virtio_blk_init(vmm, vmm->cfg.disks[i]) < 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum vm_exit_reason reason;

	switch (options_parse(argc, argv, &vmm.cfg, stderr)) {
	case OPTIONS_HELP:
		return 0;
	case OPTIONS_ERROR:
		return 2;
	case OPTIONS_OK:
		break;
	}
	/* A vanished reader of our output must not kill the VM. */
	signal(SIGPIPE, SIG_IGN);
	if (vmm.cfg.memory_only)
		return memory_only(&vmm);
	if (vm_setup(&vmm) < 0)
		return 1;
	if (term_init() < 0 || term_start_input() < 0 || vcpus_start(&vmm) < 0)
		return 1;

	reason = vm_wait_exit(&vmm);
	switch (reason) {
	case VM_EXIT_POWEROFF:
	case VM_EXIT_USER_QUIT:
		exit(0);
	case VM_EXIT_RESET:
		if (vmm.cfg.on_reboot == ON_REBOOT_RESTART) {
			/* A fresh process is the simplest complete reset. */
			term_restore();
			execv("/proc/self/exe", argv);
			perror("ssi-vmm: re-exec for reboot");
			exit(1);
		}
		exit(0);
	case VM_EXIT_ERROR:
		break;
	}
	exit(1);
}
