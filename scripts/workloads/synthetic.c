/*
 * synthetic — drives the recorder's capacity benchmark. The recorder, started with
 * --synthetic-producer PID, loads a program that emits 256 records (mmap, mprotect,
 * munmap sizes in turn) for every getppid(2) this process makes. This program waits
 * for one line on stdin (so the recorder can attach first), then makes getppid calls
 * paced to RATE records/s for SECONDS, and prints on stdout:
 *   calls=N records=256N seconds=S records_per_s=R
 * Usage: synthetic RATE SECONDS
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PER_CALL 256

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: synthetic RATE SECONDS\n");
		return 2;
	}
	double rate = atof(argv[1]), secs = atof(argv[2]);
	char line[16];
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	double start = now(), end = start + secs;
	long calls = 0;
	for (;;) {
		double t = now();
		if (t >= end)
			break;
		/* Pace: the calls due by now at RATE records/s, in bursts of up to 64 calls. */
		long due = (long)((t - start) * rate / PER_CALL) + 1;
		if (calls >= due) {
			struct timespec pause = {0, 200000};
			nanosleep(&pause, NULL);
			continue;
		}
		for (int i = 0; i < 64 && calls < due; i++) {
			syscall(SYS_getppid);
			calls++;
		}
	}
	double took = now() - start;
	printf("calls=%ld records=%ld seconds=%.3f records_per_s=%.0f\n", calls, calls * PER_CALL, took, calls * PER_CALL / took);
	return 0;
}
