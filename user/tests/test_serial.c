// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the 16550A model, through the I/O port dispatcher. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ioport.h"
#include "serial.h"
#include "vmm.h"

#define COM1	0x3f8
#define THR	0
#define IER	1
#define IIR	2
#define FCR	2
#define LCR	3
#define MCR	4
#define LSR	5
#define MSR	6
#define SCR	7

static struct vmm vmm;
static int out[2];

static uint8_t in8(unsigned int reg)
{
	uint8_t v;

	ioport_dispatch(COM1 + reg, &v, 1, false);
	return v;
}

static void out8(unsigned int reg, uint8_t v)
{
	ioport_dispatch(COM1 + reg, &v, 1, true);
}

/* Whatever the UART sent to the host so far. */
static size_t sent(char *buf, size_t len)
{
	ssize_t n = read(out[0], buf, len);

	return n < 0 ? 0 : n;
}

static int setup(void **state)
{
	assert_int_equal(pipe2(out, O_NONBLOCK), 0);
	vmm.vm_fd = -1;		/* KVM_IRQ_LINE just fails */
	return serial_init(&vmm, out[1]);
}

static void test_transmit(void **state)
{
	char buf[8];

	assert_int_equal(in8(LSR) & 0x60, 0x60);	/* THRE | TEMT */
	out8(THR, 'o');
	out8(THR, 'k');
	assert_int_equal(sent(buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "ok", 2);
	assert_int_equal(in8(LSR) & 0x60, 0x60);
}

static void test_thre_interrupt(void **state)
{
	out8(IER, 0);
	assert_int_equal(in8(IIR) & 0x0f, 0x01);	/* nothing pending */
	out8(IER, 0x02);
	assert_int_equal(in8(IIR) & 0x0f, 0x02);	/* THRE */
	assert_int_equal(in8(IIR) & 0x0f, 0x01);	/* read acknowledged it */
	/* The 8250 driver's test: toggling THRI must raise it again. */
	out8(IER, 0);
	out8(IER, 0x02);
	assert_int_equal(in8(IIR) & 0x0f, 0x02);
	out8(THR, 'x');			/* a write empties THR again */
	assert_int_equal(in8(IIR) & 0x0f, 0x02);
	out8(IER, 0);
}

static void test_receive(void **state)
{
	out8(IER, 0x01);
	assert_int_equal(in8(LSR) & 0x01, 0);
	serial_receive("hi", 2);
	assert_int_equal(in8(LSR) & 0x01, 1);
	assert_int_equal(in8(IIR) & 0x0f, 0x04);	/* data available */
	assert_int_equal(in8(THR), 'h');
	assert_int_equal(in8(THR), 'i');
	assert_int_equal(in8(LSR) & 0x01, 0);
	assert_int_equal(in8(IIR) & 0x0f, 0x01);
	out8(IER, 0);
}

static void test_loopback(void **state)
{
	char buf[8];

	sent(buf, sizeof(buf));		/* drop earlier tests' output */
	out8(MCR, 0x1f);		/* LOOP, OUT2, OUT1, RTS, DTR */
	assert_int_equal(in8(MSR) & 0xf0, 0xf0);
	out8(MCR, 0x10);
	assert_int_equal(in8(MSR) & 0xf0, 0x00);
	out8(THR, 'L');
	assert_int_equal(sent(buf, sizeof(buf)), 0);	/* not to the host */
	assert_int_equal(in8(LSR) & 0x01, 1);
	assert_int_equal(in8(THR), 'L');
	out8(MCR, 0x0b);
	assert_int_equal(in8(MSR) & 0xb0, 0xb0);	/* DCD DSR CTS */
}

static void test_divisor_and_scratch(void **state)
{
	out8(IER, 0x05);
	out8(LCR, 0x83);		/* DLAB */
	out8(THR, 0x01);
	out8(IER, 0x02);
	assert_int_equal(in8(THR), 0x01);
	assert_int_equal(in8(IER), 0x02);
	out8(LCR, 0x03);
	assert_int_equal(in8(IER), 0x05);
	assert_int_equal(in8(LCR), 0x03);
	out8(SCR, 0x5a);
	assert_int_equal(in8(SCR), 0x5a);
	out8(IER, 0);
}

static void test_fifo(void **state)
{
	out8(FCR, 0x07);		/* enable, clear both */
	assert_int_equal(in8(IIR) & 0xc0, 0xc0);
	serial_receive("zz", 2);
	out8(FCR, 0x03);		/* clear receive FIFO */
	assert_int_equal(in8(LSR) & 0x01, 0);
	out8(FCR, 0);
	assert_int_equal(in8(IIR) & 0xc0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transmit),
		cmocka_unit_test(test_thre_interrupt),
		cmocka_unit_test(test_receive),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_divisor_and_scratch),
		cmocka_unit_test(test_fifo),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
