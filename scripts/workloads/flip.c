/*
 * flip: code that becomes executable only after it is written, the way a loader stages it in a memfd without
 * writing it through a file descriptor: each child maps a memfd writable (MAP_SHARED), fills it through the
 * mapping, closes the descriptor, makes the mapping executable with mprotect, lives LIVE_US microseconds more
 * and exits. The mmap had no PROT_EXEC, so the recorder learns that the file is executable code only from the
 * mprotect; it must still hash the bytes. The last argument says who makes what executable:
 *   whole   the child, the whole mapping (the default);
 *   inside  the child, only the mapping's second page, the way a loader flips just the code pages of what it
 *           staged: the mprotect starts inside the mapping;
 *   thread  a second thread of the child, the whole mapping (the thread that mapped it did not);
 *   fork    a child of the child, the whole mapping, in the copy of the address space it inherited; it is the
 *           process that lives on, while the child waits for it;
 *   far     the child, one page 4 MiB + 64 KiB into a mapping of over 5 MiB (beyond what the recorder's table of
 *           file mappings covers: only the kernel's hold request leads to the file);
 *   named   the child, the whole mapping, of a named file DIR/flip-N instead of a memfd, mapped shared; the file is
 *           unlinked right after the mprotect.
 *
 *   flip DIR CHILDREN LIVE_US [whole|inside|thread|fork|far|named]
 *
 * Runs the children one after the other and prints one line per child once it has been reaped, PID being the
 * process that made the mapping executable:
 *   flip pid=PID ino=INODE size=SIZE seed=SEED
 * The bytes are content(seed, size) of shortlived.h (the test computes them).
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

struct flip {
	unsigned char *p;
	size_t size;
};

static void *flip_whole(void *arg)
{
	struct flip *f = arg;
	if (mprotect(f->p, f->size, PROT_READ | PROT_EXEC) != 0)
		die("mprotect");
	return NULL;
}

static const char *const modes[] = {"whole", "inside", "thread", "fork", "far", "named"};

int main(int argc, char **argv)
{
	const char *mode = argc == 5 ? argv[4] : "whole";
	int known = 0;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		known |= strcmp(mode, modes[i]) == 0;
	if ((argc != 4 && argc != 5) || !known) {
		fprintf(stderr, "usage: flip DIR CHILDREN LIVE_US [whole|inside|thread|fork|far|named]\n");
		return 2;
	}
	int children = atoi(argv[2]);
	long live_us = atol(argv[3]);
	for (int c = 0; c < children; c++) {
		uint64_t seed = 2000 + (uint64_t)c;
		size_t size = 30000 + (size_t)c * 1000; /* not page-aligned: the file's size, not the mapping's, is hashed */
		if (strcmp(mode, "far") == 0)
			size += 5 << 20;
		int pipefd[2];
		pid_t pid = spawn_child(pipefd);
		if (pid == 0) {
			int named = strcmp(mode, "named") == 0;
			char path[4096];
			snprintf(path, sizeof(path), "%s/flip-%d", argv[1], c);
			int fd = named ? open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : memfd_create("flip", MFD_CLOEXEC);
			if (fd < 0)
				die(named ? "open" : "memfd_create");
			if (ftruncate(fd, (off_t)size) != 0)
				die("ftruncate");
			unsigned char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED)
				die("mmap");
			content(seed, p, size); /* written through the mapping, never through the descriptor */
			struct stat st;
			if (fstat(fd, &st) != 0)
				die("fstat");
			close(fd);
			struct flip f = {p, size};
			long page = sysconf(_SC_PAGESIZE);
			int inside = strcmp(mode, "inside") == 0, far = strcmp(mode, "far") == 0;
			if (inside || far) { /* one page: the second, or one 4 MiB + 64 KiB in */
				size_t at = inside ? (size_t)page : (4 << 20) + (64 << 10);
				if (mprotect(p + at, (size_t)page, PROT_READ | PROT_EXEC) != 0)
					die("mprotect");
			} else if (strcmp(mode, "thread") == 0) {
				pthread_t t;
				int err = pthread_create(&t, NULL, flip_whole, &f);
				if (err != 0 || (err = pthread_join(t, NULL)) != 0) {
					errno = err;
					die("pthread");
				}
			} else if (strcmp(mode, "fork") == 0) {
				pid_t g = fork();
				if (g < 0)
					die("fork");
				if (g == 0) {
					flip_whole(&f);
					child_lives_on(pipefd[1], (unsigned long long)st.st_ino, live_us);
				}
				int status;
				if (waitpid(g, &status, 0) != g || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
					_exit(2);
				_exit(0);
			} else {
				flip_whole(&f);
			}
			if (named && unlink(path) != 0)
				die("unlink");
			child_lives_on(pipefd[1], (unsigned long long)st.st_ino, live_us);
		}
		pid_t flipper = 0;
		unsigned long long ino = reap_child(pid, pipefd[0], &flipper);
		if (ino == 0)
			return 1;
		printf("flip pid=%d ino=%llu size=%zu seed=%llu\n", (int)flipper, ino, size, (unsigned long long)seed);
		fflush(stdout);
	}
	return 0;
}
