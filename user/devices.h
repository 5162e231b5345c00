/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SSI_VMM_DEVICES_H
#define SSI_VMM_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

struct vmm;

int reset_init(void);
void reset_control_io(uint16_t port, uint8_t *data, unsigned int size,
		      bool is_write);
int rtc_init(void);
int pci_init(uint64_t mmio_gpa, uint64_t mmio_size);
int virtio_blk_init(struct vmm *vmm, const char *spec);

#endif /* SSI_VMM_DEVICES_H */
