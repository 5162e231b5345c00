/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SSI_VMM_DEVICES_H
#define SSI_VMM_DEVICES_H

int reset_init(void);
int rtc_init(void);

#endif /* SSI_VMM_DEVICES_H */
