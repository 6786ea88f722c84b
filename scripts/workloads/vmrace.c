/*
 * vmrace — writes into its own memory with process_vm_writev while a second thread rewrites the call's remote iovec
 * array during the copy, to check that the recorder names the range the kernel wrote, not the one the array names
 * when the call returns.
 *
 * Each try maps two fresh regions of SIZE bytes, "code" and "decoy", and copies SIZE bytes of 'X' into code with
 * process_vm_writev(getpid(), local, 1, remote, 1, 0), remote[0] = {code, SIZE}. In a racing try the second thread,
 * woken just before the call, waits RACE_DELAY_US (the kernel reads the array at once, then spends tens of
 * milliseconds faulting in and filling code) and points remote[0] at decoy. A try counts when the kernel wrote code
 * (its last byte is 'X', decoy's first is not) and the change landed inside the call (between the clock readings
 * around it); tries repeat until one counts, at most MAX_TRIES. One line per counted call, then the last line:
 *
 *   vm_writev addr=<hex> len=<n> ret=<n> changed=<0|1>
 *   done tries=<n>
 *
 * addr is where the kernel wrote; changed=1 when the array named decoy as the call returned. The first call is a
 * plain one (no race), the second a racing one. Exits 3 when no racing try counted.
 */
#define _GNU_SOURCE
#include "racer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>

#define SIZE (64L << 20)
#define MAX_TRIES 20

static struct iovec remote[1];
static void *decoy;

/* the racer's change: the remote iovec now names the decoy (volatile: the store happens now) */
static void point_at_decoy(void)
{
	*(void *volatile *)&remote[0].iov_base = decoy;
}

static void *fresh(void)
{
	void *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) { perror("mmap"); exit(2); }
	return p;
}

/* One try; returns 1 when it counted (and logs it). */
static int try_once(char *src, int race)
{
	char *code = fresh();
	decoy = fresh();
	remote[0].iov_base = code;
	remote[0].iov_len = SIZE;
	struct iovec local = { src, SIZE };
	if (race)
		racer_arm();
	long t0 = now_ns();
	ssize_t ret = process_vm_writev(getpid(), &local, 1, remote, 1, 0);
	long t1 = now_ns();
	racer_wait(); /* the racer finishes its change before the next try */
	int wrote_code = ret == SIZE && code[SIZE - 1] == 'X' && ((char *)decoy)[0] == 0;
	int counted = wrote_code && (!race || racer_within(t0, t1));
	if (counted) {
		printf("vm_writev addr=%lx len=%ld ret=%zd changed=%d\n", (unsigned long)code, SIZE, ret, race);
		fflush(stdout);
	}
	munmap(code, SIZE);
	munmap(decoy, SIZE);
	return counted;
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	char *src = fresh();
	memset(src, 'X', SIZE);
	if (racer_start(point_at_decoy)) { perror("pthread_create"); return 2; }
	if (!try_once(src, 0)) { fprintf(stderr, "vmrace: the plain call failed\n"); return 2; }
	int tries = 0, counted = 0;
	while (!counted && tries < MAX_TRIES) {
		tries++;
		counted = try_once(src, 1);
	}
	racer_stop();
	printf("done tries=%d\n", tries);
	return counted ? 0 : 3;
}
