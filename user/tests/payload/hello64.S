/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A stand-in "kernel" for host tests of ssi-vmm's boot path: a bzImage
 * whose 64-bit entry point checks what the 64-bit boot protocol promises
 * (long mode, RSI = boot_params with the setup header and our command
 * line), reports over COM1 and resets through the i8042 (or halts, with
 * interrupts off, when the command line starts with "wait", or jumps into
 * the MMIO hole when it starts with "crash").
 */
	.text
/* Real-mode part: one boot sector plus setup_sects = 1 sector. */
	.org 0x1f1
	.byte	1			/* setup_sects */
	.org 0x1fe
	.word	0xaa55			/* boot_flag */
	.byte	0xeb, 0x66		/* jump: header ends at 0x268 */
	.ascii	"HdrS"
	.word	0x020f			/* version */
	.org 0x211
	.byte	0x01			/* loadflags: LOADED_HIGH */
	.org 0x214
	.long	0x100000		/* code32_start */
	.org 0x22c
	.long	0x7fffffff		/* initrd_addr_max */
	.long	0x200000		/* kernel_alignment */
	.byte	1			/* relocatable_kernel */
	.byte	21			/* min_alignment */
	.word	0x0001			/* xloadflags: XLF_KERNEL_64 */
	.long	2047			/* cmdline_size */
	.org 0x258
	.quad	0x1000000		/* pref_address */
	.long	0x100000		/* init_size */
	.org 0x400

/* Protected-mode "kernel", loaded at pref_address. */
kernel:
	.code64
	.org kernel + 0x200		/* startup_64 */
entry:
	mov	%rsi, %rbx
	/* boot_params.hdr.header must still read "HdrS". */
	cmpl	$0x53726448, 0x202(%rbx)
	jne	bad
	/*
	 * cmd_line_ptr points at the command line: "hello..." reports and
	 * resets, "wait..." reports and halts for good (the host test then
	 * inspects the running VMM).
	 */
	xor	%r12d, %r12d
	movl	0x228(%rbx), %edi
	movl	(%rdi), %eax
	cmpl	$0x6c6c6568, %eax	/* "hell" */
	je	good
	cmpl	$0x73617263, %eax	/* "cras(h)": run code in the MMIO hole */
	je	crash
	cmpl	$0x74696177, %eax	/* "wait" */
	jne	bad
	mov	$1, %r12d
good:
	lea	good_msg(%rip), %rsi
	mov	$good_len, %ecx
	jmp	report
bad:
	lea	bad_msg(%rip), %rsi
	mov	$bad_len, %ecx
report:
	mov	$0x3f8, %dx
	rep outsb
	test	%r12d, %r12d
	jnz	1f
	mov	$0xfe, %al
	out	%al, $0x64
1:	hlt
	jmp	1b

crash:
	mov	$0xd0000000, %eax	/* no RAM, no device: KVM cannot run it */
	jmp	*%rax

good_msg:
	.ascii	"payload: long mode, boot_params and cmdline OK\n"
	good_len = . - good_msg
bad_msg:
	.ascii	"payload: boot_params check FAILED\n"
	bad_len = . - bad_msg
