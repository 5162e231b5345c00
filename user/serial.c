// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART as COM1 (port 0x3f8, IRQ 4).
 *
 * Transmission is instantaneous: a byte written to THR goes straight to the
 * host's stdout, so THR is always empty and THRE is raised again right
 * away.  Received bytes queue in a buffer larger than the 16-byte FIFO so
 * that pasted input is not lost.  The interrupt line is level-triggered and
 * follows IIR: it is high whenever IIR reports a pending interrupt.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "ioport.h"
#include "serial.h"
#include "vmm.h"

#define COM1_PORT	0x3f8
#define COM1_IRQ	4
#define RX_BUF_SIZE	4096

#define REG_DATA	0	/* RBR / THR, DLL when DLAB */
#define REG_IER		1	/* DLM when DLAB */
#define REG_IIR		2	/* FCR on write */
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5
#define REG_MSR		6
#define REG_SCR		7

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IER_MASK	0x0f

#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO_ON	0xc0

#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02

#define LCR_DLAB	0x80

#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10

#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

struct uart {
	pthread_mutex_t lock;
	struct vmm *vmm;
	int out_fd;
	int irq_level;

	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thre_pending;

	uint8_t rx_buf[RX_BUF_SIZE];
	unsigned int rx_head, rx_count;
};

static struct uart com1 = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint8_t uart_iir(struct uart *u)
{
	uint8_t fifo = u->fcr & FCR_ENABLE ? IIR_FIFO_ON : 0;

	if (u->rx_count && (u->ier & IER_RDI))
		return fifo | IIR_RDI;
	if (u->thre_pending && (u->ier & IER_THRI))
		return fifo | IIR_THRI;
	return fifo | IIR_NO_INT;
}

static void uart_update_irq(struct uart *u)
{
	struct kvm_irq_level irq = { .irq = COM1_IRQ };
	int level = !(uart_iir(u) & IIR_NO_INT);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	irq.level = level;
	ioctl(u->vmm->vm_fd, KVM_IRQ_LINE, &irq);
}

static void uart_rx_push(struct uart *u, uint8_t c)
{
	if (u->rx_count == RX_BUF_SIZE)
		return;		/* overrun: drop, like a real FIFO */
	u->rx_buf[(u->rx_head + u->rx_count) % RX_BUF_SIZE] = c;
	u->rx_count++;
}

static uint8_t uart_rx_pop(struct uart *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx_buf[u->rx_head];
	u->rx_head = (u->rx_head + 1) % RX_BUF_SIZE;
	u->rx_count--;
	return c;
}

static void uart_transmit(struct uart *u, uint8_t c)
{
	ssize_t n;

	if (u->mcr & MCR_LOOP) {
		uart_rx_push(u, c);
	} else {
		do {
			n = write(u->out_fd, &c, 1);
		} while (n < 0 && errno == EINTR);
	}
	u->thre_pending = true;
}

static uint8_t uart_msr(struct uart *u)
{
	uint8_t msr = 0;

	if (!(u->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	/* Loopback wires the modem outputs back to the inputs. */
	if (u->mcr & MCR_RTS)
		msr |= MSR_CTS;
	if (u->mcr & MCR_DTR)
		msr |= MSR_DSR;
	if (u->mcr & MCR_OUT1)
		msr |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		msr |= MSR_DCD;
	return msr;
}

static void uart_write(struct uart *u, unsigned int reg, uint8_t val)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case REG_DATA:
		if (dlab)
			u->dll = val;
		else
			uart_transmit(u, val);
		break;
	case REG_IER:
		if (dlab) {
			u->dlm = val;
			break;
		}
		/*
		 * Enabling THRI while the transmitter is idle raises THRE at
		 * once; the 8250 driver tests for exactly this.
		 */
		if ((val & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = true;
		u->ier = val & IER_MASK;
		break;
	case REG_IIR:
		u->fcr = val & ~(FCR_CLEAR_RX | 0x04);
		if (val & FCR_CLEAR_RX)
			u->rx_count = 0;
		break;
	case REG_LCR:
		u->lcr = val;
		break;
	case REG_MCR:
		u->mcr = val & 0x1f;
		break;
	case REG_SCR:
		u->scr = val;
		break;
	}
}

static uint8_t uart_read(struct uart *u, unsigned int reg)
{
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t iir;

	switch (reg) {
	case REG_DATA:
		return dlab ? u->dll : uart_rx_pop(u);
	case REG_IER:
		return dlab ? u->dlm : u->ier;
	case REG_IIR:
		iir = uart_iir(u);
		/* Reading IIR acknowledges a THRE interrupt. */
		if ((iir & 0x0f) == IIR_THRI)
			u->thre_pending = false;
		return iir;
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
	case REG_MSR:
		return uart_msr(u);
	case REG_SCR:
		return u->scr;
	}
	return 0xff;
}

static void uart_io(void *opaque, uint16_t port, uint8_t *data,
		    unsigned int size, bool is_write)
{
	struct uart *u = opaque;
	unsigned int reg = port - COM1_PORT;

	pthread_mutex_lock(&u->lock);
	if (is_write)
		uart_write(u, reg, data[0]);
	else
		data[0] = uart_read(u, reg);
	if (size > 1 && !is_write)
		memset(data + 1, 0, size - 1);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

void serial_receive(const char *buf, size_t len)
{
	size_t i;

	pthread_mutex_lock(&com1.lock);
	for (i = 0; i < len; i++)
		uart_rx_push(&com1, buf[i]);
	uart_update_irq(&com1);
	pthread_mutex_unlock(&com1.lock);
}

int serial_init(struct vmm *vmm, int out_fd)
{
	com1.vmm = vmm;
	com1.out_fd = out_fd;
	return ioport_register(COM1_PORT, 8, uart_io, &com1);
}
