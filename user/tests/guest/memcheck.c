// SPDX-License-Identifier: GPL-2.0
/*
 * memcheck: a guest memory checker for ssi-vmm's VM tests.  Runs as root
 * inside the nested guest; built static at test time.
 *
 * Fills MiB of memory with a pattern that depends on each word's address
 * and a seed, reads it all back, repeats with the inverted seed (so every
 * bit is seen both ways), and reports through /proc/self/pagemap how much
 * of it sits above 4G guest-physical, which is the second memslot, and
 * with SPLIT how much at or above SPLIT MiB guest-physical (the memory of
 * a second NUMA node, say).
 *
 * Usage: memcheck MIB [SPLIT]
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>

#define PAGE_SIZE	4096UL
#define PFN_MASK	((1ULL << 55) - 1)
#define PAGE_PRESENT	(1ULL << 63)

static uint64_t pattern(uint64_t i, uint64_t seed)
{
	return (i * 0x9e3779b97f4a7c15ULL) ^ seed;
}

static long check(uint64_t *mem, size_t words, uint64_t seed)
{
	size_t i;

	for (i = 0; i < words; i++)
		mem[i] = pattern(i, seed);
	for (i = 0; i < words; i++)
		if (mem[i] != pattern(i, seed))
			return (long)i;
	return -1;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 64;
	uint64_t split = argc > 2 ? strtoull(argv[2], NULL, 0) << 20 : 0;
	unsigned long above_split = 0;
	size_t len = mib << 20, words = len / 8, pages = len / PAGE_SIZE, p;
	uint64_t *mem, seeds[2] = { 0x5a5a5a5a12345678ULL };
	unsigned long high = 0, missing = 0;
	long bad;
	int fd, s;

	seeds[1] = ~seeds[0];
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED) {
		perror("memcheck: mmap");
		return 1;
	}
	for (s = 0; s < 2; s++) {
		bad = check(mem, words, seeds[s]);
		if (bad >= 0) {
			printf("GUEST: memcheck FAILED at word %ld: 0x%llx, want 0x%llx\n",
			       bad, (unsigned long long)mem[bad],
			       (unsigned long long)pattern(bad, seeds[s]));
			return 1;
		}
	}
	fd = open("/proc/self/pagemap", O_RDONLY);
	for (p = 0; fd >= 0 && p < pages; p++) {
		uint64_t entry;
		off_t off = ((uintptr_t)mem / PAGE_SIZE + p) * 8;

		if (pread(fd, &entry, 8, off) != 8 || !(entry & PAGE_PRESENT)) {
			missing++;
			continue;
		}
		if ((entry & PFN_MASK) * PAGE_SIZE >= (1ULL << 32))
			high++;
		if (split && (entry & PFN_MASK) * PAGE_SIZE >= split)
			above_split++;
	}
	printf("GUEST: memcheck ok %zu MiB, %lu MiB of it above 4G", mib,
	       high * PAGE_SIZE >> 20);
	if (split)
		printf(", %lu MiB at or above %llu MiB", above_split * PAGE_SIZE >> 20,
		       (unsigned long long)(split >> 20));
	printf("%s\n", missing ? " (some pages not resident)" : "");
	return 0;
}
