// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM VM and its vCPUs: creation, memslots, in-kernel irqchip and PIT,
 * CPUID and the local APIC's wiring.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

#include "vmm.h"

#define CPUID_MAX_ENTRIES	256
#define IOAPIC_NR_PINS		24

/* LAPIC register offsets and LVT delivery modes (SDM vol. 3, 11.5.1). */
#define APIC_LVT0		0x350
#define APIC_LVT1		0x360
#define APIC_MODE_MASK		0x700
#define APIC_MODE_NMI		0x400
#define APIC_MODE_EXTINT	0x700

static struct kvm_cpuid2 *supported_cpuid;

static int kvm_check_caps(struct vmm *vmm)
{
	static const struct {
		int cap;
		const char *name;
	} needed[] = {
		{ KVM_CAP_IRQCHIP, "in-kernel irqchip" },
		{ KVM_CAP_PIT2, "in-kernel PIT" },
		{ KVM_CAP_USER_MEMORY, "user memory" },
		{ KVM_CAP_SET_TSS_ADDR, "TSS address" },
		{ KVM_CAP_SET_IDENTITY_MAP_ADDR, "identity map address" },
		{ KVM_CAP_EXT_CPUID, "CPUID2" },
		{ KVM_CAP_IRQ_ROUTING, "IRQ routing" },
		{ KVM_CAP_MP_STATE, "MP state" },
		{ KVM_CAP_SIGNAL_MSI, "MSI injection" },
	};
	unsigned int i;
	int max_vcpus;

	for (i = 0; i < ARRAY_SIZE(needed); i++) {
		if (ioctl(vmm->kvm_fd, KVM_CHECK_EXTENSION, needed[i].cap) <= 0) {
			fprintf(stderr, "ssi-vmm: KVM lacks %s\n",
				needed[i].name);
			return -1;
		}
	}
	max_vcpus = ioctl(vmm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max_vcpus <= 0)
		max_vcpus = ioctl(vmm->kvm_fd, KVM_CHECK_EXTENSION,
				  KVM_CAP_NR_VCPUS);
	if (max_vcpus > 0 && vmm->cfg.nr_cpus > (unsigned int)max_vcpus) {
		fprintf(stderr, "ssi-vmm: --cpus %u exceeds KVM's limit of %d\n",
			vmm->cfg.nr_cpus, max_vcpus);
		return -1;
	}
	return 0;
}

