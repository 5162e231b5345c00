// SPDX-License-Identifier: GPL-2.0
/*
 * The host terminal as the guest's serial console.
 *
 * When stdin is a tty it goes to raw mode so that every key, Ctrl-C
 * included, reaches the guest; the old mode comes back at exit(), on fatal
 * signals and before a reboot re-exec.  Ctrl-A is the escape, as in qemu
 * -nographic: Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "serial.h"
#include "term.h"
#include "vmm.h"

#define ESCAPE_CHAR	0x01	/* Ctrl-A */

static struct termios saved_termios;
/* Set once, before any handler that reads it is installed. */
static int termios_saved;

void term_restore(void)
{
	if (termios_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
}

static void term_fatal_signal(int sig)
{
	term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

int term_init(void)
{
	static const int fatal_signals[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT,
					     SIGSEGV, SIGBUS, SIGABRT };
	struct termios raw;
	unsigned int i;

	if (!isatty(STDIN_FILENO))
		return 0;
	if (tcgetattr(STDIN_FILENO, &saved_termios) < 0)
		return 0;
	termios_saved = 1;
	atexit(term_restore);
	for (i = 0; i < ARRAY_SIZE(fatal_signals); i++)
		signal(fatal_signals[i], term_fatal_signal);

	raw = saved_termios;
	cfmakeraw(&raw);
	/* Keep output processing off too: the guest sends its own CRs. */
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0) {
		fprintf(stderr, "ssi-vmm: cannot set the terminal raw: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

static void *term_input_thread(void *arg)
{
	bool escaped = false;
	char in[256], out[512];

	for (;;) {
		ssize_t n = read(STDIN_FILENO, in, sizeof(in));
		size_t i, len = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;	/* EOF: the guest just gets no input */
		for (i = 0; i < (size_t)n; i++) {
			char c = in[i];

			if (escaped) {
				escaped = false;
				if (c == 'x' || c == 'X') {
					vm_request_exit(VM_EXIT_USER_QUIT);
					return NULL;
				}
				out[len++] = ESCAPE_CHAR;
				if (c == ESCAPE_CHAR)
					continue;
			} else if (c == ESCAPE_CHAR) {
				escaped = true;
				continue;
			}
			out[len++] = c;
		}
		if (len)
			serial_receive(out, len);
	}
}

int term_start_input(void)
{
	pthread_t thread;

	if (pthread_create(&thread, NULL, term_input_thread, NULL))
		return -1;
	pthread_detach(thread);
	return 0;
}
