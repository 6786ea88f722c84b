/*
 * oldmmaprace — a 32-bit old_mmap (int 0x80, number 90: its six arguments in an array in the caller's memory) of RWX
 * memory, while a second thread rewrites the array's prot to RW during the call: the kernel read the array first,
 * then spends milliseconds populating 64 MiB (MAP_POPULATE), and the recorder reads the array as the call returns.
 * Retried until the change lands inside the call (between the clock readings around it), at most MAX_TRIES times;
 * the kernel's protection is read back from /proc/self/maps. One line for the counted call, then the last line:
 *
 *   old_mmap ret=<hex> len=<n> maps=<rwxp...> changed=1
 *   done tries=<n>
 *
 * Exits 3 when no try counted.
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

/* the racer's change: the array's prot now says RW (volatile: the store happens now) */
static void hide_exec(void)
{
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

int main(void)
{
	args = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (args == MAP_FAILED) { perror("mmap"); return 2; }
	if (racer_start(hide_exec)) { perror("pthread_create"); return 2; }
	int tries = 0, counted = 0;
	while (!counted && tries < MAX_TRIES) {
		tries++;
		args[0] = 0;
		args[1] = LEN;
		args[2] = PROT_READ | PROT_WRITE | PROT_EXEC;
		args[3] = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE;
		args[4] = (unsigned int)-1;
		args[5] = 0;
		racer_arm();
		long t0 = now_ns();
		long ret = int80(90, (long)args, 0, 0, 0, 0, 0);
		long t1 = now_ns();
		racer_wait(); /* the racer finishes its change before the next try */
		char perms[5];
		perms_at((unsigned long)ret, perms);
		if (ret > 0 && racer_within(t0, t1) && strcmp(perms, "rwxp") == 0) {
			counted = 1;
			printf("old_mmap ret=%lx len=%ld maps=%s changed=1\n", (unsigned long)ret, LEN, perms);
			fflush(stdout);
		}
		if (ret > 0)
			int80(91, ret, LEN, 0, 0, 0, 0); /* munmap */
	}
	racer_stop();
	printf("done tries=%d\n", tries);
	return counted ? 0 : 3;
}
