/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SSI_VMM_TERM_H
#define SSI_VMM_TERM_H

/* Puts a tty stdin in raw mode, restored on every way out. */
int term_init(void);
void term_restore(void);
/* Starts the thread that feeds stdin to the UART (Ctrl-A x quits). */
int term_start_input(void);

#endif /* SSI_VMM_TERM_H */
