/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal KVM plumbing for the ssihv selftests: one VM, one vCPU started
 * directly in 64-bit long mode, running a position-independent code blob.
 *
 * Guest-physical layout used by every caller:
 *
 *	[0, data_size)			the memory under test (one memslot,
 *					backed by whatever the caller maps)
 *	[KVM_CODE_GPA, +KVM_CODE_SIZE)	a small anonymous memslot holding
 *					the GDT, TSS, page tables, the code,
 *					a stack and an IDT with its stubs
 *
 * Keeping code and page tables out of the memory under test means the
 * guest's own instruction fetches and page walks never fault on it: every
 * fault the memory under test sees is a data access the test asked for.
 *
 * The page tables identity-map the first 1 GiB with 2 SZ_1M pages (PML4[0]
 * -> PDPT[0] -> one PD), which covers both memslots.
 *
 * Include after harness.h; failures end the test through ASSERT_*().
 */
#ifndef _SSIHV_SELFTEST_KVM_UTIL_H
#define _SSIHV_SELFTEST_KVM_UTIL_H

#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/kvm.h>

#define KVM_CODE_GPA		0x4000000ULL
#define KVM_CODE_SIZE		0x200000ULL
#define KVM_IDENTITY_MAP	0x40000000ULL

/* Offsets inside the code memslot. */
#define KVM_GDT_OFF		0x0000
#define KVM_TSS_OFF		0x0100
#define KVM_PML4_OFF		0x1000
#define KVM_PDPT_OFF		0x2000
#define KVM_PD_OFF		0x3000
#define KVM_TEXT_OFF		0x4000
#define KVM_STACK_TOP_OFF	0x20000
#define KVM_IDT_OFF		0x21000
#define KVM_VEC_OFF		0x22000	/* 16 bytes of stub per vector */
#define KVM_EXC_OFF		(KVM_VEC_OFF + 256 * 16)
#define KVM_STRAY_OFF		0x24000	/* u64: ignored interrupts */

/* The guest reports an exception here (vector in %eax). */
#define KVM_EXC_PORT		0x11

#define KVM_SEL_CODE		0x08
#define KVM_SEL_DATA		0x10
#define KVM_SEL_TSS		0x18

#define X86_CR0_PE		0x1ULL
#define X86_CR0_MP		0x2ULL
#define X86_CR0_ET		0x10ULL
#define X86_CR0_NE		0x20ULL
#define X86_CR0_WP		0x10000ULL
#define X86_CR0_PG		0x80000000ULL
#define X86_CR4_PAE		0x20ULL
#define X86_EFER_LME		0x100ULL
#define X86_EFER_LMA		0x400ULL

#define PTE_PRESENT		0x1ULL
#define PTE_WRITE		0x2ULL
#define PTE_HUGE		0x80ULL

struct kvm_vm {
	int kvm_fd;
	int vm_fd;
	int vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	__u8 *code;		/* host view of the code memslot */
	__u64 stray_seen;	/* stray interrupts already logged */
};

/* Returns false (errno set) when /dev/kvm is missing or unusable. */
static inline bool kvm_available(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static inline void kvm_set_slot(struct kvm_vm *vm, __u32 slot,
				__u64 gpa, __u64 size, void *hva)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	ASSERT_EQ(ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region), 0);
}

static inline void kvm_write_gdt_entry(__u64 *gdt, unsigned int index,
				       __u64 base, __u32 limit,
				       __u8 access, __u8 flags)
{
	gdt[index] = (limit & 0xffffULL) |
		     ((base & 0xffffffULL) << 16) |
		     ((__u64)access << 40) |
		     ((__u64)((limit >> 16) & 0xf) << 48) |
		     ((__u64)(flags & 0xf) << 52) |
		     (((base >> 24) & 0xffULL) << 56);
}