static int set_memslot(struct vmm *vmm, unsigned int slot, uint64_t gpa,
		       uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	if (ioctl(vmm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		fprintf(stderr, "ssi-vmm: KVM_SET_USER_MEMORY_REGION: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Interrupt routing as on a PC with an IOAPIC: GSI n reaches IOAPIC pin n
 * and, for the 16 ISA IRQs, i8259 pin n (IRQ2 is the cascade).  The one
 * exception is the PIT: the MADT says IRQ0 is wired to GSI 2, so GSI 0
 * (where KVM's PIT injects) goes to IOAPIC pin 2.  GSI 0's entry comes
 * last so that KVM maps an EOI on pin 2 back to GSI 0 and the PIT's
 * ack notifier sees it.
 */
static int kvm_setup_gsi_routing(struct vmm *vmm)
{
	struct kvm_irq_routing *routing;
	struct kvm_irq_routing_entry *e;
	unsigned int gsi;
	int ret;

	routing = calloc(1, sizeof(*routing) + (IOAPIC_NR_PINS + 16) *
			 sizeof(*e));
	if (!routing)
		return -1;
	e = routing->entries;
	for (gsi = 0; gsi < 16; gsi++) {
		if (gsi == 2)
			continue;
		e->gsi = gsi;
		e->type = KVM_IRQ_ROUTING_IRQCHIP;
		e->u.irqchip.irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER :
						 KVM_IRQCHIP_PIC_SLAVE;
		e->u.irqchip.pin = gsi % 8;
		e++;
	}
	for (gsi = 1; gsi <= IOAPIC_NR_PINS; gsi++) {
		unsigned int this = gsi % IOAPIC_NR_PINS;	/* 0 last */

		e->gsi = this;
		e->type = KVM_IRQ_ROUTING_IRQCHIP;
		e->u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e->u.irqchip.pin = this ? this : 2;
		e++;
	}
	routing->nr = e - routing->entries;
	ret = ioctl(vmm->vm_fd, KVM_SET_GSI_ROUTING, routing);
	if (ret < 0)
		fprintf(stderr, "ssi-vmm: KVM_SET_GSI_ROUTING: %s\n",
			strerror(errno));
	free(routing);
	return ret;
}

static int kvm_get_supported_cpuid(struct vmm *vmm)
{
	supported_cpuid = calloc(1, sizeof(*supported_cpuid) +
				 CPUID_MAX_ENTRIES *
				 sizeof(struct kvm_cpuid_entry2));
	if (!supported_cpuid)
		return -1;
	supported_cpuid->nent = CPUID_MAX_ENTRIES;
	if (ioctl(vmm->kvm_fd, KVM_GET_SUPPORTED_CPUID, supported_cpuid) < 0) {
		fprintf(stderr, "ssi-vmm: KVM_GET_SUPPORTED_CPUID: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

int kvm_vm_init(struct vmm *vmm)
{
	struct kvm_pit_config pit = { .flags = 0 };
	uint64_t identity_map = KVM_IDENTITY_MAP_GPA;
	uint64_t low = ram_below_4g(vmm->ram_size);
	int version;

	vmm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vmm->kvm_fd < 0) {
		fprintf(stderr, "ssi-vmm: cannot open /dev/kvm: %s\n",
			strerror(errno));
		return -1;
	}
	version = ioctl(vmm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		fprintf(stderr, "ssi-vmm: KVM API version %d, expected %d\n",
			version, KVM_API_VERSION);
		return -1;
	}
	if (kvm_check_caps(vmm) < 0)
		return -1;
	vmm->run_mmap_size = ioctl(vmm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if ((long)vmm->run_mmap_size <= 0) {
		fprintf(stderr, "ssi-vmm: KVM_GET_VCPU_MMAP_SIZE failed\n");
		return -1;
	}
	vmm->vm_fd = ioctl(vmm->kvm_fd, KVM_CREATE_VM, 0);
	if (vmm->vm_fd < 0) {
		fprintf(stderr, "ssi-vmm: KVM_CREATE_VM: %s\n", strerror(errno));
		return -1;
	}
	/*
	 * SVM does not need them, VMX without unrestricted guest does; they
	 * must sit in the MMIO hole where no RAM or device lives.
	 */
	if (ioctl(vmm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity_map) < 0 ||
	    ioctl(vmm->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_GPA) < 0) {
		fprintf(stderr, "ssi-vmm: KVM TSS/identity map setup: %s\n",
			strerror(errno));
		return -1;
	}
	if (ioctl(vmm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		fprintf(stderr, "ssi-vmm: KVM_CREATE_IRQCHIP: %s\n",
			strerror(errno));
		return -1;
	}
	if (kvm_setup_gsi_routing(vmm) < 0)
		return -1;
	if (ioctl(vmm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		fprintf(stderr, "ssi-vmm: KVM_CREATE_PIT2: %s\n",
			strerror(errno));
		return -1;
	}
	if (set_memslot(vmm, 0, 0, low, vmm->ram) < 0)
		return -1;
	if (vmm->ram_size > low &&
	    set_memslot(vmm, 1, HIGH_RAM_GPA, vmm->ram_size - low,
			(char *)vmm->ram + low) < 0)
		return -1;
	return kvm_get_supported_cpuid(vmm);
}

static int vcpu_set_cpuid(struct vcpu *vcpu)
{
	size_t size = sizeof(*supported_cpuid) +
		      supported_cpuid->nent * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *cpuid = malloc(size);
	unsigned int i;
	int ret;

	if (!cpuid)
		return -1;
	memcpy(cpuid, supported_cpuid, size);
	for (i = 0; i < cpuid->nent; i++)
		cpuid_fixup(&cpuid->entries[i], vcpu->id);
	ret = ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid);
	if (ret < 0)
		fprintf(stderr, "ssi-vmm: KVM_SET_CPUID2: %s\n",
			strerror(errno));
	free(cpuid);
	return ret;
}

static void lvt_set_mode(struct kvm_lapic_state *lapic, unsigned int reg,
			 uint32_t mode)
{
	uint32_t val;

	memcpy(&val, &lapic->regs[reg], sizeof(val));
	val = (val & ~APIC_MODE_MASK) | mode;
	memcpy(&lapic->regs[reg], &val, sizeof(val));
}

/*
 * Wire the local APIC like a PC's virtual-wire mode: the i8259's output on
 * LINT0 (ExtINT), NMI on LINT1.  The kernel reprograms both once it owns
 * the IOAPIC, but until then the PIT and UART interrupts reach the CPU
 * only this way.
 */
static int vcpu_setup_lapic(struct vcpu *vcpu)
{
	struct kvm_lapic_state lapic;

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic) < 0)
		return -1;
	lvt_set_mode(&lapic, APIC_LVT0, APIC_MODE_EXTINT);
	lvt_set_mode(&lapic, APIC_LVT1, APIC_MODE_NMI);
	return ioctl(vcpu->fd, KVM_SET_LAPIC, &lapic);
}

/*
 * vCPU 0 runs from the boot state we give it; every other vCPU waits in
 * KVM_RUN for the INIT/SIPI the guest sends once it has read the MADT.
 * KVM already starts non-BSP vCPUs that way with an in-kernel LAPIC; say
 * it explicitly so it does not depend on that default.
 */
static int vcpu_set_mp_state(struct vcpu *vcpu)
{
	struct kvm_mp_state mp = {
		.mp_state = vcpu->id ? KVM_MP_STATE_UNINITIALIZED :
				       KVM_MP_STATE_RUNNABLE,
	};

	if (ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp) < 0) {
		fprintf(stderr, "ssi-vmm: vCPU %u: KVM_SET_MP_STATE: %s\n",
			vcpu->id, strerror(errno));
		return -1;
	}
	return 0;
}

int kvm_vcpu_init(struct vmm *vmm, unsigned int id)
{
	struct vcpu *vcpu = &vmm->vcpus[id];

	vcpu->vmm = vmm;
	vcpu->id = id;
	vcpu->fd = ioctl(vmm->vm_fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0) {
		fprintf(stderr, "ssi-vmm: KVM_CREATE_VCPU %u: %s\n", id,
			strerror(errno));
		return -1;
	}
	vcpu->run = mmap(NULL, vmm->run_mmap_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		fprintf(stderr, "ssi-vmm: mmap of vCPU %u run area: %s\n", id,
			strerror(errno));
		return -1;
	}
	if (vcpu_set_cpuid(vcpu) < 0)
		return -1;
	if (vcpu_setup_lapic(vcpu) < 0) {
		fprintf(stderr, "ssi-vmm: vCPU %u LAPIC setup: %s\n", id,
			strerror(errno));
		return -1;
	}
	return vcpu_set_mp_state(vcpu);
}
