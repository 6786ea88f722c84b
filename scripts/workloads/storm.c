/*
 * storm — the mmap storm the benchmarks measure recorders against.
 *
 * Each iteration: mmap 4 KiB RW anonymous, write one byte, mprotect RX, munmap:
 * three syscalls. Runs for -n ITERATIONS or -d SECONDS, in -t THREADS threads.
 * With -f FILE the page is FILE's first page, mapped private (copy on write) instead
 * of anonymous memory: the recorder then names the file of every mmap.
 * With -s FILE the storm first maps FILE's first page shared and writable, once, and keeps it:
 * the recorder then marks the process as one that may stage code in a file, and looks up the
 * VMA of each mprotect that adds PROT_EXEC (the price a browser or a database pays).
 *
 * Every thread maps at its own address hint (STORM_BASE + thread * 1 MiB), so a
 * tracer's output can be filtered to exactly the storm's calls by address: the
 * "expected" count below is then exact, not "give or take the start-up mmaps
 * of the dynamic loader". Calls that did not land on the hint are counted too.
 *
 * Output on stdout, one line, key=value (the bench script parses it):
 *   iterations=N seconds=S iter_per_s=R syscalls=3N mmap=N mprotect=N munmap=N
 *   failed=F hint_misses=H threads=T base=0x... span=0x...
 * Progress and errors go to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define STORM_BASE 0x5ca100000000UL /* far from the heap, the libraries and the stacks */
#define STORM_SLOT 0x100000UL       /* 1 MiB of address space per thread */
#define PAGE 4096UL

static int map_fd = -1; /* -f FILE: map this file's first page; -1: anonymous memory */

struct worker {
	pthread_t thread;
	int index;
	long max_iterations;   /* 0: run until the deadline */
	double deadline;       /* CLOCK_MONOTONIC seconds; 0: no deadline */
	long iterations, mmaps, mprotects, munmaps, failed, hint_misses;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: not a syscall, does not disturb the count */
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	void *hint = (void *)(STORM_BASE + (unsigned long)w->index * STORM_SLOT);
	for (;;) {
		/* Check the clock every 64 iterations: cheap, and keeps the loop syscall-only. */
		if ((w->iterations & 63) == 0 && w->deadline > 0 && now() >= w->deadline)
			break;
		if (w->max_iterations > 0 && w->iterations >= w->max_iterations)
			break;
		char *p = mmap(hint, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | (map_fd < 0 ? MAP_ANONYMOUS : 0), map_fd, 0);
		w->mmaps++;
		if (p == MAP_FAILED) {
			w->failed++;
			w->iterations++;
			continue;
		}
		if ((void *)p != hint)
			w->hint_misses++;
		p[0] = 1; /* touch the page: a real fault, as a JIT or unpacker would cause */
		if (mprotect(p, PAGE, PROT_READ | PROT_EXEC) != 0)
			w->failed++;
		w->mprotects++;
		if (munmap(p, PAGE) != 0)
			w->failed++;
		w->munmaps++;
		w->iterations++;
	}
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: storm [-n ITERATIONS | -d SECONDS] [-t THREADS] [-f FILE] [-s FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long iterations = 0;
	double seconds = 0;
	int threads = 1, c;
	while ((c = getopt(argc, argv, "n:d:t:f:s:")) != -1) {
		switch (c) {
		case 's': {
			int fd = open(optarg, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
			if (fd < 0 || ftruncate(fd, PAGE) != 0) { perror(optarg); return 2; }
			if (mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED) { perror("storm: mmap -s"); return 2; }
			close(fd);
			break;
		}
		case 'f':
			map_fd = open(optarg, O_RDONLY | O_CLOEXEC);
			if (map_fd < 0) { perror(optarg); return 2; }
			break;
		case 'n': iterations = atol(optarg); break;
		case 'd': seconds = atof(optarg); break;
		case 't': threads = atoi(optarg); break;
		default: usage();
		}
	}
	if ((iterations <= 0 && seconds <= 0) || threads < 1 || threads > 256)
		usage();

	struct worker *ws = calloc(threads, sizeof *ws);
	if (!ws) { perror("storm: calloc"); return 1; }
	double start = now();
	for (int i = 0; i < threads; i++) {
		ws[i].index = i;
		ws[i].max_iterations = iterations;
		ws[i].deadline = seconds > 0 ? start + seconds : 0;
	}
	/* Thread 0 runs in main: the single-threaded storm makes no clone at all. */
	for (int i = 1; i < threads; i++) {
		int err = pthread_create(&ws[i].thread, NULL, run, &ws[i]);
		if (err) { fprintf(stderr, "storm: pthread_create: %s\n", strerror(err)); return 1; }
	}
	run(&ws[0]);
	for (int i = 1; i < threads; i++)
		pthread_join(ws[i].thread, NULL);
	double elapsed = now() - start;

	long it = 0, mm = 0, mp = 0, mu = 0, failed = 0, misses = 0;
	for (int i = 0; i < threads; i++) {
		it += ws[i].iterations; mm += ws[i].mmaps; mp += ws[i].mprotects; mu += ws[i].munmaps;
		failed += ws[i].failed; misses += ws[i].hint_misses;
	}
	printf("iterations=%ld seconds=%.6f iter_per_s=%.0f syscalls=%ld mmap=%ld mprotect=%ld munmap=%ld "
	       "failed=%ld hint_misses=%ld threads=%d base=0x%lx span=0x%lx pid=%d\n",
	       it, elapsed, it / elapsed, mm + mp + mu, mm, mp, mu, failed, misses, threads,
	       STORM_BASE, threads * STORM_SLOT, (int)getpid());
	return failed ? 1 : 0;
}