/* The CPUID KVM supports, handed to the vCPU (long mode needs LM). */
static inline void kvm_setup_cpuid(struct kvm_vm *vm)
{
	const unsigned int max = 256;
	struct kvm_cpuid2 *cpuid;

	cpuid = calloc(1, sizeof(*cpuid) +
			  max * sizeof(struct kvm_cpuid_entry2));
	ASSERT_TRUE(cpuid);
	cpuid->nent = max;
	ASSERT_EQ(ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid), 0);
	ASSERT_EQ(ioctl(vm->vcpu_fd, KVM_SET_CPUID2, cpuid), 0);
	free(cpuid);
}

/*
 * An IDT, so that an event reaching the guest is reported instead of
 * triple-faulting into a bare "shutdown" exit.  Exceptions (vectors 0-31)
 * end the run on KVM_EXC_PORT with the vector in %eax and the two qwords
 * on top of the exception frame in %rbx/%rcx (error code and %rip, or
 * %rip and %cs).  The guest never enables interrupts, so vectors 32-255
 * can only come from the hypervisor below (seen once with QEMU's TCG
 * SVM: a "shutdown" exit under heavy MMU-notifier traffic); they are
 * counted at KVM_STRAY_OFF, logged by kvm_vm_try_call() and ignored,
 * since they say nothing about the memory under test.
 */
static inline void kvm_setup_idt(struct kvm_vm *vm)
{
	static const __u8 common[] = {
		0x58,				/* pop %rax */
		0x48, 0x8b, 0x1c, 0x24,		/* mov (%rsp),%rbx */
		0x48, 0x8b, 0x4c, 0x24, 0x08,	/* mov 8(%rsp),%rcx */
		0x66, 0xba, KVM_EXC_PORT, 0x00,	/* mov $port,%dx */
		0xef,				/* out %eax,(%dx) */
		0xf4,				/* 1: hlt */
		0xeb, 0xfd,			/* jmp 1b */
	};
	__u64 *idt = (__u64 *)(vm->code + KVM_IDT_OFF);
	unsigned int v;

	memcpy(vm->code + KVM_EXC_OFF, common, sizeof(common));
	for (v = 0; v < 256; v++) {
		__u32 off = KVM_VEC_OFF + v * 16;
		__u64 gva = KVM_CODE_GPA + off;
		__u8 *stub = vm->code + off;
		__s32 rel;

		if (v < 32) {
			/* push $v; jmp common */
			stub[0] = 0x68;
			memcpy(stub + 1, &v, 4);
			stub[5] = 0xe9;
			rel = KVM_EXC_OFF - (off + 10);
			memcpy(stub + 6, &rel, 4);
		} else {
			/* lock incq stray(%rip); iretq */
			static const __u8 inc[] = { 0xf0, 0x48, 0xff, 0x05 };

			memcpy(stub, inc, sizeof(inc));
			rel = KVM_STRAY_OFF - (off + 8);
			memcpy(stub + 4, &rel, 4);
			stub[8] = 0x48;
			stub[9] = 0xcf;
		}
		/* 64-bit interrupt gate, present, DPL 0, no IST. */
		idt[2 * v] = (gva & 0xffff) | ((__u64)KVM_SEL_CODE << 16) |
			     (0x8eULL << 40) | (((gva >> 16) & 0xffff) << 48);
		idt[2 * v + 1] = gva >> 32;
	}
}

