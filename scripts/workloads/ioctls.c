/*
 * ioctls — an ioctl storm: ioctl(2) TCGETS on /dev/null (ENOTTY at once), as fast as one thread can, for -d SECONDS.
 * The recorder looks at every ioctl of the host (is it a userfaultfd fill?) as it begins and as it returns, so this is
 * the price an ioctl-heavy process pays for that: scripts/bench-recorder-ab with BENCH_WORKLOAD=ioctls.
 * Output on stdout, one line, as storm.c's: iterations=N seconds=S iter_per_s=R
 * (-t is accepted for storm.c's command line; only 1 thread runs.)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include "onethread.h"

int main(int argc, char **argv)
{
	double seconds = seconds_arg(argc, argv, "ioctls");
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0) { perror("/dev/null"); return 1; }
	struct termios t;
	long n = 0;
	double start = now(), deadline = start + seconds;
	for (;;) {
		if ((n & 255) == 0 && now() >= deadline)
			break;
		(void)ioctl(fd, TCGETS, &t); /* ENOTTY: /dev/null is no terminal */
		n++;
	}
	double elapsed = now() - start;
	printf("iterations=%ld seconds=%.3f iter_per_s=%.0f\n", n, elapsed, n / elapsed);
	return 0;
}
