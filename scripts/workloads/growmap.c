/*
 * growmap: maps PAGES pages one after the other, each right after the one before, so that its one anonymous
 * mapping grows a page at a time (adjacent private anonymous mappings of one protection are one VMA), and reads
 * CLOCK_MONOTONIC before each call. A reader of its /proc/PID/maps can then tell from that VMA's end how many of
 * the calls had changed the map when the reader looked, and from the log when the last of them began.
 * ProcSnapshotterTest checks the start-up snapshot's stamp with it: no change begun after a process's stamp may be
 * in that process's snapshot.
 *
 *   growmap PAGES
 *
 * Prints "base HEX" (where the mapping starts) before its first call, "done N" once N pages are mapped (it stops
 * at the first failure), then one line "NS" per call, the call's start in CLOCK_MONOTONIC ns, in order. Untouched
 * PROT_READ pages cost no memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: growmap PAGES\n");
		return 2;
	}
	long pages = atol(argv[1]);
	const size_t page = 4096;
	long long *begun = calloc(pages, sizeof *begun);
	/* A free range for all of them: reserved, then given back, so nothing else is placed there meanwhile
	 * (this process maps nothing else while it grows). */
	char *base = mmap(NULL, pages * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!begun || base == MAP_FAILED || munmap(base, pages * page)) {
		fprintf(stderr, "growmap: no room for %ld pages: %s\n", pages, strerror(errno));
		return 1;
	}
	printf("base %lx\n", (unsigned long)base);
	fflush(stdout);
	long n = 0;
	for (; n < pages; n++) {
		begun[n] = now_ns();
		void *p = mmap(base + n * page, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "growmap: page %ld: %s\n", n, strerror(errno));
			break;
		}
	}
	printf("done %ld\n", n);
	for (long i = 0; i < n; i++)
		printf("%lld\n", begun[i]);
	return 0;
}