static inline void kvm_setup_long_mode(struct kvm_vm *vm)
{
	__u64 *gdt = (__u64 *)(vm->code + KVM_GDT_OFF);
	__u64 *pml4 = (__u64 *)(vm->code + KVM_PML4_OFF);
	__u64 *pdpt = (__u64 *)(vm->code + KVM_PDPT_OFF);
	__u64 *pd = (__u64 *)(vm->code + KVM_PD_OFF);
	struct kvm_segment code_seg = {
		.base = 0, .limit = 0xffffffff, .selector = KVM_SEL_CODE,
		.type = 11, .present = 1, .dpl = 0, .db = 0, .s = 1,
		.l = 1, .g = 1,
	};
	struct kvm_segment data_seg = {
		.base = 0, .limit = 0xffffffff, .selector = KVM_SEL_DATA,
		.type = 3, .present = 1, .dpl = 0, .db = 1, .s = 1,
		.l = 0, .g = 1,
	};
	struct kvm_segment tss_seg = {
		.base = KVM_CODE_GPA + KVM_TSS_OFF, .limit = 0x67,
		.selector = KVM_SEL_TSS, .type = 11, .present = 1, .s = 0,
	};
	struct kvm_sregs sregs;
	unsigned int i;

	/* Null, 64-bit code, data, 64-bit TSS (two slots). */
	gdt[0] = 0;
	kvm_write_gdt_entry(gdt, 1, 0, 0xfffff, 0x9b, 0xa);
	kvm_write_gdt_entry(gdt, 2, 0, 0xfffff, 0x93, 0xc);
	kvm_write_gdt_entry(gdt, 3, tss_seg.base, tss_seg.limit, 0x8b, 0);
	gdt[4] = tss_seg.base >> 32;

	pml4[0] = (KVM_CODE_GPA + KVM_PDPT_OFF) | PTE_PRESENT | PTE_WRITE;
	pdpt[0] = (KVM_CODE_GPA + KVM_PD_OFF) | PTE_PRESENT | PTE_WRITE;
	for (i = 0; i < 512; i++)
		pd[i] = ((__u64)i << 21) | PTE_PRESENT | PTE_WRITE |
			PTE_HUGE;

	ASSERT_EQ(ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs), 0);
	sregs.gdt.base = KVM_CODE_GPA + KVM_GDT_OFF;
	sregs.gdt.limit = 5 * 8 - 1;
	kvm_setup_idt(vm);
	sregs.idt.base = KVM_CODE_GPA + KVM_IDT_OFF;
	sregs.idt.limit = 256 * 16 - 1;
	sregs.cs = code_seg;
	sregs.ds = data_seg;
	sregs.es = data_seg;
	sregs.fs = data_seg;
	sregs.gs = data_seg;
	sregs.ss = data_seg;
	sregs.tr = tss_seg;
	sregs.ldt.unusable = 1;
	sregs.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		    X86_CR0_WP | X86_CR0_PG;
	sregs.cr3 = KVM_CODE_GPA + KVM_PML4_OFF;
	sregs.cr4 = X86_CR4_PAE;
	sregs.efer = X86_EFER_LME | X86_EFER_LMA;
	ASSERT_EQ(ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs), 0);
}

/*
 * Create a VM whose slot 0 maps [0, data_size) to data (host memory the
 * caller owns) and whose slot 1 holds code (copied from text/text_len).
 */
static inline void kvm_vm_create(struct kvm_vm *vm, void *data,
				 __u64 data_size, const void *text,
				 size_t text_len)
{
	int mmap_size;

	ASSERT_LE(data_size, KVM_CODE_GPA);
	ASSERT_LE(KVM_TEXT_OFF + text_len, KVM_STACK_TOP_OFF - 0x1000);
	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	ASSERT_GE(vm->kvm_fd, 0);
	ASSERT_EQ(ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0), KVM_API_VERSION);
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	ASSERT_GE(vm->vm_fd, 0);

	vm->code = mmap(NULL, KVM_CODE_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(vm->code != MAP_FAILED);
	memcpy(vm->code + KVM_TEXT_OFF, text, text_len);

	kvm_set_slot(vm, 0, 0, data_size, data);
	kvm_set_slot(vm, 1, KVM_CODE_GPA, KVM_CODE_SIZE, vm->code);

	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	ASSERT_GE(vm->vcpu_fd, 0);
	mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	ASSERT_GE(mmap_size, (int)sizeof(struct kvm_run));
	vm->run_size = mmap_size;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	ASSERT_TRUE(vm->run != MAP_FAILED);

	kvm_setup_cpuid(vm);
	kvm_setup_long_mode(vm);
}

