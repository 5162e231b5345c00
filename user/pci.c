// SPDX-License-Identifier: GPL-2.0
/*
 * PCI bus 0 behind configuration mechanism #1 (ports 0xcf8/0xcfc).
 *
 * Slot 0 is a host bridge, which is also what Linux's type-1 probe looks
 * for.  Devices get their memory BARs assigned here, as firmware would,
 * inside the MMIO window that the DSDT's PCI0 _CRS announces (the
 * topology's pci_mmio_base/size, in the 32-bit hole); the guest may move
 * them, and
 * MMIO in the window is routed to whichever BAR currently covers the
 * address while the device has memory decoding enabled.  Byte writes to
 * 0xcf9 are the reset control register, which shares these ports.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <linux/pci_regs.h>

#include "devices.h"
#include "pci.h"
#include "vmm.h"

#define PCI_CONFIG_ADDRESS	0xcf8
#define PCI_CONFIG_DATA		0xcfc
#define PCI_CONFIG_ENABLE	0x80000000u
#define RST_CNT_PORT		0xcf9

#define PCI_CLASS_BRIDGE_HOST	0x0600
#define HOST_BRIDGE_VENDOR	0x8086	/* Intel */
#define HOST_BRIDGE_DEVICE	0x29c0	/* a Q35 MCH; any host bridge will do */

static pthread_mutex_t pci_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pci_device *devices[PCI_MAX_DEVICES];
static unsigned int nr_devices;
static uint32_t config_address;
static uint64_t window_gpa, window_size, next_bar_gpa;
static struct pci_device host_bridge;

static uint32_t bar_addr(const struct pci_device *dev, unsigned int bar)
{
	return pci_cfg_get32(dev, PCI_BASE_ADDRESS_0 + 4 * bar) &
	       PCI_BASE_ADDRESS_MEM_MASK;
}

static void cfg_write(struct pci_device *dev, unsigned int off,
		      const uint8_t *data, unsigned int size)
{
	unsigned int i;

	if (off >= PCI_BASE_ADDRESS_0 && off < PCI_BASE_ADDRESS_0 + 24) {
		unsigned int bar = (off - PCI_BASE_ADDRESS_0) / 4;
		uint32_t val, size_mask;

		if (!dev->bar_size[bar] || size != 4)
			return;
		memcpy(&val, data, 4);
		/* Low bits are read-only: sizing reads back the size. */
		size_mask = ~(dev->bar_size[bar] - 1);
		val = (val & size_mask) |
		      (pci_cfg_get32(dev, off) & ~PCI_BASE_ADDRESS_MEM_MASK);
		pci_cfg_put32(dev, off, val);
		return;
	}
	if (off >= PCI_ROM_ADDRESS && off < PCI_ROM_ADDRESS + 4)
		return;		/* no expansion ROM */
	/* Identity, header type and status are read-only. */
	for (i = 0; i < size; i++) {
		unsigned int o = off + i;

		if (o < PCI_COMMAND || (o >= PCI_STATUS && o < PCI_CACHE_LINE_SIZE) ||
		    o == PCI_HEADER_TYPE || o == PCI_INTERRUPT_PIN ||
		    o == PCI_CAPABILITY_LIST)
			continue;
		dev->cfg[o] = data[i];
	}
	if (dev->cfg_written)
		dev->cfg_written(dev, off, size);
}

static void pci_config_io(void *opaque, uint16_t port, uint8_t *data,
			  unsigned int size, bool is_write)
{
	unsigned int slot, func, off;
	struct pci_device *dev = NULL;

	if (port == RST_CNT_PORT && size == 1) {
		reset_control_io(port, data, size, is_write);
		return;
	}
	pthread_mutex_lock(&pci_lock);
	if (port == PCI_CONFIG_ADDRESS) {
		if (size == 4) {
			if (is_write)
				memcpy(&config_address, data, 4);
			else
				memcpy(data, &config_address, 4);
		} else if (!is_write) {
			memset(data, 0xff, size);
		}
		goto out;
	}
	if (port < PCI_CONFIG_DATA) {
		if (!is_write)
			memset(data, 0xff, size);
		goto out;
	}
	slot = (config_address >> 11) & 0x1f;
	func = (config_address >> 8) & 0x7;
	off = (config_address & 0xfc) + (port - PCI_CONFIG_DATA);
	if ((config_address & PCI_CONFIG_ENABLE) &&
	    !((config_address >> 16) & 0xff) && !func && slot < nr_devices)
		dev = devices[slot];
	if (!dev || off + size > PCI_CFG_SIZE) {
		if (!is_write)
			memset(data, 0xff, size);
		goto out;
	}
	if (is_write)
		cfg_write(dev, off, data, size);
	else
		memcpy(data, dev->cfg + off, size);
out:
	pthread_mutex_unlock(&pci_lock);
}

