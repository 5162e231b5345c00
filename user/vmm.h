/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ssi-vmm: state shared by the VMM's parts.
 */
#ifndef SSI_VMM_H
#define SSI_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sched.h>

#include "layout.h"

#define SZ_1K	0x400ULL
#define SZ_1M	0x100000ULL
#define SZ_2M	0x200000ULL
#define SZ_1G	0x40000000ULL
#define SZ_4G	0x100000000ULL

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * APIC ids are vCPU ids; ids above 254 need KVM's 32-bit x2APIC id API
 * (KVM_CAP_X2APIC_API) for MSIs and IPIs, which is not wired up yet.
 */
#define MAX_VCPUS	255
#define MAX_DISKS	8

enum mem_backend {
	MEM_BACKEND_ANON,
	MEM_BACKEND_MEMFD,
	MEM_BACKEND_HUGETLB,
	MEM_BACKEND_SSIHV,
};

enum on_reboot {
	ON_REBOOT_EXIT,
	ON_REBOOT_RESTART,
};

/* What the command line asked for. */
struct vmm_config {
	const char *kernel_path;
	const char *initrd_path;
	const char *cmdline;
	const char *topology_path;
	unsigned int nr_cpus;
	uint64_t ram_size;
	bool nr_cpus_given;	/* --cpus was on the command line */
	bool ram_size_given;	/* --memory was on the command line */
	enum mem_backend mem_backend;
	enum on_reboot on_reboot;
	bool no_pin;
	unsigned int nr_disks;
	const char *disks[MAX_DISKS];	/* "PATH" or "PATH,ro" */
	uint64_t vm_id;		/* ssihv backend: cluster-wide VM id */
	bool vm_id_given;	/* --vm-id was on the command line */
	bool memory_only;	/* --memory-only: home memory, run no guest */
};

struct vcpu {
	struct vmm *vmm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool pinned;
	cpu_set_t affinity;	/* host CPUs, when pinned */
};

struct ssi_topo;

struct vmm {
	struct vmm_config cfg;
	int kvm_fd;
	int vm_fd;
	size_t run_mmap_size;

	/*
	 * Guest RAM: one host mapping, split around the 32-bit hole (for
	 * ssihv, one mapping per range inside one reserved stretch).
	 */
	void *ram;
	uint64_t ram_size;
	int ram_fd;

	struct vcpu vcpus[MAX_VCPUS];

	/* Guest NUMA layout and ACPI options (acpi/ library). */
	struct ssi_topo *topo;
	uint16_t acpi_pm_base;

	/* Where the loader put things; the BSP starts from here. */
	uint64_t kernel_entry;
	uint64_t boot_params_gpa;
};

/* memory.c */
int guest_ram_alloc(struct vmm *vmm);
void *gpa_to_hva(struct vmm *vmm, uint64_t gpa, uint64_t len);
uint64_t ram_below_4g(uint64_t ram_size);

/* memory_ssihv.c */
void *ssihv_ram_map(struct vmm *vmm);

/* kvm.c */
int kvm_vm_init(struct vmm *vmm);
int kvm_vcpu_init(struct vmm *vmm, unsigned int id);

/* cpuid.c */
struct kvm_cpuid_entry2;
void cpuid_fixup(struct kvm_cpuid_entry2 *entry, unsigned int vcpu_id);

/* cpu_boot.c */
int vcpu_setup_long_mode(struct vcpu *vcpu);

/* vcpu_run.c */
int vcpus_start(struct vmm *vmm);

/* boot_linux.c */
int linux_load(struct vmm *vmm);

/* topology.c */
int topology_load(struct vmm *vmm);

/* placement.c: host NUMA placement */
int placement_bind_ram(struct vmm *vmm);
int placement_check_host_node(unsigned int n, int host_node);
int placement_plan_vcpus(struct vmm *vmm);
void placement_pin_vcpu(struct vcpu *vcpu);

/* acpi_tables.c, acpi_pm.c */
int acpi_setup(struct vmm *vmm);
int acpi_pm_init(struct vmm *vmm);

/* lifecycle.c: the one way out of a running VM */
enum vm_exit_reason {
	VM_EXIT_POWEROFF,
	VM_EXIT_RESET,
	VM_EXIT_USER_QUIT,
	VM_EXIT_ERROR,
};

void vm_request_exit(enum vm_exit_reason reason);
int vm_wait_exit(struct vmm *vmm);

#endif /* SSI_VMM_H */
