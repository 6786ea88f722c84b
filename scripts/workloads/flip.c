/*
 * flip: code that becomes executable only after it is written, the way a loader stages it in a memfd without
 * writing it through a file descriptor: each child maps a memfd writable (MAP_SHARED), fills it through the
 * mapping, makes the mapping executable with mprotect, closes the descriptor, lives LIVE_US microseconds more
 * and exits. The mmap had no PROT_EXEC, so the recorder learns that the file is executable code only from the
 * mprotect; it must still hash the bytes. With "inside", only the mapping's second page is made executable, the
 * way a loader flips just the code pages of what it staged: the mprotect starts inside the mapping.
 *
 *   flip DIR CHILDREN LIVE_US [whole|inside]
 *
 * Runs the children one after the other and prints one line per child once it has been reaped:
 *   flip pid=PID ino=INODE size=SIZE seed=SEED
 * The bytes are content(seed, size) of shortlived.h (the test computes them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shortlived.h"

static void die(const char *what)
{
	fprintf(stderr, "flip: %s: %s\n", what, strerror(errno));
	_exit(2);
}

int main(int argc, char **argv)
{
	if (argc != 4 && !(argc == 5 && (strcmp(argv[4], "whole") == 0 || strcmp(argv[4], "inside") == 0))) {
		fprintf(stderr, "usage: flip DIR CHILDREN LIVE_US [whole|inside]\n");
		return 2;
	}
	int inside = argc == 5 && strcmp(argv[4], "inside") == 0;
	int children = atoi(argv[2]);
	long live_us = atol(argv[3]);
	for (int c = 0; c < children; c++) {
		uint64_t seed = 2000 + (uint64_t)c;
		size_t size = 30000 + (size_t)c * 1000; /* not page-aligned: the file's size, not the mapping's, is hashed */
		int pipefd[2];
		pid_t pid = spawn_child(pipefd);
		if (pid == 0) {
			int fd = memfd_create("flip", MFD_CLOEXEC);
			if (fd < 0)
				die("memfd_create");
			if (ftruncate(fd, (off_t)size) != 0)
				die("ftruncate");
			unsigned char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED)
				die("mmap");
			content(seed, p, size); /* written through the mapping, never through the descriptor */
			long page = sysconf(_SC_PAGESIZE);
			if (inside ? mprotect(p + page, (size_t)page, PROT_READ | PROT_EXEC) != 0
				   : mprotect(p, size, PROT_READ | PROT_EXEC) != 0)
				die("mprotect");
			struct stat st;
			if (fstat(fd, &st) != 0)
				die("fstat");
			close(fd);
			child_lives_on(pipefd[1], (unsigned long long)st.st_ino, live_us);
		}
		unsigned long long ino = reap_child(pid, pipefd[0]);
		if (ino == 0)
			return 1;
		printf("flip pid=%d ino=%llu size=%zu seed=%llu\n", (int)pid, ino, size, (unsigned long long)seed);
		fflush(stdout);
	}
	return 0;
}
