/*
 * writes — a write storm: write(2) of one byte to /dev/null, as fast as one thread can, for -d SECONDS. The
 * recorder looks at the file of every write of the host (is it a process's memory file?), so this is the price a
 * write-heavy process pays for that: scripts/bench-recorder-ab with BENCH_WORKLOAD=writes.
 * Output on stdout, one line, as storm.c's: iterations=N seconds=S iter_per_s=R
 * (-t is accepted for storm.c's command line; only 1 thread runs.)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include "onethread.h"

int main(int argc, char **argv)
{
	double seconds = seconds_arg(argc, argv, "writes");
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0) { perror("/dev/null"); return 1; }
	char b = 0;
	long n = 0, failed = 0;
	double start = now(), deadline = start + seconds;
	for (;;) {
		if ((n & 255) == 0 && now() >= deadline)
			break;
		if (write(fd, &b, 1) != 1)
			failed++;
		n++;
	}
	double elapsed = now() - start;
	printf("iterations=%ld seconds=%.3f iter_per_s=%.0f failed=%ld\n", n, elapsed, n / elapsed, failed);
	return failed != 0;
}
