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
 * The bytes are content(seed, size) below: the test computes the same bytes and their SHA-256.
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

static void die(const char *what)
{
	fprintf(stderr, "flash: %s: %s\n", what, strerror(errno));
	_exit(2);
}

/* content(seed, size): xorshift64 bytes, the same generator as the test's. */
static void content(uint64_t seed, unsigned char *buf, size_t size)
{
	uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
	for (size_t i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (unsigned char)(x >> 24);
	}
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
		if (pipe(pipefd) != 0)
			die("pipe");
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(pipefd[0]);
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
			/* Tell the parent the inode before living on: the line must not depend on how long we live. */
			unsigned long long ino = (unsigned long long)st.st_ino;
			if (write(pipefd[1], &ino, sizeof(ino)) != (ssize_t)sizeof(ino))
				die("write pipe");
			struct timespec t = {live_us / 1000000, (live_us % 1000000) * 1000};
			nanosleep(&t, NULL);
			_exit(0);
		}
		close(pipefd[1]);
		unsigned long long ino = 0;
		if (read(pipefd[0], &ino, sizeof(ino)) != (ssize_t)sizeof(ino))
			die("read pipe");
		close(pipefd[0]);
		int status;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "flash: child %d failed\n", (int)pid);
			return 1;
		}
		printf("flash kind=%s pid=%d ino=%llu size=%zu seed=%llu\n", memfd ? "memfd" : late ? "late" : "unlinked", (int)pid, ino,
		       size, (unsigned long long)seed);
		fflush(stdout);
		/* A gap between children, so that each is its own race rather than a queue behind the last one. */
		struct timespec gap = {0, 20 * 1000 * 1000};
		nanosleep(&gap, NULL);
	}
	return 0;
}