/* Drop the memslots first so KVM lets go of the memory under test. */
static inline void kvm_vm_destroy(struct kvm_vm *vm)
{
	munmap(vm->run, vm->run_size);
	close(vm->vcpu_fd);
	close(vm->vm_fd);
	close(vm->kvm_fd);
	munmap(vm->code, KVM_CODE_SIZE);
	memset(vm, 0, sizeof(*vm));
}

/* Arguments of one guest call, in the System V argument registers. */
struct kvm_guest_args {
	__u64 rdi, rsi, rdx, rcx, r8, r9;
};

/*
 * Run the code from its start with args until it reports on port: the
 * 32-bit value it wrote there goes to *value, regs (when not NULL) get
 * the register file at that point, and 0 is returned.  A failing KVM_RUN
 * (say, guest memory the host cannot fault in) returns -errno; any other
 * exit fails the test.
 */
static inline int kvm_vm_try_call(struct kvm_vm *vm, __u16 port,
				  const struct kvm_guest_args *args,
				  struct kvm_regs *regs_out, __u32 *value)
{
	struct kvm_regs regs = {
		.rip = KVM_CODE_GPA + KVM_TEXT_OFF,
		.rsp = KVM_CODE_GPA + KVM_STACK_TOP_OFF,
		.rflags = 0x2,
		.rdi = args->rdi, .rsi = args->rsi, .rdx = args->rdx,
		.rcx = args->rcx, .r8 = args->r8, .r9 = args->r9,
	};
	struct kvm_run *run = vm->run;

	*value = 0;
	ASSERT_EQ(ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs), 0);
	for (;;) {
		__u64 stray;
		int ret = ioctl(vm->vcpu_fd, KVM_RUN, 0);

		stray = __atomic_load_n((__u64 *)(vm->code + KVM_STRAY_OFF),
					__ATOMIC_RELAXED);
		if (stray != vm->stray_seen) {
			harness_log("guest took %llu stray interrupt(s), ignored",
				    (unsigned long long)(stray - vm->stray_seen));
			vm->stray_seen = stray;
		}
		if (ret < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (run->exit_reason != KVM_EXIT_IO)
			break;
		if (run->io.direction != KVM_EXIT_IO_OUT ||
		    run->io.port != port || run->io.size != 4)
			break;
		memcpy(value, (__u8 *)run + run->io.data_offset, 4);
		if (regs_out)
			ASSERT_EQ(ioctl(vm->vcpu_fd, KVM_GET_REGS, regs_out),
				  0);
		return 0;
	}
	ASSERT_EQ(ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs), 0);
	if (run->exit_reason == KVM_EXIT_IO &&
	    run->io.port == KVM_EXC_PORT)
		FAIL("guest exception, vector %llu; frame 0x%llx 0x%llx",
		     (unsigned long long)(regs.rax & 0xff),
		     (unsigned long long)regs.rbx,
		     (unsigned long long)regs.rcx);
	if (run->exit_reason == KVM_EXIT_IO)
		FAIL("unexpected I/O exit: port 0x%x dir %u size %u rip 0x%llx",
		     run->io.port, run->io.direction, run->io.size,
		     (unsigned long long)regs.rip);
	if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
		FAIL("entry failed: reason 0x%llx",
		     (unsigned long long)
		     run->fail_entry.hardware_entry_failure_reason);
	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		FAIL("internal error: suberror %u, rip 0x%llx",
		     run->internal.suberror, (unsigned long long)regs.rip);
	FAIL("unexpected exit reason %u at rip 0x%llx", run->exit_reason,
	     (unsigned long long)regs.rip);
	return 0;
}

/*
 * The pattern guest.  Arguments: %rdi flags (KVM_PATTERN_WRITE: store
 * "address ^ seed" into every qword at start + k * stride;
 * KVM_PATTERN_VERIFY: then compare every such qword), %rsi seed, %rdx
 * start, %rcx end (exclusive), %r8 stride in bytes (a multiple of 8).
 * It reports on port KVM_PATTERN_PORT: 0 when all matched, 1 on the first
 * mismatch with its address in %rbx and the value read in %r10.
 */
