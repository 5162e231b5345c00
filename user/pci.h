/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SSI_VMM_PCI_H
#define SSI_VMM_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "ioport.h"

#define PCI_CFG_SIZE		256
#define PCI_MAX_DEVICES		32	/* bus 0 only */
#define PCI_NR_BARS		6

/*
 * A PCI function on bus 0.  Its config space is plain bytes that the
 * device fills in; the bus handles the command register and BAR sizing
 * and placement, and routes MMIO to a BAR's handler while memory decoding
 * is on.
 */
struct pci_device {
	uint8_t cfg[PCI_CFG_SIZE];
	uint32_t bar_size[PCI_NR_BARS];	/* 0: no BAR; memory BARs only */
	mmio_fn bar_fn[PCI_NR_BARS];
	void *opaque;
	/* Called after the guest wrote config space (e.g. MSI-X enable). */
	void (*cfg_written)(struct pci_device *dev, unsigned int offset,
			    unsigned int size);
};

/* Adds a device at the next slot; BARs get addresses in the MMIO window. */
int pci_register(struct pci_device *dev);

static inline void pci_cfg_put16(struct pci_device *dev, unsigned int off,
				 uint16_t v)
{
	dev->cfg[off] = v;
	dev->cfg[off + 1] = v >> 8;
}

static inline void pci_cfg_put32(struct pci_device *dev, unsigned int off,
				 uint32_t v)
{
	pci_cfg_put16(dev, off, v);
	pci_cfg_put16(dev, off + 2, v >> 16);
}

static inline uint16_t pci_cfg_get16(const struct pci_device *dev,
				     unsigned int off)
{
	return dev->cfg[off] | dev->cfg[off + 1] << 8;
}

static inline uint32_t pci_cfg_get32(const struct pci_device *dev,
				     unsigned int off)
{
	return pci_cfg_get16(dev, off) | (uint32_t)pci_cfg_get16(dev, off + 2)
					 << 16;
}

#endif /* SSI_VMM_PCI_H */
