/*
 * forks.c — address spaces shared and copied: a thread changes its process's map, a forked child changes
 * its copy only, a vfork child execs without touching its parent's map. /proc/self/maps is dumped at
 * checkpoints by whichever process the checkpoint is about (one process at a time: the parent waits).
 *
 * Output, on stdout only (same format as regions.c, with the pid on each checkpoint):
 *   PID <pid>                                   the parent
 *   CHECKPOINT <n> <label> <monotonic ns> <pid>
 *   <the lines of /proc/self/maps of that pid>
 *   END <n>
 *   EXPECT mem_prot_alert <addr hex> <len> <alert string>
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "checkpoint.h"

#define P 4096UL

static char *area;   /* 4 pages RW, made by the main thread */
static char *jit;    /* 2 pages RWX, made by the second thread */

static void *thread_main(void *arg)
{
	(void)arg;
	jit = mmap(NULL, 2 * P, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (jit == MAP_FAILED)
		die("mmap in thread");
	emit("EXPECT mem_prot_alert %lx %lu Mmaped region with W+E permissions!\n", (unsigned long)jit, 2 * P);
	if (mprotect(area + P, P, PROT_READ | PROT_EXEC) != 0)
		die("mprotect in thread");
	emit("EXPECT mem_prot_alert %lx %lu Protection changed to Executable!\n", (unsigned long)(area + P), P);
	return NULL;
}

int main(void)
{
	emit("PID %d\n", (int)getpid());
	checkpoint(0, "start");

	area = mmap(NULL, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		die("mmap");
	memset(area, 1, 4 * P);

	/* 1. A thread shares the address space: its calls change the process's map. */
	pthread_t t;
	if (pthread_create(&t, NULL, thread_main, NULL) != 0)
		die("pthread_create");
	if (pthread_join(t, NULL) != 0)
		die("pthread_join");
	checkpoint(1, "after-thread");

	/*
	 * 2. A forked child changes its copy only. What the parent marked MADV_DONTFORK is not copied at all: the
	 * middle page of `kept` is a hole in the child's map.
	 */
	char *kept = mmap(NULL, 3 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (kept == MAP_FAILED || madvise(kept + P, P, MADV_DONTFORK) != 0)
		die("mmap, madvise");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (munmap(area, P) != 0)
			die("munmap in child");
		if (mprotect(jit, 2 * P, PROT_READ) != 0)
			die("mprotect in child");
		checkpoint(2, "child");
		_exit(0);
	}
	int status;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("child");
	checkpoint(3, "parent-after-child");

	/* 3. A vfork child shares the map until it execs: the parent's map stays as it was. */
	pid_t v = vfork();
	if (v < 0)
		die("vfork");
	if (v == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (waitpid(v, &status, 0) != v || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("vfork child");
	checkpoint(4, "parent-after-vfork");
	return 0;
}