#define KVM_PATTERN_PORT	0x10
#define KVM_PATTERN_WRITE	1
#define KVM_PATTERN_VERIFY	2
#define KVM_PATTERN_PORT_STR	"0x10"

extern const __u8 kvm_pattern_code[], kvm_pattern_code_end[];

asm(".pushsection .rodata\n"
	".globl kvm_pattern_code\n"
	".globl kvm_pattern_code_end\n"
	"kvm_pattern_code:\n"
	"	.code64\n"
	"	test $1, %edi\n"
	"	jz 2f\n"
	"	mov %rdx, %rax\n"
	"1:	cmp %rcx, %rax\n"
	"	jae 2f\n"
	"	mov %rax, %r9\n"
	"	xor %rsi, %r9\n"
	"	mov %r9, (%rax)\n"
	"	add %r8, %rax\n"
	"	jmp 1b\n"
	"2:	test $2, %edi\n"
	"	jz 4f\n"
	"	mov %rdx, %rax\n"
	"3:	cmp %rcx, %rax\n"
	"	jae 4f\n"
	"	mov %rax, %r9\n"
	"	xor %rsi, %r9\n"
	"	mov (%rax), %r10\n"
	"	cmp %r9, %r10\n"
	"	jne 5f\n"
	"	add %r8, %rax\n"
	"	jmp 3b\n"
	"4:	xor %eax, %eax\n"
	"	mov $" KVM_PATTERN_PORT_STR ", %dx\n"
	"	out %eax, (%dx)\n"
	"	hlt\n"
	"5:	mov %rax, %rbx\n"
	"	mov $1, %eax\n"
	"	mov $" KVM_PATTERN_PORT_STR ", %dx\n"
	"	out %eax, (%dx)\n"
	"	hlt\n"
	"kvm_pattern_code_end:\n"
	".popsection\n");

/*
 * Like kvm_vm_try_call(), but a failing KVM_RUN fails the test; returns
 * the guest's report.
 */
static inline __u32 kvm_vm_call(struct kvm_vm *vm, __u16 port,
				const struct kvm_guest_args *args,
				struct kvm_regs *regs_out)
{
	__u32 value = 0;
	int ret = kvm_vm_try_call(vm, port, args, regs_out, &value);

	if (ret)
		FAIL("KVM_RUN: %s", strerror(-ret));
	return value;
}

/* Run the pattern guest over [start, end); returns its report. */
static inline __u32 kvm_pattern_run(struct kvm_vm *vm, __u64 flags,
				    __u64 seed, __u64 start, __u64 end,
				    __u64 stride, struct kvm_regs *regs)
{
	struct kvm_guest_args args = {
		.rdi = flags, .rsi = seed, .rdx = start, .rcx = end,
		.r8 = stride,
	};

	return kvm_vm_call(vm, KVM_PATTERN_PORT, &args, regs);
}

/* The same, returning KVM_RUN's -errno (0 when the guest reported). */
static inline int kvm_pattern_try_run(struct kvm_vm *vm, __u64 flags,
				      __u64 seed, __u64 start, __u64 end,
				      __u64 stride, __u32 *report)
{
	struct kvm_guest_args args = {
		.rdi = flags, .rsi = seed, .rdx = start, .rcx = end,
		.r8 = stride,
	};

	return kvm_vm_try_call(vm, KVM_PATTERN_PORT, &args, NULL, report);
}

/* A VM running the pattern guest with data at guest-physical 0. */
static inline void kvm_pattern_vm_create(struct kvm_vm *vm, void *data,
					 __u64 data_size)
{
	kvm_vm_create(vm, data, data_size, kvm_pattern_code,
		      kvm_pattern_code_end - kvm_pattern_code);
}

#endif /* _SSIHV_SELFTEST_KVM_UTIL_H */
