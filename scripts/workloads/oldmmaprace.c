/*
 * oldmmaprace — 32-bit old_mmap calls (int 0x80, number 90: the six arguments in an array in the caller's memory) while
 * a second thread rewrites the array during the call: the kernel read the array first, then spends milliseconds
 * populating 64 MiB (MAP_POPULATE), and the recorder reads the array as the call returns. Two cases:
 *   anon   private anonymous RWX memory; the racer makes the array's prot RW (no W+E mapping, read so)
 *   memfd  a memfd mapped shared R-X; the racer adds MAP_ANONYMOUS to the array's flags (no file, read so)
 * Each is retried until the change lands inside the call (between the clock readings around it), at most MAX_TRIES
 * times; the kernel's mapping is read back from /proc/self/maps. One line per case, then the last line:
 *
 *   old_mmap case=<anon|memfd> ret=<hex> len=<n> maps=<perms> changed=1
 *   done tries=<n>
 *
 * Exits 3 when a case never counted.
 */
#define _GNU_SOURCE
#include "int80.h"
#include "racer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LEN (64L << 20)
#define MAX_TRIES 20

static unsigned int *args; /* below 4 GiB: int 0x80 passes 32-bit pointers */
static int memfd_case;

/* the racer's change (volatile: the store happens now): the anon case's prot says RW, the memfd case's flags anonymous */
static void rewrite_args(void)
{
	if (memfd_case)
		*(volatile unsigned int *)&args[3] = MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE;
	else
		*(volatile unsigned int *)&args[2] = PROT_READ | PROT_WRITE;
}

/* The permissions /proc/self/maps shows for the mapping at addr, or "?" */
static void perms_at(unsigned long addr, char out[5])
{
	char line[512];
	strcpy(out, "?");
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char p[5];
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 && lo <= addr && addr < hi) {
			strcpy(out, p);
			break;
		}
	}
	fclose(f);
}

/* Races one case until it counts; the number of tries, or 0 when none counted. */
static int race(int fd, const char *name, unsigned int prot, unsigned int flags, const char *expect)
{
	for (int tries = 1; tries <= MAX_TRIES; tries++) {
		args[0] = 0;
		args[1] = LEN;
		args[2] = prot;
		args[3] = flags;
		args[4] = (unsigned int)fd;
		args[5] = 0;
		racer_arm();
		long t0 = now_ns();
		long ret = int80(90, (long)args, 0, 0, 0, 0, 0);
		long t1 = now_ns();
		racer_wait(); /* the racer finishes its change before the next try */
		char perms[5];
		perms_at((unsigned long)ret, perms);
		if (ret > 0)
			int80(91, ret, LEN, 0, 0, 0, 0); /* munmap */
		if (ret > 0 && racer_within(t0, t1) && strcmp(perms, expect) == 0) {
			printf("old_mmap case=%s ret=%lx len=%ld maps=%s changed=1\n", name, (unsigned long)ret, LEN, perms);
			fflush(stdout);
			return tries;
		}
	}
	return 0;
}

int main(void)
{
	args = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (args == MAP_FAILED) { perror("mmap"); return 2; }
	int fd = memfd_create("oldmmaprace", 0);
	if (fd < 0 || ftruncate(fd, LEN)) { perror("memfd"); return 2; }
	if (racer_start(rewrite_args)) { perror("pthread_create"); return 2; }
	int anon = race(-1, "anon", PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, "rwxp");
	memfd_case = 1;
	int shared = race(fd, "memfd", PROT_READ | PROT_EXEC, MAP_SHARED | MAP_POPULATE, "r-xs");
	racer_stop();
	printf("done tries=%d\n", anon + shared);
	return anon && shared ? 0 : 3;
}
