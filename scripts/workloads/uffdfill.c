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
 *          that created it, so the child writes into its parent, which then calls the code.
 *
 * Prints "PID <pid>" first, then one line per case once the code has run (the NOTE lines of the analyzer's oracle
 * tests):
 *   NOTE uffdfill case=CASE pid=CALLER target=TARGET addr=A len=L ret=R done=D result=42
 * (CALLER made the UFFDIO_COPY ioctl, TARGET is the process whose page it filled, ret the ioctl's result, done the
 * bytes the kernel reports copied.)
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

#define PAGE 4096

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

/* An R-X anonymous page registered with a new userfaultfd (missing pages); the descriptor in *uffd. */
static unsigned char *registered_rx_page(int *uffd)
{
	unsigned char *rx = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
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
	return rx;
}

/* UFFDIO_COPY of the code into dst; prints the case's line with what the kernel said, and returns its result. */
static int fill(int uffd, unsigned char *dst, long *done)
{
	static unsigned char src[PAGE] __attribute__((aligned(PAGE)));
	memcpy(src, CODE, sizeof(CODE));
	struct uffdio_copy copy = {.dst = (uintptr_t)dst, .src = (uintptr_t)src, .len = PAGE, .mode = 0};
	int ret = ioctl(uffd, UFFDIO_COPY, &copy);
	*done = (long)copy.copy;
	return ret == 0 ? 0 : -errno;
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
	unsigned char *own = registered_rx_page(&uffd);
	int ret = fill(uffd, own, &done);
	if (ret != 0)
		die("UFFDIO_COPY");
	int result = run(own);
	printf("NOTE uffdfill case=self pid=%d target=%d addr=%lu len=%d ret=%d done=%ld result=%d\n", getpid(), getpid(),
	       (unsigned long)own, PAGE, ret, done, result);
	fflush(stdout);

	unsigned char *parents = registered_rx_page(&uffd);
	int pipefd[2];
	if (pipe(pipefd) != 0)
		die("pipe");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		long msg[3];
		msg[0] = fill(uffd, parents, &msg[1]);
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
	return 0;
}
