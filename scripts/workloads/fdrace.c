/*
 * fdrace — maps one fd number while another thread keeps pointing it at other files, to check that the
 * recorder names the file that was really mapped, not whichever file the fd names when the call returns.
 *
 * Two files in DIR (argv[1]): "a" filled with 'a', "b" filled with 'b'. A second thread loops
 * dup2(fd_a, 100); dup2(fd_b, 100). The main thread maps fd 100 ITERATIONS times (argv[2]), reads the
 * first byte of each mapping (the file the kernel really mapped) and logs one line per successful call:
 *
 *   mmap addr=<hex> file=<a|b>
 *
 * then unmaps it. Failed calls (fd 100 closed for an instant by dup2) are counted on the last line:
 *   done maps=<n> failed=<n>
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define RACY_FD 100
#define PAGE 4096

static int fd_a, fd_b;
static atomic_int stop;

static int make(const char *dir, const char *name, char fill)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) { perror(path); exit(2); }
	char page[PAGE];
	memset(page, fill, sizeof(page));
	if (write(fd, page, sizeof(page)) != PAGE) { perror("write"); exit(2); }
	return fd;
}

static void *flip(void *unused)
{
	(void)unused;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		dup2(fd_a, RACY_FD);
		dup2(fd_b, RACY_FD);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3) { fprintf(stderr, "usage: fdrace DIR ITERATIONS\n"); return 2; }
	long n = atol(argv[2]);
	fd_a = make(argv[1], "a", 'a');
	fd_b = make(argv[1], "b", 'b');
	dup2(fd_a, RACY_FD);
	pthread_t t;
	if (pthread_create(&t, NULL, flip, NULL) != 0) { perror("pthread_create"); return 2; }
	long maps = 0, failed = 0;
	for (long i = 0; i < n; i++) {
		char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, RACY_FD, 0);
		if (p == MAP_FAILED) { failed++; continue; }
		printf("mmap addr=%lx file=%c\n", (unsigned long)p, p[0]);
		munmap(p, PAGE);
		maps++;
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("done maps=%ld failed=%ld\n", maps, failed);
	return 0;
}
