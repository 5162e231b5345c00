// SPDX-License-Identifier: GPL-2.0
/*
 * What CPUID tells the guest about one vCPU, starting from
 * KVM_GET_SUPPORTED_CPUID.
 *
 * Every vCPU is presented as a package of its own: one core, one thread,
 * its own last-level cache.  The host's values would make the guest group
 * vCPUs into packages and caches by APIC id, and a NUMA topology may put
 * vCPUs with neighbouring ids in different nodes (cpus = 0,2 / 1,3);
 * Linux then finds cache siblings on different nodes and WARNs
 * (topology_sane).  For an SSI guest, whose vCPUs may run on different
 * hosts, "nothing is shared but what the SRAT says" is also the truth.
 */
#include <linux/kvm.h>

#include "vmm.h"

#define CPUID_1_ECX_HYPERVISOR		(1U << 31)
#define CPUID_1_EDX_HTT			(1U << 28)
#define CPUID_8_1_ECX_CMP_LEGACY	(1U << 1)

/* Leaf 4 and 0x8000001d EAX: sharing and core counts, minus one. */
#define CACHE_SHARING_MASK		(0xfffU << 14)
#define CACHE_CORES_MASK		(0x3fU << 26)

/* Leaf 0xb/0x1f ECX level types. */
#define TOPO_LEVEL_SMT			1
#define TOPO_LEVEL_CORE			2

/* Leaf 0x80000008 ECX: NC (cores - 1) and ApicIdCoreIdSize. */
#define EXT8_ECX_CORES_MASK		0xf0ffU

void cpuid_fixup(struct kvm_cpuid_entry2 *e, unsigned int vcpu_id)
{
	switch (e->function) {
	case 1:
		/* Initial APIC id; one logical processor per package. */
		e->ebx = (e->ebx & 0x0000ffff) | vcpu_id << 24 | 1 << 16;
		e->ecx |= CPUID_1_ECX_HYPERVISOR;
		e->edx &= ~CPUID_1_EDX_HTT;
		break;
	case 4:
		e->eax &= ~(CACHE_SHARING_MASK | CACHE_CORES_MASK);
		break;
	case 0xb:
	case 0x1f:
		/* SMT and core levels of one thread each; nothing above. */
		e->eax = 0;
		e->ebx = e->index < 2 ? 1 : 0;
		e->ecx = e->index == 0 ? TOPO_LEVEL_SMT << 8 :
			 e->index == 1 ? TOPO_LEVEL_CORE << 8 | 1 : e->index;
		e->edx = vcpu_id;
		break;
	case 0x80000001:
		e->ecx &= ~CPUID_8_1_ECX_CMP_LEGACY;
		break;
	case 0x80000008:
		e->ecx &= ~EXT8_ECX_CORES_MASK;
		break;
	case 0x8000001d:
		e->eax &= ~CACHE_SHARING_MASK;
		break;
	case 0x8000001e:
		/* Extended APIC id; core 0 of 1 thread; its own node/die. */
		e->eax = vcpu_id;
		e->ebx = 0;
		e->ecx = vcpu_id & 0xff;
		break;
	}
}
