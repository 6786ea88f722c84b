/*
 * x32: memory calls made with x32's syscall numbers: the number plus __X32_SYSCALL_BIT (0x40000000), which any 64-bit
 * process can put in rax before its syscall instruction. Where the kernel has x32 (CONFIG_X86_X32_ABI) they run the
 * 64-bit calls of the same numbers, and a tracer that knows only the 64-bit numbers misses them; where it has none (as
 * on the machines mapscribe is tested on) they fail with ENOSYS. Either way the recorder must record them as the calls
 * they are, with what they returned.
 *
 *   x32 DIR
 *
 * Makes, in this order, printing one line per call with what the kernel returned (-errno when it failed), the first
 * with the workload's pid:
 *   x32 call=mmap pid=P fd=FD ret=R  x32 mmap(NULL, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE, FD, 0) of DIR/x32-lib
 *   x32 call=mprotect addr=A ret=R   x32 mprotect(A, 4096, PROT_READ|PROT_EXEC) of a page mapped RW (a 64-bit mmap)
 *   x32 call=munmap addr=A ret=R     x32 munmap(A, 4096) of the same page
 *   x32 call=process_vm_writev ret=R x32's own number for it (540): its compat version, which the recorder leaves out
 *                                    and counts
 *   x32 call=getpid ret=R            a call the recorder does not watch, by x32's number
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define X32 0x40000000L

static void die(const char *what)
{
	fprintf(stderr, "x32: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* The kernel's own result: syscall(2) turns -errno into -1 and errno. */
static long x32_call(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	long r = syscall(X32 | nr, a0, a1, a2, a3, a4, a5);
	return r == -1 ? -errno : r;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: x32 DIR\n");
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/x32-lib", argv[1]);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (fd < 0 || ftruncate(fd, 4096) != 0)
		die("open, ftruncate");
	long ret = x32_call(SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	printf("x32 call=mmap pid=%d fd=%d ret=%ld\n", getpid(), fd, ret);

	unsigned char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		die("mmap");
	ret = x32_call(SYS_mprotect, (long)page, 4096, PROT_READ | PROT_EXEC, 0, 0, 0);
	printf("x32 call=mprotect addr=%ld ret=%ld\n", (long)page, ret);
	ret = x32_call(SYS_munmap, (long)page, 4096, 0, 0, 0, 0);
	printf("x32 call=munmap addr=%ld ret=%ld\n", (long)page, ret);

	ret = x32_call(540, getpid(), 0, 0, 0, 0, 0); /* x32's process_vm_writev, no iovecs */
	printf("x32 call=process_vm_writev ret=%ld\n", ret);
	ret = x32_call(SYS_getpid, 0, 0, 0, 0, 0, 0);
	printf("x32 call=getpid ret=%ld\n", ret);
	return 0;
}
