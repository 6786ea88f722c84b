/*
 * fexec: fileless execution, the way droppers run a stage they never write to disk: each child copies BINARY into
 * a memfd (plus a few bytes of its own, so that every copy is a distinct file), and runs it with fexecve. The stage
 * exits soon (see below), and once it is gone nothing on the host leads to those bytes. The recorder must still
 * hash each one.
 *
 *   fexec DIR CHILDREN BINARY [ARG...]
 *
 * The stage runs with argv "stage" ARG...: /bin/sleep 0.1 lives 100 ms, /bin/true about a millisecond.
 * Runs the children one after the other and prints one line per child once it has been reaped:
 *   fexec pid=PID ino=INODE size=SIZE tail=TAIL
 * The memfd holds BINARY's bytes followed by the TAIL's characters (no newline).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
	fprintf(stderr, "fexec: %s: %s\n", what, strerror(errno));
	_exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: fexec DIR CHILDREN BINARY [ARG...]\n");
		return 2;
	}
	int children = atoi(argv[2]);
	const char *binary = argv[3];
	for (int c = 0; c < children; c++) {
		int src = open(binary, O_RDONLY | O_CLOEXEC);
		if (src < 0)
			die("open binary");
		int fd = memfd_create("stage", 0); /* no MFD_CLOEXEC: fexecve of a script would need the fd; a binary does not */
		if (fd < 0)
			die("memfd_create");
		char buf[65536];
		ssize_t n;
		while ((n = read(src, buf, sizeof(buf))) > 0) {
			if (write(fd, buf, (size_t)n) != n)
				die("write");
		}
		if (n < 0)
			die("read");
		close(src);
		char tail[64];
		int tlen = snprintf(tail, sizeof(tail), "mapscribe-fexec-%d-%d", (int)getpid(), c);
		if (write(fd, tail, (size_t)tlen) != tlen)
			die("write tail");
		struct stat st;
		if (fstat(fd, &st) != 0)
			die("fstat");
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			argv[3] = "stage"; /* argv[3..] is the stage's argv: "stage" ARG... */
			char *ev[] = {NULL};
			fexecve(fd, argv + 3, ev);
			die("fexecve");
		}
		close(fd);
		int status;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "fexec: child %d failed\n", (int)pid);
			return 1;
		}
		printf("fexec pid=%d ino=%llu size=%lld tail=%s\n", (int)pid, (unsigned long long)st.st_ino,
		       (long long)st.st_size, tail);
		fflush(stdout);
		/* A gap between children, so that each is its own race rather than a queue behind the last one. */
		struct timespec gap = {0, 20 * 1000 * 1000};
		nanosleep(&gap, NULL);
	}
	return 0;
}
