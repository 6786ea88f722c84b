/*
 * flash: short-lived processes that map code nobody can read afterwards. Each child puts its bytes into a
 * memfd (children 0, 3, 6, ...), into a file in DIR that it unlinks before mapping it (1, 4, ...), or into a file
 * in DIR that it unlinks right after mapping it (2, 5, ...: a dropper deleting its stage once it runs), maps it
 * PROT_READ|PROT_EXEC, closes the descriptor, lives LIVE_US microseconds more and exits: the mapping was the
 * only way to the bytes, and it is gone with the process. The recorder's enricher must still hash them.
 *
 *   flash DIR CHILDREN LIVE_US [BALLAST_MB]
 *
 * BALLAST_MB (default 0) first maps a named file of that size executable and keeps it mapped: hashing it keeps
 * the recorder's enricher busy while the children come and go.
 * Runs the children one after the other and prints one line per child once it has been reaped:
 *   flash kind=memfd|unlinked|late pid=PID ino=INODE size=SIZE seed=SEED
 * The bytes are content(seed, size) of shortlived.h: the test computes the same bytes and their SHA-256.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
	fprintf(stderr, "flash: %s: %s\n", what, strerror(errno));
	_exit(2);
}

static void write_all(int fd, const unsigned char *buf, size_t size)
{
	while (size > 0) {
		ssize_t n = write(fd, buf, size);
		if (n < 0)
			die("write");
		buf += n;
		size -= (size_t)n;
	}
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: flash DIR CHILDREN LIVE_US [BALLAST_MB]\n");
		return 2;
	}
	const char *dir = argv[1];
	int children = atoi(argv[2]);
	long live_us = atol(argv[3]);
	long ballast_mb = argc == 5 ? atol(argv[4]) : 0;
	if (ballast_mb > 0) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/ballast", dir);
		int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
		if (fd < 0)
			die("open ballast");
		size_t chunk = 1 << 20;
		unsigned char *buf = malloc(chunk);
		if (!buf)
			die("malloc");
		for (long i = 0; i < ballast_mb; i++) {
			content((uint64_t)i, buf, chunk); /* not zeros: no file system may store it sparse */
			write_all(fd, buf, chunk);
		}
		free(buf);
		if (mmap(NULL, (size_t)ballast_mb << 20, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0) == MAP_FAILED)
			die("mmap ballast");
		close(fd);
	}
	for (int c = 0; c < children; c++) {
		uint64_t seed = 1000 + (uint64_t)c;
		size_t size = 40000 + (size_t)c * 1000; /* not page-aligned: the file's size, not the mapping's, is hashed */
		int memfd = c % 3 == 0, late = c % 3 == 2; /* late: unlinked after the mapping, not before */
		int pipefd[2];
		pid_t pid = spawn_child(pipefd);
		if (pid == 0) {
			unsigned char *buf = malloc(size);
			if (!buf)
				die("malloc");
			content(seed, buf, size);
			int fd;
			char path[4096];
			if (memfd) {
				fd = memfd_create("flash", MFD_CLOEXEC);
				if (fd < 0)
					die("memfd_create");
			} else {
				snprintf(path, sizeof(path), "%s/flash-%d", dir, c);
				fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
				if (fd < 0)
					die("open");
			}
			write_all(fd, buf, size);
			struct stat st;
			if (fstat(fd, &st) != 0)
				die("fstat");
			if (!memfd && !late && unlink(path) != 0) /* run from a deleted file: nameless when mapped */
				die("unlink");
			if (mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0) == MAP_FAILED)
				die("mmap");
			if (late && unlink(path) != 0) /* named when mapped: the record carries a path that soon leads nowhere */
				die("unlink");
			close(fd);
			child_lives_on(pipefd[1], (unsigned long long)st.st_ino, live_us);
		}
		unsigned long long ino = reap_child(pid, pipefd[0], NULL);
		if (ino == 0)
			return 1;
		printf("flash kind=%s pid=%d ino=%llu size=%zu seed=%llu\n", memfd ? "memfd" : late ? "late" : "unlinked", (int)pid, ino,
		       size, (unsigned long long)seed);
		fflush(stdout);
	}
	return 0;
}
