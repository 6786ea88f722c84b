/*
 * uffdfill: code put into memory that was never writable, through a userfaultfd. An anonymous mapping made R-X (no W:
 * no "W+E" alert, no mprotect) is registered with a userfaultfd (user-mode faults only, which needs no privilege) and
 * filled with UFFDIO_COPY: the kernel maps the copied page with the mapping's own protection, so the bytes are
 * executable at once. No write of any kind the other paths record (ptrace, process_vm_writev, /proc/PID/mem) is made.
 *
 *   uffdfill
 *
 *   self   the process fills a page of its own and calls it;
 *   child  a forked child fills a page of its parent's: the userfaultfd it inherited stays bound to the address space
 *          that created it, so the child writes into its parent, which then calls the code;
 *   int80  the process fills a page of its own with a 32-bit ioctl (int 0x80, number 54: the compat ioctl passes
 *          userfaultfd's commands on, whose argument is the same struct in both modes; the struct below 4 GiB);
 *   race   the process fills 64 MiB of its own R-X memory while a second thread, a millisecond into the copy, points
 *          the argument's dst at a harmless page (racer.h): the kernel read dst at the start, so the argument read as
 *          the call returns names a page the call never filled. Tries (each on a fresh range) until the change lands
 *          inside the call, at most 5; the line has decoy=ADDR and tries=N;
 *   move-rx  the process moves a page of code (UFFDIO_MOVE, Linux 6.8) from an RW page of its own into a registered R-X
 *          one: the kernel refuses it (EINVAL: it moves pages only between writable mappings of one protection,
 *          validate_move_areas()), so the line has ret=-22 and result=refused;
 *   move   the same into a registered RW page, which the kernel does: result=moved once the code's bytes are there.
 *          UFFDIO_MOVE puts no bytes into memory that is not writable, and none from another address space (its source
 *          is in the userfaultfd's own), but a page's bytes changed all the same: a write, recorded as UFFDIO_COPY's.
 *
 * Prints "PID <pid>" first, then one line per case once the code has run (the NOTE lines of the analyzer's oracle
 * tests):
 *   NOTE uffdfill case=CASE pid=CALLER target=TARGET addr=A len=L ret=R done=D result=42
 * (CALLER made the UFFDIO_COPY ioctl, TARGET is the process whose page it filled, ret the ioctl's result, done the
 * bytes the kernel reports copied.) And one line per range registered with a userfaultfd, as it is registered:
 *   NOTE uffd-register pid=CALLER addr=A len=L
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "int80.h"
#include "racer.h"

#define PAGE 4096

/* UFFDIO_MOVE (Linux 6.8): Debian 12's headers predate it; the kernel's uapi layout */
#ifndef UFFDIO_MOVE
struct uffdio_move {
	__u64 dst;
	__u64 src;
	__u64 len;
	__u64 mode;
	__s64 move; /* bytes moved, or -errno */
};
#define UFFDIO_MOVE _IOWR(UFFDIO, 0x05, struct uffdio_move)
#endif
#define NR32_IOCTL 54

#if defined(__x86_64__)
static const unsigned char CODE[] = {0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3}; /* mov eax, 42; ret */
#else
#error "uffdfill.c has machine code for x86-64 only"
#endif

