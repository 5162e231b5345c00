// SPDX-License-Identifier: GPL-2.0
/*
 * How a running VM ends.  Any thread (a vCPU seeing a reset or power-off,
 * the terminal seeing Ctrl-A x) asks; the main thread waits and decides
 * what the process does.  The first request wins.
 */
#include <pthread.h>

#include "vmm.h"

static pthread_mutex_t exit_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t exit_cond = PTHREAD_COND_INITIALIZER;
static int exit_requested;
static enum vm_exit_reason exit_reason;

void vm_request_exit(enum vm_exit_reason reason)
{
	pthread_mutex_lock(&exit_lock);
	if (!exit_requested) {
		exit_requested = 1;
		exit_reason = reason;
		pthread_cond_signal(&exit_cond);
	}
	pthread_mutex_unlock(&exit_lock);
}

int vm_wait_exit(struct vmm *vmm)
{
	enum vm_exit_reason reason;

	pthread_mutex_lock(&exit_lock);
	while (!exit_requested)
		pthread_cond_wait(&exit_cond, &exit_lock);
	reason = exit_reason;
	pthread_mutex_unlock(&exit_lock);
	return reason;
}