static void pci_mmio(void *opaque, uint64_t offset, uint8_t *data,
		     unsigned int size, bool is_write)
{
	uint64_t addr = window_gpa + offset;
	struct pci_device *dev;
	unsigned int i, bar;
	uint32_t base;

	pthread_mutex_lock(&pci_lock);
	for (i = 0; i < nr_devices; i++) {
		dev = devices[i];
		if (!(pci_cfg_get16(dev, PCI_COMMAND) & PCI_COMMAND_MEMORY))
			continue;
		for (bar = 0; bar < PCI_NR_BARS; bar++) {
			if (!dev->bar_size[bar])
				continue;
			base = bar_addr(dev, bar);
			if (addr < base || addr - base >= dev->bar_size[bar])
				continue;
			pthread_mutex_unlock(&pci_lock);
			/* The device does its own locking. */
			dev->bar_fn[bar](dev->opaque, addr - base, data, size,
					 is_write);
			return;
		}
	}
	pthread_mutex_unlock(&pci_lock);
	if (!is_write)
		memset(data, 0xff, size);
}

int pci_register(struct pci_device *dev)
{
	unsigned int bar;

	if (nr_devices == PCI_MAX_DEVICES)
		return -1;
	for (bar = 0; bar < PCI_NR_BARS; bar++) {
		uint32_t size = dev->bar_size[bar];

		if (!size)
			continue;
		/* Natural alignment, as BAR sizing implies. */
		next_bar_gpa = (next_bar_gpa + size - 1) & ~(uint64_t)(size - 1);
		if (next_bar_gpa + size > window_gpa + window_size)
			return -1;
		pci_cfg_put32(dev, PCI_BASE_ADDRESS_0 + 4 * bar,
			      next_bar_gpa | PCI_BASE_ADDRESS_SPACE_MEMORY |
			      PCI_BASE_ADDRESS_MEM_TYPE_32);
		next_bar_gpa += size;
	}
	devices[nr_devices++] = dev;
	return 0;
}

int pci_init(uint64_t mmio_gpa, uint64_t mmio_size)
{
	/* Nothing else may decode there: RAM, IOAPIC, LAPIC, KVM's pages. */
	if (mmio_gpa < MMIO_HOLE_GPA || mmio_gpa + mmio_size > IOAPIC_GPA ||
	    !mmio_size) {
		fprintf(stderr, "ssi-vmm: PCI memory window 0x%llx+0x%llx is not inside 0x%llx-0x%llx\n",
			(unsigned long long)mmio_gpa,
			(unsigned long long)mmio_size,
			(unsigned long long)MMIO_HOLE_GPA,
			(unsigned long long)IOAPIC_GPA - 1);
		return -1;
	}
	window_gpa = mmio_gpa;
	next_bar_gpa = mmio_gpa;
	window_size = mmio_size;

	pci_cfg_put16(&host_bridge, PCI_VENDOR_ID, HOST_BRIDGE_VENDOR);
	pci_cfg_put16(&host_bridge, PCI_DEVICE_ID, HOST_BRIDGE_DEVICE);
	pci_cfg_put16(&host_bridge, PCI_CLASS_DEVICE, PCI_CLASS_BRIDGE_HOST);
	host_bridge.cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	if (pci_register(&host_bridge) < 0 ||
	    ioport_register(PCI_CONFIG_ADDRESS, 8, pci_config_io, NULL) < 0)
		return -1;
	return mmio_register(window_gpa, window_size, pci_mmio, NULL);
}
