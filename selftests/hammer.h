/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Threads on several nodes hammering the same guest frames (the coherence
 * tests: remote_frames_test, msi3_test).  Every thread owns one 64-bit
 * slot per frame (slots 64 bytes apart) and writes increasing values into
 * it, each with a check derived from value and slot; on every pass it
 * checks that every word is well formed, that its own slot still holds
 * what it wrote last (no lost write) and that no other slot went
 * backwards (no stale read).  At the end every slot must hold its
 * writer's last value.  Include after harness.h.
 */
#ifndef _SSIHV_SELFTEST_HAMMER_H
#define _SSIHV_SELFTEST_HAMMER_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "../kmod/proto/wire.h"	/* ssihv_mix64() */

#define HAMMER_MAX_FRAMES	16
#define HAMMER_MAX_SLOTS	8

struct hammer {
	uint64_t *frames[HAMMER_MAX_FRAMES];	/* the frames' first words */
	unsigned int nr_frames, nr_slots;
	unsigned int slot;	/* this thread's */
	uint64_t ms;		/* how long */
	uint64_t iters;		/* the last value written */
	char error[200];
};

static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A slot's word: its value and a check derived from value and slot. */
static inline uint64_t slot_word(unsigned int slot, uint64_t v)
{
	return v ? (ssihv_mix64(v * 8 + slot) << 32) | v : 0;
}

/* pthread body: hammer until h->ms passed or something is wrong. */
static inline void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	uint64_t last[HAMMER_MAX_FRAMES][HAMMER_MAX_SLOTS] = {};
	uint64_t end = now_ms() + h->ms;
	unsigned int it, f, fi, s, me = h->slot;

	for (it = 1; now_ms() < end; it++) {
		h->iters = it;
		for (f = 0; f < h->nr_frames; f++) {
			uint64_t *w;

			fi = (f + me) % h->nr_frames;
			w = h->frames[fi];
			for (s = 0; s < h->nr_slots; s++) {
				uint64_t w64 = __atomic_load_n(&w[s * 8],
							       __ATOMIC_ACQUIRE);
				uint64_t v = (uint32_t)w64;

				if (w64 != slot_word(s, v)) {
					snprintf(h->error, sizeof(h->error),
						 "frame %u slot %u: bad word %#llx",
						 fi, s, (unsigned long long)w64);
					return NULL;
				}
				if (s == me ? v != last[fi][s] :
				    v < last[fi][s]) {
					snprintf(h->error, sizeof(h->error),
						 "frame %u slot %u: %llu after %llu",
						 fi, s, (unsigned long long)v,
						 (unsigned long long)last[fi][s]);
					return NULL;
				}
				last[fi][s] = v;
			}
			__atomic_store_n(&w[me * 8], slot_word(me, it),
					 __ATOMIC_RELEASE);
			last[fi][me] = it;
		}
	}
	return NULL;
}

/* Frames whose slot @s does not hold @final; -1 if every one does. */
static inline int hammer_check_final(const struct hammer *h, unsigned int s,
				     uint64_t final)
{
	unsigned int f;

	for (f = 0; f < h->nr_frames; f++)
		if (h->frames[f][s * 8] != slot_word(s, final))
			return (int)f;
	return -1;
}

#endif /* _SSIHV_SELFTEST_HAMMER_H */