static void die(const char *what)
{
	fprintf(stderr, "uffdfill: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void note_registered(const void *addr, unsigned long len)
{
	printf("NOTE uffd-register pid=%d addr=%lu len=%lu\n", getpid(), (unsigned long)addr, len);
	fflush(stdout); /* before any fork */
}

/* An anonymous page of protection prot registered with a new userfaultfd (missing pages); the descriptor in *uffd. */
static unsigned char *registered_page(int prot, int *uffd)
{
	unsigned char *rx = mmap(NULL, PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rx == MAP_FAILED)
		die("mmap");
	*uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (*uffd < 0)
		die("userfaultfd");
	struct uffdio_api api = {.api = UFFD_API};
	if (ioctl(*uffd, UFFDIO_API, &api) != 0)
		die("UFFDIO_API");
	struct uffdio_register reg = {.range = {(uintptr_t)rx, PAGE}, .mode = UFFDIO_REGISTER_MODE_MISSING};
	if (ioctl(*uffd, UFFDIO_REGISTER, &reg) != 0)
		die("UFFDIO_REGISTER");
	note_registered(rx, PAGE);
	return rx;
}

/*
 * UFFDIO_COPY of the code into dst (by the 64-bit ioctl, or with int80 by the 32-bit one); returns the ioctl's result
 * (-errno when it failed) and puts what the kernel reports copied in *done.
 */
static int fill(int uffd, unsigned char *dst, long *done, int int80_call)
{
	static unsigned char src[PAGE] __attribute__((aligned(PAGE)));
	memcpy(src, CODE, sizeof(CODE));
	/* below 4 GiB, for the 32-bit call's pointer (MAP_32BIT); a page of its own either way */
	struct uffdio_copy *copy = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (copy == MAP_FAILED)
		die("mmap MAP_32BIT");
	*copy = (struct uffdio_copy){.dst = (uintptr_t)dst, .src = (uintptr_t)src, .len = PAGE, .mode = 0};
	int ret;
	if (int80_call) {
		long r = int80(NR32_IOCTL, uffd, UFFDIO_COPY, (long)(uintptr_t)copy, 0, 0, 0);
		ret = r < 0 ? (int)r : 0;
	} else {
		ret = ioctl(uffd, UFFDIO_COPY, copy) == 0 ? 0 : -errno;
	}
	*done = (long)copy->copy;
	munmap(copy, PAGE);
	return ret;
}

/* UFFDIO_MOVE of a page of code (from an RW page of the caller's) to dst; the ioctl's result or -errno, *done as copy's */
static int move(int uffd, unsigned char *dst, long *done)
{
	unsigned char *src = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED)
		die("mmap");
	memcpy(src, CODE, sizeof(CODE));
	struct uffdio_move arg = {.dst = (uintptr_t)dst, .src = (uintptr_t)src, .len = PAGE, .mode = 0};
	int ret = ioctl(uffd, UFFDIO_MOVE, &arg) == 0 ? 0 : -errno;
	*done = (long)arg.move;
	munmap(src, PAGE);
	return ret;
}

#define RACE_LEN (64u << 20)
static struct uffdio_copy *race_arg;
static unsigned char *race_decoy;

static void point_at_decoy(void)
{
	race_arg->dst = (uintptr_t)race_decoy;
}

/* The race case: returns the try that counted (the change inside the call), or 0. */
static int race(unsigned char **filled, long *done, int *ret)
{
	unsigned char *src = mmap(NULL, RACE_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	race_decoy = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	race_arg = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED || race_decoy == MAP_FAILED || race_arg == MAP_FAILED)
		die("mmap");
	memcpy(src, CODE, sizeof(CODE));
	if (racer_start(point_at_decoy) != 0)
		die("pthread_create");
	for (int try = 1; try <= 5; try++) {
		unsigned char *rx = mmap(NULL, RACE_LEN, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (rx == MAP_FAILED)
			die("mmap RX");
		int uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
		struct uffdio_api api = {.api = UFFD_API};
		struct uffdio_register reg = {.range = {(uintptr_t)rx, RACE_LEN}, .mode = UFFDIO_REGISTER_MODE_MISSING};
		if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) != 0 || ioctl(uffd, UFFDIO_REGISTER, &reg) != 0)
			die("userfaultfd");
		note_registered(rx, RACE_LEN);
		*race_arg = (struct uffdio_copy){.dst = (uintptr_t)rx, .src = (uintptr_t)src, .len = RACE_LEN, .mode = 0};
		racer_arm();
		long t0 = now_ns();
		*ret = ioctl(uffd, UFFDIO_COPY, race_arg) == 0 ? 0 : -errno;
		long t1 = now_ns();
		racer_wait();
		*done = (long)race_arg->copy;
		close(uffd);
		if (*ret == 0 && racer_within(t0, t1)) {
			racer_stop();
			*filled = rx;
			return try;
		}
		munmap(rx, RACE_LEN);
	}
	racer_stop();
	return 0;
}

