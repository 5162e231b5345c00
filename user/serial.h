/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SSI_VMM_SERIAL_H
#define SSI_VMM_SERIAL_H

#include <stddef.h>

struct vmm;

int serial_init(struct vmm *vmm, int out_fd);
/* Bytes typed on the host terminal, for the guest to read. */
void serial_receive(const char *buf, size_t len);

#endif /* SSI_VMM_SERIAL_H */
