// SPDX-License-Identifier: GPL-2.0
/*
 * Per-instance statistics: per-CPU counters so that concurrent faults from
 * many vCPUs never share a cache line, summed when someone asks.
 */
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include <linux/ktime.h>

#include "ssihv.h"
#include "vm.h"

void ssihv_stats_fault(struct ssihv_vm *vm, enum ssihv_fault_kind kind,
		       u64 start_ns)
{
	u64 ns = ktime_get_ns() - start_ns;
	unsigned int bucket = ns ? ilog2(ns) : 0;

	this_cpu_inc(vm->stats->faults[kind]);
	this_cpu_inc(vm->stats->fault_ns_hist[min_t(unsigned int, bucket,
						    SSIHV_HIST_BUCKETS - 1)]);
}

void ssihv_stats_sum(struct ssihv_vm *vm, struct ssihv_vm_stats *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct ssihv_vm_stats *s = per_cpu_ptr(vm->stats, cpu);

		for (i = 0; i < SSIHV_NR_FAULT_KINDS; i++)
			sum->faults[i] += s->faults[i];
		sum->revoked += s->revoked;
		sum->served += s->served;
		sum->recalled += s->recalled;
		sum->invalidations += s->invalidations;
		sum->dropped += s->dropped;
		sum->migrations += s->migrations;
		for (i = 0; i < SSIHV_HIST_BUCKETS; i++)
			sum->fault_ns_hist[i] += s->fault_ns_hist[i];
	}
}