static int run(unsigned char *code)
{
	return ((int (*)(void))code)();
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("PID %d\n", getpid());
	int uffd;
	long done;
	unsigned char *own = registered_page(PROT_READ | PROT_EXEC, &uffd);
	int ret = fill(uffd, own, &done, 0);
	if (ret != 0)
		die("UFFDIO_COPY");
	int result = run(own);
	printf("NOTE uffdfill case=self pid=%d target=%d addr=%lu len=%d ret=%d done=%ld result=%d\n", getpid(), getpid(),
	       (unsigned long)own, PAGE, ret, done, result);
	fflush(stdout);

	unsigned char *parents = registered_page(PROT_READ | PROT_EXEC, &uffd);
	int pipefd[2];
	if (pipe(pipefd) != 0)
		die("pipe");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		long msg[3];
		msg[0] = fill(uffd, parents, &msg[1], 0);
		msg[2] = getpid();
		if (write(pipefd[1], msg, sizeof(msg)) != (ssize_t)sizeof(msg))
			_exit(2);
		_exit(0);
	}
	long msg[3];
	if (read(pipefd[0], msg, sizeof(msg)) != (ssize_t)sizeof(msg))
		die("read pipe");
	int status;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || msg[0] != 0) {
		fprintf(stderr, "uffdfill: the child's UFFDIO_COPY failed: %ld\n", msg[0]);
		return 2;
	}
	result = run(parents);
	printf("NOTE uffdfill case=child pid=%ld target=%d addr=%lu len=%d ret=%ld done=%ld result=%d\n", msg[2], getpid(),
	       (unsigned long)parents, PAGE, msg[0], msg[1], result);
	fflush(stdout);

	unsigned char *by32 = registered_page(PROT_READ | PROT_EXEC, &uffd);
	ret = fill(uffd, by32, &done, 1);
	if (ret != 0) {
		errno = -ret;
		die("UFFDIO_COPY by int 0x80");
	}
	result = run(by32);
	printf("NOTE uffdfill case=int80 pid=%d target=%d addr=%lu len=%d ret=%d done=%ld result=%d\n", getpid(), getpid(),
	       (unsigned long)by32, PAGE, ret, done, result);
	fflush(stdout);

	unsigned char *raced = NULL;
	int tries = race(&raced, &done, &ret);
	if (tries == 0) {
		fprintf(stderr, "uffdfill: the racer never changed the argument during the copy in 5 tries\n");
		return 2;
	}
	result = run(raced);
	printf("NOTE uffdfill case=race pid=%d target=%d addr=%lu len=%u ret=%d done=%ld result=%d decoy=%lu tries=%d\n",
	       getpid(), getpid(), (unsigned long)raced, RACE_LEN, ret, done, result, (unsigned long)race_decoy, tries);
	fflush(stdout);

	unsigned char *rx = registered_page(PROT_READ | PROT_EXEC, &uffd);
	ret = move(uffd, rx, &done);
	if (ret != -EINVAL) {
		fprintf(stderr, "uffdfill: UFFDIO_MOVE into an R-X page gave %d, not -EINVAL (%d)\n", ret, -EINVAL);
		return 2;
	}
	printf("NOTE uffdfill case=move-rx pid=%d target=%d addr=%lu len=%d ret=%d done=%ld result=refused\n", getpid(),
	       getpid(), (unsigned long)rx, PAGE, ret, done);
	fflush(stdout);

	unsigned char *rw = registered_page(PROT_READ | PROT_WRITE, &uffd);
	ret = move(uffd, rw, &done);
	if (ret != 0) {
		errno = -ret;
		die("UFFDIO_MOVE");
	}
	printf("NOTE uffdfill case=move pid=%d target=%d addr=%lu len=%d ret=%d done=%ld result=%s\n", getpid(), getpid(),
	       (unsigned long)rw, PAGE, ret, done, memcmp(rw, CODE, sizeof(CODE)) == 0 ? "moved" : "missing");
	return 0;
}
