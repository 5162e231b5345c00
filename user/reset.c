// SPDX-License-Identifier: GPL-2.0
/*
 * The two PC reset registers a kernel may use: the i8042 keyboard
 * controller's pulse-reset command (0xfe to port 0x64, "reboot=k") and the
 * PCI reset control register at 0xcf9 ("reboot=p").  There is no keyboard
 * controller behind them: reads are not claimed and float to 0xff, which
 * makes the i8042 driver decide there is no controller at once.
 */
#include "ioport.h"
#include "vmm.h"

#define I8042_COMMAND_PORT	0x64
#define I8042_CMD_PULSE_RESET	0xfe
#define RST_CNT_RST_CPU		0x04

static void i8042_io(void *opaque, uint16_t port, uint8_t *data,
		     unsigned int size, bool is_write)
{
	if (!is_write) {
		data[0] = 0xff;
		return;
	}
	if (data[0] == I8042_CMD_PULSE_RESET)
		vm_request_exit(VM_EXIT_RESET);
}

/* Port 0xcf9 sits inside the PCI config ports; pci.c passes it here. */
void reset_control_io(uint16_t port, uint8_t *data, unsigned int size,
		      bool is_write)
{
	if (!is_write) {
		data[0] = 0;
		return;
	}
	if (size == 1 && (data[0] & RST_CNT_RST_CPU))
		vm_request_exit(VM_EXIT_RESET);
}

int reset_init(void)
{
	return ioport_register(I8042_COMMAND_PORT, 1, i8042_io, NULL);
}
