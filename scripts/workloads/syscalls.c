/*
 * syscalls.c — makes known memory-mapping and process calls, including failing ones, and logs each
 * one on stdout, one line per call, as space-separated key=value pairs (numbers in decimal, ret is
 * the raw result or -errno):
 *
 *   mmap pid=P tid=T addr=A len=L prot=P flags=F fd=D off=O ret=R [path=... ino=I major=M minor=N]
 *   mprotect pid=P tid=T addr=A len=L prot=P ret=R
 *   pkey_mprotect pid=P tid=T addr=A len=L prot=P pkey=K ret=R
 *   munmap pid=P tid=T addr=A len=L ret=R
 *   mremap pid=P tid=T old_addr=A old_len=L new_len=N flags=F new_addr=X ret=R
 *   brk pid=P tid=T addr=A ret=R
 *   fork pid=P child=C
 *   exec pid=C path=/bin/true
 *   execve pid=P tid=T path=/nonexistent ret=R
 *   exit_group pid=C tid=C code=7
 *   exit pid=P tid=T code=3 last=0     (a thread ending with exit(2); its process goes on)
 *   exit pid=C tid=C code=5 last=1     (a child ending with exit(2) itself, not exit_group)
 *   killed pid=C signal=9              (a child killed by a signal: it made no exit call)
 *   rename pid=P tid=T comm=NAME       (prctl PR_SET_NAME: the next record's task context says so)
 *   setgid pid=P tid=T gid=65534       (new credentials: the same)
 *   (and more kinds, each described where the call is made)
 *
 * Every call goes through syscall(2) so the logged result is exactly what the kernel returned.
 * Usage: syscalls [FILE-TO-MAP-DIR [PROCESS32]]   (PROCESS32: process32.c built, a 32-bit process it runs)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/shm.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "int80.h"
#include "uring.h"

static long sys_result(long r)
{
	return r == -1 ? -errno : r;
}

static long tid(void);

/*
 * process_vm_writev into target: logged with the remote array's address and count and, when it can be read, its
 * ranges (base0 len0 base1 len1 ... up to the first 64, as the recorder reads them).
 */
static long do_vm_writev(pid_t target, struct iovec *local, unsigned long lcount, struct iovec *remote, unsigned long rcount)
{
	long r = sys_result(syscall(SYS_process_vm_writev, target, local, lcount, remote, rcount, 0));
	printf("process_vm_writev pid=%d tid=%ld target=%d lvec=%lu lcount=%lu rvec=%lu rcount=%lu ret=%ld", getpid(),
	       tid(), (int)target, (unsigned long)local, lcount, (unsigned long)remote, rcount, r);
	if ((unsigned long)remote >= 4096)
		for (unsigned long i = 0; i < rcount && i < 64; i++)
			printf(" base%lu=%lu len%lu=%lu", i, (unsigned long)remote[i].iov_base, i, (unsigned long)remote[i].iov_len);
	printf("\n");
	fflush(stdout);
	return r;
}

/* Runs the caller on CPU cpu only (-1: on any). On a machine with one CPU the calls run there, unmoved. */
static void on_cpu(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	for (int i = 0; i < n && i < CPU_SETSIZE; i++)
		if (cpu < 0 || i == cpu)
			CPU_SET(i, &set);
	if (cpu < n)
		sched_setaffinity(0, sizeof(set), &set);
}

static long tid(void)
{
	return syscall(SYS_gettid);
}

static void *thread_exit(void *arg)
{
	(void)arg;
	printf("exit pid=%d tid=%ld code=3 last=0\n", getpid(), tid());
	fflush(stdout);
	syscall(SYS_exit, 3); /* the raw call: pthread_exit would unwind through libc first */
	return NULL;
}

static unsigned long do_mmap(unsigned long addr, unsigned long len, int prot, int flags, int fd, unsigned long off)
{
	long r = sys_result(syscall(SYS_mmap, addr, len, prot, flags, fd, off));
	printf("mmap pid=%d tid=%ld addr=%lu len=%lu prot=%d flags=%d fd=%d off=%lu ret=%ld", getpid(), tid(), addr, len, prot,
	       flags, fd, off, r);
	if (fd >= 0 && r >= 0) {
		struct stat st;
		char link[64], path[4096];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, path, sizeof(path) - 1);
		path[n > 0 ? n : 0] = 0;
		fstat(fd, &st);
		printf(" path=%s ino=%lu major=%u minor=%u", path, (unsigned long)st.st_ino, major(st.st_dev), minor(st.st_dev));
	}
	printf("\n");
	fflush(stdout);
	return r;
}

static long do_mprotect(unsigned long addr, unsigned long len, int prot)
{
	long r = sys_result(syscall(SYS_mprotect, addr, len, prot));
	printf("mprotect pid=%d tid=%ld addr=%lu len=%lu prot=%d ret=%ld\n", getpid(), tid(), addr, len, prot, r);
	fflush(stdout);
	return r;
}

static long do_pkey_mprotect(unsigned long addr, unsigned long len, int prot, int pkey)
{
	long r = sys_result(syscall(SYS_pkey_mprotect, addr, len, prot, pkey));
	printf("pkey_mprotect pid=%d tid=%ld addr=%lu len=%lu prot=%d pkey=%d ret=%ld\n", getpid(), tid(), addr, len, prot, pkey, r);
	fflush(stdout);
	return r;
}

static long do_munmap(unsigned long addr, unsigned long len)
{
	long r = sys_result(syscall(SYS_munmap, addr, len));
	printf("munmap pid=%d tid=%ld addr=%lu len=%lu ret=%ld\n", getpid(), tid(), addr, len, r);
	fflush(stdout);
	return r;
}

static long do_mremap(unsigned long old_addr, unsigned long old_len, unsigned long new_len, int flags, unsigned long new_addr)
{
	long r = sys_result(syscall(SYS_mremap, old_addr, old_len, new_len, flags, new_addr));
	printf("mremap pid=%d tid=%ld old_addr=%lu old_len=%lu new_len=%lu flags=%d new_addr=%lu ret=%ld\n", getpid(), tid(),
	       old_addr, old_len, new_len, flags, new_addr, r);
	fflush(stdout);
	return r;
}

/* recorded: whether the recorder must record it (advice that changes VMA flags), as the test checks */
static long do_madvise(unsigned long addr, unsigned long len, int advice, int recorded)
{
	long r = madvise((void *)addr, len, advice) == 0 ? 0 : -errno;
	printf("madvise pid=%d tid=%ld addr=%lu len=%lu advice=%d ret=%ld recorded=%d\n", getpid(), tid(), addr, len, advice, r,
	       recorded);
	fflush(stdout);
	return r;
}

static long do_shmat(int id, int flags, unsigned long size)
{
	void *p = shmat(id, NULL, flags);
	long r = p == (void *)-1 ? -errno : (long)p;
	printf("shmat pid=%d tid=%ld shmid=%d shmaddr=0 shmflg=%d ret=%ld size=%lu\n", getpid(), tid(), id, flags, r, size);
	fflush(stdout);
	return r;
}

static long do_shmdt(unsigned long addr)
{
	long r = shmdt((void *)addr) == 0 ? 0 : -errno;
	printf("shmdt pid=%d tid=%ld addr=%lu ret=%ld\n", getpid(), tid(), addr, r);
	fflush(stdout);
	return r;
}

static long do_mseal(unsigned long addr, unsigned long len)
{
	long r = syscall(462 /* mseal */, addr, len, 0) == 0 ? 0 : -errno;
	printf("mseal pid=%d tid=%ld addr=%lu len=%lu ret=%ld\n", getpid(), tid(), addr, len, r);
	fflush(stdout);
	return r;
}

/* The lock calls (mlock, mlock2, munlock, mlockall, munlockall), logged with their number and raw arguments. */
/*
 * mbind (nr 237: a policy of `mode` on the nodes in `nodes`) or set_mempolicy_home_node (nr 450: `mode` is the home
 * node), logged with the policy the kernel must then keep on the VMA (pmode phome pnodes: MPOL_DEFAULT, all zero,
 * for none), which the recorder reads.
 */
static long do_policy(long nr, unsigned long addr, unsigned long len, long mode, unsigned long nodes, long pmode, long phome,
		      unsigned long pnodes)
{
	long r = nr == SYS_mbind ? sys_result(syscall(nr, addr, len, mode, mode == 0 ? NULL : &nodes, mode == 0 ? 0 : 64, 0))
				 : sys_result(syscall(nr, addr, len, mode, 0));
	printf("policy pid=%d tid=%ld nr=%ld addr=%lu len=%lu arg2=%ld ret=%ld pmode=%ld phome=%ld pnodes=%lu\n", getpid(),
	       tid(), nr, addr, len, mode, r, pmode, phome, pnodes);
	fflush(stdout);
	return r;
}

static long do_lock(long nr, unsigned long a0, unsigned long a1, unsigned long a2)
{
	long r = syscall(nr, a0, a1, a2) == 0 ? 0 : -errno;
	printf("lock pid=%d tid=%ld nr=%ld arg0=%lu arg1=%lu arg2=%lu ret=%ld\n", getpid(), tid(), nr, a0, a1, a2, r);
	fflush(stdout);
	return r;
}

/* ptrace as the raw syscall (glibc's wrapper turns PEEK's result around); recorded: whether the kernel side keeps it. */
static long do_ptrace(long request, pid_t target, unsigned long addr, unsigned long data, int recorded)
{
	long r = sys_result(syscall(SYS_ptrace, request, target, addr, data));
	printf("ptrace pid=%d tid=%ld request=%ld target=%d addr=%lu data=%lu ret=%ld recorded=%d\n", getpid(), tid(), request,
	       (int)target, addr, data, r, recorded);
	fflush(stdout);
	return r;
}

/* open (nr 2), openat (257) or openat2 (437) of path; recorded: whether the kernel side keeps it (a process's memory
 * file opened for writing); the fd is closed again. */
static long do_open(long nr, const char *path, int flags, int recorded)
{
	struct open_how how = {.flags = (unsigned long long)flags};
	long r = sys_result(nr == SYS_open ? syscall(nr, path, flags, 0600)
			    : nr == SYS_openat ? syscall(nr, AT_FDCWD, path, flags, 0600)
			    : syscall(nr, AT_FDCWD, path, &how, sizeof(how)));
	printf("open pid=%d tid=%ld nr=%ld path=%s flags=%d ret=%ld recorded=%d\n", getpid(), tid(), nr, path, flags, r,
	       recorded);
	fflush(stdout);
	return r;
}

/*
 * A write-family call (write 1, pwrite64 18, writev 20, pwritev 296, pwritev2 328) of one 8-byte buffer to fd at pos
 * (-1: at the file position, which an lseek puts there first when at is not -1); at: where the write begins in the
 * target, as the recorder must report it; recorded: whether the kernel side keeps it (a process's memory file).
 */
static long do_write(long nr, int fd, unsigned long *buf, long pos, long at, int recorded)
{
	struct iovec v[2] = {{buf, 3}, {(char *)buf + 3, sizeof(*buf) - 3}}; /* the vectored calls' 8 bytes in two parts */
	if (pos == -1 && at != -1)
		lseek(fd, (off_t)at, SEEK_SET);
	int vectored = nr == SYS_writev || nr == SYS_pwritev || nr == SYS_pwritev2;
	long r = sys_result(nr == SYS_write ? syscall(nr, fd, buf, sizeof(*buf))
			    : nr == SYS_pwrite64 ? syscall(nr, fd, buf, sizeof(*buf), pos)
			    : nr == SYS_writev ? syscall(nr, fd, v, 2)
			    : nr == SYS_pwritev ? syscall(nr, fd, v, 2, pos, 0)
			    : syscall(nr, fd, v, 2, pos, 0, 0));
	printf("write pid=%d tid=%ld nr=%ld fd=%d pos=%ld at=%lu ret=%ld recorded=%d vlen=%ld\n", getpid(), tid(), nr, fd, pos,
	       (unsigned long)at, r, recorded, vectored ? (long)sizeof(*buf) : -1L);
	fflush(stdout);
	return r;
}

/*
 * One io_uring request (op: IORING_OP_WRITE 23, WRITEV 2, WRITE_FIXED 5) of len bytes (iovecs for WRITEV) at addr to
 * fd (an index into the ring's registered files when fixed) at off (-1: at the file position, which an lseek of the
 * plain fd `seek_fd` puts at `at` first); at: where the write is to begin in the target, as the recorder must report
 * it; recorded: whether the kernel side keeps it (a process's memory file). ret is the completion's result.
 */
static long do_uring(struct uring *u, int op, int fd, int fixed, unsigned long addr, unsigned len, long off, int seek_fd,
		     long at, int recorded)
{
	struct io_uring_sqe sqe;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = (unsigned char)op;
	sqe.fd = fd;
	sqe.flags = fixed ? IOSQE_FIXED_FILE : 0;
	sqe.addr = addr;
	sqe.len = len;
	sqe.off = (unsigned long)off;
	if (off == -1 && at != -1)
		lseek(seek_fd, (off_t)at, SEEK_SET);
	long r = uring_run(u, &sqe);
	long vlen = -1; /* a vectored request's total length: its iovecs' */
	if (op == IORING_OP_WRITEV) {
		vlen = 0;
		for (unsigned i = 0; i < len; i++)
			vlen += (long)((struct iovec *)addr)[i].iov_len;
	}
	printf("uring pid=%d tid=%ld op=%d fd=%d fixed=%d addr=%lu len=%u off=%ld at=%lu ret=%ld recorded=%d vlen=%ld\n",
	       getpid(), tid(), op, fd, fixed, addr, len, off, (unsigned long)at, r, recorded, vlen);
	fflush(stdout);
	return r;
}

/* An IORING_OP_WRITE of *buf at `at` to fd (a registered slot with IOSQE_FIXED_FILE in flags), the last of a chain. */
static void write_sqe(struct io_uring_sqe *sqe, int fd, unsigned char flags, unsigned long *buf, long at, unsigned long long data)
{
	sqe->opcode = IORING_OP_WRITE;
	sqe->fd = fd;
	sqe->flags = flags;
	sqe->addr = (unsigned long)buf;
	sqe->len = sizeof(*buf);
	sqe->off = (unsigned long)at;
	sqe->user_data = data;
}

/*
 * An IORING_OP_WRITE of *buf at `at`, linked behind a read of an empty pipe so that the kernel issues it only when the
 * pipe is written, on an fd that names the file of fd `first` when the request is submitted and, by dup2, the file of
 * fd `then` when it is issued (-1: /dev/null; dup2() is not recorded, an open of a memory file would be). Logged as a
 * "uring_swapped" call with the fd and where it wrote; recorded: whether the kernel side keeps it (the file it is
 * issued on is a process's memory file). ret is the write's result.
 */
static long do_uring_swapped(struct uring *u, int first, int then, unsigned long *buf, long at, int recorded)
{
	/* each case its own fd number (200, 201): a record of one cannot pass for the other's */
	int p[2], nul = open("/dev/null", O_WRONLY | O_CLOEXEC), fd = dup2(first >= 0 ? first : nul, 200 + recorded);
	if (pipe(p) != 0 || nul < 0 || fd < 0)
		return -errno;
	char byte;
	struct io_uring_sqe sqes[2];
	memset(sqes, 0, sizeof(sqes));
	sqes[0].opcode = IORING_OP_READ;
	sqes[0].fd = p[0];
	sqes[0].addr = (unsigned long)&byte;
	sqes[0].len = 1;
	sqes[0].flags = IOSQE_IO_LINK;
	sqes[0].user_data = 1;
	write_sqe(&sqes[1], fd, 0, buf, at, 2);
	long r = uring_submit(u, sqes, 2, 0);
	if (r == 2 && dup2(then >= 0 ? then : nul, fd) == fd && write(p[1], "x", 1) == 1)
		r = uring_reap_for(u, 2, 2);
	else
		r = r < 0 ? r : -EIO;
	printf("uring_swapped pid=%d tid=%ld fd=%d addr=%lu at=%lu ret=%ld recorded=%d\n", getpid(), tid(), fd,
	       (unsigned long)buf, (unsigned long)at, r, recorded);
	fflush(stdout);
	close(p[0]);
	close(p[1]);
	close(nul);
	close(fd);
	return r;
}

/*
 * An IORING_OP_WRITE of *buf at `at` through registered slot `slot`, which holds /dev/null when the request is
 * submitted, linked behind an IORING_OP_FILES_UPDATE that puts fd `mem` (a process's memory file) there before the
 * write is issued: only the write's completion shows the file it wrote. Logged as a "uring_slot_swapped" call with the
 * slot and where it wrote. ret is the write's result.
 */
static long do_uring_slot_swapped(struct uring *u, int slot, int mem, unsigned long *buf, long at)
{
	int update[1] = {mem};
	struct io_uring_sqe sqes[2];
	memset(sqes, 0, sizeof(sqes));
	sqes[0].opcode = IORING_OP_FILES_UPDATE;
	sqes[0].fd = -1;
	sqes[0].addr = (unsigned long)update;
	sqes[0].len = 1;
	sqes[0].off = (unsigned long)slot;
	sqes[0].flags = IOSQE_IO_LINK;
	sqes[0].user_data = 1;
	write_sqe(&sqes[1], slot, IOSQE_FIXED_FILE, buf, at, 2);
	long r = uring_submit(u, sqes, 2, 0);
	r = r == 2 ? uring_reap_for(u, 2, 2) : r < 0 ? r : -EIO;
	printf("uring_slot_swapped pid=%d tid=%ld slot=%d addr=%lu at=%lu ret=%ld recorded=1\n", getpid(), tid(), slot,
	       (unsigned long)buf, (unsigned long)at, r);
	fflush(stdout);
	return r;
}

/*
 * madvise through the ring (IORING_OP_MADVISE) of len bytes at addr; skip: with IOSQE_CQE_SKIP_SUCCESS, which posts no
 * completion if it succeeds (linked to a NOP, whose completion says it ran); recorded: whether the kernel side keeps
 * it (advice that changes VMA flags). ret is the request's result (0 when it posted none: it succeeded).
 */
static long do_uring_madvise(struct uring *u, unsigned long addr, unsigned len, int advice, int skip, int recorded)
{
	struct io_uring_sqe sqes[2];
	memset(sqes, 0, sizeof(sqes));
	sqes[0].opcode = IORING_OP_MADVISE;
	sqes[0].fd = -1;
	sqes[0].addr = addr;
	sqes[0].len = len;
	sqes[0].fadvise_advice = (unsigned)advice;
	sqes[0].user_data = 1;
	sqes[0].flags = skip ? IOSQE_CQE_SKIP_SUCCESS | IOSQE_IO_LINK : 0;
	sqes[1].opcode = IORING_OP_NOP;
	sqes[1].user_data = 2;
	long r = uring_submit(u, sqes, skip ? 2 : 1, 1);
	if (r >= 0) {
		unsigned long long data;
		r = uring_reap(u, &data);
		if (skip && data == 2)
			r = 0; /* the NOP's: the madvise succeeded without a completion */
		else if (skip)
			uring_reap(u, NULL); /* the NOP, cancelled */
	}
	printf("uring_madvise pid=%d tid=%ld addr=%lu len=%u advice=%d skip=%d ret=%ld recorded=%d\n", getpid(), tid(), addr,
	       len, advice, skip, r, recorded);
	fflush(stdout);
	return r;
}

/*
 * An open through the ring (IORING_OP_OPENAT 18, or OPENAT2 28 with an open_how) of path with flags; recorded: whether
 * the kernel side keeps it (a process's memory file opened for writing). ret is the fd it installed (closed again).
 */
static long do_uring_open(struct uring *u, int op, const char *path, int flags, unsigned slot, int recorded)
{
	struct open_how how = {.flags = (unsigned long long)flags};
	struct io_uring_sqe sqe;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = (unsigned char)op;
	sqe.fd = AT_FDCWD;
	sqe.addr = (unsigned long)path;
	sqe.file_index = slot;
	if (op == IORING_OP_OPENAT) {
		sqe.open_flags = (unsigned)flags;
	} else {
		sqe.len = sizeof(how);
		sqe.off = (unsigned long)&how;
	}
	long r = uring_run(u, &sqe);
	printf("uring_open pid=%d tid=%ld op=%d path=%s flags=%d slot=%u ret=%ld recorded=%d\n", getpid(), tid(), op, path,
	       flags, slot, r, recorded);
	fflush(stdout);
	if (r >= 0 && slot == 0)
		close((int)r); /* an open into a registered slot installs no fd */
	return r;
}

static long do_personality(unsigned long persona)
{
	long r = sys_result(syscall(SYS_personality, persona));
	printf("personality pid=%d tid=%ld persona=%lu ret=%ld\n", getpid(), tid(), persona, r);
	fflush(stdout);
	return r;
}

static long do_brk(unsigned long addr)
{
	long r = syscall(SYS_brk, addr); /* brk returns the break, never -errno */
	printf("brk pid=%d tid=%ld addr=%lu ret=%ld\n", getpid(), tid(), addr, r);
	fflush(stdout);
	return r;
}

/*
 * prctl(option, arg2, arg3, 0, 0): logged with whether the recorder must have it (PR_SET_MM only), the program break
 * the call leaves (which a PR_SET_MM record carries: queried before it, a call that fails moves nothing; one that
 * succeeds logs it queried again) and, for PR_SET_MM_EXE_FILE, the path of the file whose fd arg3 is (the record
 * carries it).
 */
static long do_prctl(int option, unsigned long arg2, unsigned long arg3, const char *path)
{
	long brk = do_brk(0);
	long r = sys_result(syscall(SYS_prctl, option, arg2, arg3, 0UL, 0UL));
	if (r == 0)
		brk = do_brk(0);
	printf("prctl pid=%d tid=%ld option=%d arg2=%lu arg3=%lu ret=%ld recorded=%d brk=%ld path=%s\n", getpid(), tid(),
	       option, arg2, arg3, r, option == PR_SET_MM, brk, path ? path : "");
	fflush(stdout);
	return r;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	long page = sysconf(_SC_PAGESIZE);

	/* Anonymous memory: map, protect (ok and unaligned), pkey_mprotect (ok and bad key), grow, unmap. */
	unsigned long a = do_mmap(0, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	do_mprotect(a, page, PROT_READ);
	do_mprotect(a + 1, page, PROT_READ);                   /* EINVAL: unaligned */
	do_pkey_mprotect(a + page, page, PROT_READ | PROT_EXEC, -1);
	do_pkey_mprotect(a + page, page, PROT_READ, 999);       /* EINVAL: no such key */
	do_mremap(a, 4 * page, 8 * page, MREMAP_MAYMOVE, 0);  /* EFAULT: the range now spans three VMAs */
	do_madvise(a + 2 * page, page, MADV_DONTFORK, 1);       /* changes the VMA's flags: recorded */
	do_madvise(a + 2 * page, 3 * page, MADV_DONTDUMP, 1);   /* ENOMEM: runs past the mapping's end */
	do_madvise(a, page, MADV_DONTNEED, 0);                  /* changes no VMA: not recorded */
	do_munmap(a, 4 * page);
	unsigned long d = do_mmap(0, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long b = do_mremap(d, 2 * page, 8 * page, MREMAP_MAYMOVE, 0);
	do_munmap(b + 1, page);                                 /* EINVAL: unaligned */
	do_munmap(b, 8 * page);
	do_mmap(0, page, PROT_READ, MAP_PRIVATE, 999, 0);       /* EBADF: no such fd */

	/* A file mapped executable: the record must carry its path, inode and device. */
	char path[4096];
	snprintf(path, sizeof(path), "%s/mapscribe-syscalls-%d.bin", dir, getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	char buf[8192];
	memset(buf, 0xc3, sizeof(buf));
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		perror("write");
		return 1;
	}
	unsigned long c = do_mmap(0, 2 * page, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, page);
	do_munmap(c, 2 * page);
	close(fd);
	unlink(path);

	/* A System V segment attached executable (recorded as an mmap record marked shmat), a failed attach, a detach. */
	int shm = shmget(IPC_PRIVATE, 2 * page, IPC_CREAT | 0600);
	if (shm < 0) {
		perror("shmget");
		return 1;
	}
	long sx = do_shmat(shm, SHM_EXEC, 2 * page);
	do_shmat(-1, 0, 0);                                     /* EINVAL: no such segment */
	do_shmdt(sx);
	shmctl(shm, IPC_RMID, NULL);

	/* A page sealed for good (mseal, 6.10+; ENOSYS before: recorded all the same). */
	do_mseal(do_mmap(0, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), page);

	/*
	 * NUMA policies (a policy on part of a mapping splits it): MPOL_BIND (2) on node 0 for a page, its home node set
	 * to 0, then MPOL_DEFAULT (none again). Each recorded with the policy the kernel then keeps on the VMA.
	 */
	unsigned long nb = do_mmap(0, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long pr[3] = {do_policy(SYS_mbind, nb + page, page, 2, 1, 2, -1, 1),
		      do_policy(450, nb + page, page, 0, 0, 2, 0, 1),
		      do_policy(SYS_mbind, nb + page, page, 0, 0, 0, 0, 0)};
	do_munmap(nb, 2 * page);
	if (pr[0] != 0 || pr[1] != 0 || pr[2] != 0) {
		fprintf(stderr, "the NUMA policy calls returned %ld %ld %ld\n", pr[0], pr[1], pr[2]);
		return 1;
	}
	/* Memory locked and unlocked (VM_LOCKED splits VMAs); mlock2 with a flag it does not know; every later mapping
	 * locked for a moment (mlockall MCL_FUTURE), then nothing (munlockall). */
	unsigned long l = do_mmap(0, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	do_lock(SYS_mlock, l, page, 0);
	do_lock(SYS_mlock2, l + page, page, MLOCK_ONFAULT);
	do_lock(SYS_mlock2, l, page, 8);                         /* EINVAL: no such flag */
	do_lock(SYS_munlock, l, 2 * page, 0);
	do_lock(SYS_mlockall, MCL_FUTURE, 0, 0);
	do_lock(SYS_munlockall, 0, 0, 0);
	do_munmap(l, 2 * page);

	/*
	 * Writes into another process: a child asks to be traced and stops; the parent writes a word into its memory
	 * (POKEDATA: recorded), reads it back (PEEKDATA: not recorded), writes more with process_vm_writev, lets it go.
	 */
	static unsigned long word = 1;
	pid_t tracee = fork();
	if (tracee == 0) {
		do_ptrace(PTRACE_TRACEME, 0, 0, 0, 1);
		raise(SIGSTOP);
		_exit(word == 0x5a5a ? 0 : 1); /* the parent's write reached it */
	}
	printf("fork pid=%d child=%d\n", getpid(), tracee);
	fflush(stdout);
	int st;
	waitpid(tracee, &st, 0); /* stopped */
	unsigned long peeked;
	do_ptrace(PTRACE_POKEDATA, tracee, (unsigned long)&word, 0x5a5a, 1);
	do_ptrace(PTRACE_PEEKDATA, tracee, (unsigned long)&word, (unsigned long)&peeked, 0);
	unsigned long more = 0x5a5a;
	struct iovec local = {&more, sizeof(more)}, remote = {&word, sizeof(word)};
	do_vm_writev(tracee, &local, 1, &remote, 1);
	/*
	 * More remote ranges than local ones (the kernel fills them in order: 20 bytes over 8, 0 and 16 leave the last
	 * 12 written), more than the recorder reads (70: the first 64 recorded), one at an unmapped page (EFAULT), and an
	 * array it cannot read (EFAULT: recorded without ranges).
	 */
	static unsigned long words[4];
	static unsigned char bytes70[70];
	static unsigned char src[70];
	struct iovec l20 = {src, 20}, r3[3] = {{&words[0], 8}, {&words[1], 0}, {&words[2], 16}};
	do_vm_writev(tracee, &l20, 1, r3, 3);
	struct iovec l70 = {src, sizeof(src)}, r70[70];
	for (int i = 0; i < 70; i++)
		r70[i] = (struct iovec){&bytes70[i], 1};
	do_vm_writev(tracee, &l70, 1, r70, 70);
	struct iovec unmapped = {(void *)(unsigned long)page, 8};
	do_vm_writev(tracee, &local, 1, &unmapped, 1);
	do_vm_writev(tracee, &local, 1, (struct iovec *)8, 1);
	/* Its memory file opened for writing by each open call (recorded, with the file's path), and written; opens
	 * that write no process's memory are not recorded: /proc/self/mem read-only, a plain file for writing. */
	char mem[64];
	snprintf(mem, sizeof(mem), "/proc/%d/mem", (int)tracee);
	long fds[] = {do_open(SYS_openat, mem, O_RDWR, 1), do_open(SYS_open, mem, O_WRONLY, 1),
		      do_open(SYS_openat2, mem, O_WRONLY, 1), do_open(SYS_openat, "/proc/self/mem", O_RDONLY, 0)};
	/* Each write call into the memory file at the tracee's word, recorded with where it began: pwrite's and pwritev's
	 * position, write's and writev's file position (set by lseek), pwritev2's either way; one at an unmapped page
	 * fails (EIO) and is recorded too. */
	long at = (long)(unsigned long)&word;
	if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0 || do_write(SYS_pwrite64, fds[0], &more, at, at, 1) != sizeof(more)) {
		fprintf(stderr, "writing %s failed\n", mem);
		return 1;
	}
	do_write(SYS_write, fds[1], &more, -1, at, 1);
	do_write(SYS_writev, fds[1], &more, -1, at, 1);
	do_write(SYS_pwritev, fds[2], &more, at, at, 1);
	do_write(SYS_pwritev2, fds[2], &more, -1, at, 1);
	do_write(SYS_pwritev2, fds[0], &more, at, at, 1);
	do_write(SYS_pwrite64, fds[0], &more, page, page, 1); /* EIO: page 1 is never mapped */
	/*
	 * The same through an io_uring, whose requests pass no write call: each is recorded as it is submitted, with its
	 * SQE's fields, where it is to begin and the file, and as it completes, with its result. A write at an offset, a
	 * writev at the file position (set by lseek), a write to the ring's registered file (IOSQE_FIXED_FILE) from its
	 * registered buffer (WRITE_FIXED), one at an unmapped page (EIO), one to /dev/null (not recorded).
	 */
	struct uring ring;
	if (uring_open(&ring, 4) != 0) {
		fprintf(stderr, "io_uring_setup: %s\n", strerror(errno));
		return 1;
	}
	int reg_fds[4] = {(int)fds[0], -1, -1, -1}; /* slot 0, and three empty ones for the opens straight into a slot */
	struct iovec reg_buf = {&more, sizeof(more)};
	if (syscall(SYS_io_uring_register, ring.fd, IORING_REGISTER_FILES, reg_fds, 4) != 0
	    || syscall(SYS_io_uring_register, ring.fd, IORING_REGISTER_BUFFERS, &reg_buf, 1) != 0) {
		fprintf(stderr, "io_uring_register: %s\n", strerror(errno));
		return 1;
	}
	/*
	 * Opens through the ring: of the memory file for writing (recorded, as it completes), read-only, and of /dev/null;
	 * then straight into registered slots (a file index, no fd): the memory file for writing into slot 1 and into a
	 * free slot the kernel picks (recorded, from the slot), /dev/null into slot 3 (not).
	 */
	long uo[] = {do_uring_open(&ring, IORING_OP_OPENAT, mem, O_RDWR, 0, 1), do_uring_open(&ring, IORING_OP_OPENAT2, mem, O_WRONLY, 0, 1),
		     do_uring_open(&ring, IORING_OP_OPENAT, mem, O_RDONLY, 0, 0), do_uring_open(&ring, IORING_OP_OPENAT, "/dev/null", O_WRONLY, 0, 0),
		     do_uring_open(&ring, IORING_OP_OPENAT, mem, O_WRONLY, 2, 1), do_uring_open(&ring, IORING_OP_OPENAT2, mem, O_RDWR, IORING_FILE_INDEX_ALLOC, 1),
		     do_uring_open(&ring, IORING_OP_OPENAT, "/dev/null", O_WRONLY, 4, 0)};
	if (uo[0] < 0 || uo[1] < 0 || uo[2] < 0 || uo[3] < 0 || uo[4] != 0 || uo[5] != 2 || uo[6] != 0) {
		fprintf(stderr, "the io_uring opens returned %ld %ld %ld %ld %ld %ld %ld\n", uo[0], uo[1], uo[2], uo[3], uo[4], uo[5], uo[6]);
		return 1;
	}
	int ring_nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct iovec split[2] = {{&more, 3}, {(char *)&more + 3, sizeof(more) - 3}}; /* the writev's 8 bytes in two parts */
	long ur[] = {do_uring(&ring, IORING_OP_WRITE, (int)fds[1], 0, (unsigned long)&more, sizeof(more), at, -1, at, 1),
		     do_uring(&ring, IORING_OP_WRITEV, (int)fds[2], 0, (unsigned long)split, 2, -1, (int)fds[2], at, 1),
		     do_uring(&ring, IORING_OP_WRITE_FIXED, 0, 1, (unsigned long)&more, sizeof(more), at, -1, at, 1),
		     do_uring(&ring, IORING_OP_WRITE, (int)fds[0], 0, (unsigned long)&more, sizeof(more), page, -1, page, 1),
		     do_uring(&ring, IORING_OP_WRITE, ring_nul, 0, (unsigned long)&more, sizeof(more), 0, -1, -1, 0)};
	close(ring_nul);
	/*
	 * A write request delayed behind a read of an empty pipe, its fd swapped between submission and issue: the kernel
	 * looks the fd up as it issues the request, and so must the recorder. Submitted naming /dev/null, issued naming the
	 * memory file (dup2 in between): recorded, with the memory file; the other way round: not recorded.
	 */
	long swapped[] = {do_uring_swapped(&ring, -1, (int)fds[0], &more, at, 1),
			  do_uring_swapped(&ring, (int)fds[0], -1, &more, at, 0)};
	/*
	 * The same through a registered slot: slot 3 holds /dev/null (the open above) as the write is submitted, and the
	 * memory file, put there by a FILES_UPDATE linked before it, as it is issued: recorded as it completes.
	 */
	long slot_swapped = do_uring_slot_swapped(&ring, 3, (int)fds[0], &more, at);
	/*
	 * madvise through the ring: MADV_DONTDUMP over the middle page of three (it changes the VMA's flags: recorded as
	 * it completes, with its result), MADV_DODUMP with IOSQE_CQE_SKIP_SUCCESS (recorded as submitted, without a result),
	 * MADV_DONTNEED (changes no flags: not recorded).
	 */
	unsigned long ma = do_mmap(0, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long um[] = {do_uring_madvise(&ring, ma + page, page, MADV_DONTDUMP, 0, 1),
		     do_uring_madvise(&ring, ma + page, page, MADV_DODUMP, 1, 1),
		     do_uring_madvise(&ring, ma, page, MADV_DONTNEED, 0, 0)};
	do_munmap(ma, 3 * page);
	uring_close(&ring);
	if (um[0] != 0 || um[1] != 0 || um[2] != 0) {
		fprintf(stderr, "the io_uring madvise requests returned %ld %ld %ld\n", um[0], um[1], um[2]);
		return 1;
	}
	if (swapped[0] != sizeof(more) || swapped[1] != sizeof(more) || slot_swapped != sizeof(more)) {
		fprintf(stderr, "the swapped io_uring writes returned %ld %ld %ld\n", swapped[0], swapped[1], slot_swapped);
		return 1;
	}
	if (ur[0] != sizeof(more) || ur[1] != sizeof(more) || ur[2] != sizeof(more) || ur[3] != -EIO || ur[4] != sizeof(more)) {
		fprintf(stderr, "the io_uring writes returned %ld %ld %ld %ld %ld\n", ur[0], ur[1], ur[2], ur[3], ur[4]);
		return 1;
	}
	/*
	 * splice and sendfile into the memory file: the kernel refuses both (procfs's mem has no splice_write), which is
	 * why the write calls above are all the recorder watches. A "refused" line gives their results: errors both.
	 */
	int sp[2];
	if (pipe(sp) != 0 || write(sp[1], &more, sizeof(more)) != sizeof(more)) {
		fprintf(stderr, "pipe: %s\n", strerror(errno));
		return 1;
	}
	lseek(fds[0], at, SEEK_SET);
	long spliced = sys_result(splice(sp[0], NULL, fds[0], NULL, sizeof(more), 0));
	int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	off_t exe_off = 0;
	long sent = sys_result(sendfile(fds[0], exe, &exe_off, sizeof(more)));
	printf("refused pid=%d tid=%ld splice=%ld sendfile=%ld\n", getpid(), tid(), spliced, sent);
	fflush(stdout);
	close(exe);
	close(sp[0]);
	close(sp[1]);
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	/* Writes to other files are not recorded: a plain file, /dev/null. */
	char plain[4096];
	snprintf(plain, sizeof(plain), "%s/mapscribe-syscalls-plain-%d", dir, getpid());
	long pfd = do_open(SYS_openat, plain, O_WRONLY | O_CREAT, 0);
	if (pfd >= 0) {
		do_write(SYS_write, pfd, &more, -1, -1, 0);
		do_write(SYS_pwrite64, pfd, &more, 64, 64, 0);
		close(pfd);
	}
	unlink(plain);
	int nul = open("/dev/null", O_WRONLY);
	do_write(SYS_writev, nul, &more, -1, -1, 0);
	close(nul);

	/*
	 * personality(READ_IMPLIES_EXEC) (recorded: PROT_READ then implies PROT_EXEC), and a file on a noexec mount (a
	 * tmpfs mounted so here) mapped PROT_READ under it, which the kernel leaves without PROT_EXEC: its record says the
	 * mount is noexec (MS_FILE_NOEXEC), which the kernel program looks at only for such a task. "noexec" lines give the
	 * mapping and whether its record must say so. A query (persona 0xffffffff) changes nothing and is not recorded.
	 */
	char nx[4096], nxf[4200];
	snprintf(nx, sizeof(nx), "%s/noexec-%d", dir, getpid());
	snprintf(nxf, sizeof(nxf), "%s/f", nx);
	if (mkdir(nx, 0700) != 0 || mount("tmpfs", nx, "tmpfs", MS_NOEXEC, "size=64k") != 0) {
		fprintf(stderr, "mounting a noexec tmpfs on %s failed: %s\n", nx, strerror(errno));
		return 1;
	}
	int xfd = open(nxf, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (xfd < 0 || ftruncate(xfd, 2 * page) != 0) {
		fprintf(stderr, "%s: %s\n", nxf, strerror(errno));
		return 1;
	}
	long plain_map = do_mmap(0, page, PROT_READ, MAP_PRIVATE, xfd, 0);
	printf("noexec pid=%d tid=%ld ret=%ld flagged=0\n", getpid(), tid(), plain_map);
	syscall(SYS_personality, 0xffffffffUL); /* a query */
	do_personality(READ_IMPLIES_EXEC);
	long rie_map = do_mmap(0, page, PROT_READ, MAP_PRIVATE, xfd, 0);
	printf("noexec pid=%d tid=%ld ret=%ld flagged=1\n", getpid(), tid(), rie_map);
	do_personality(PER_LINUX);
	fflush(stdout);

	/*
	 * prctl(PR_SET_MM, PR_SET_MM_EXE_FILE, fd): /proc/PID/exe to name another file, a program showing as another (the
	 * kernel refuses while the old executable is still mapped, EBUSY, or without CAP_SYS_RESOURCE, EPERM: an attempt
	 * worth its record all the same, with the file it named); PR_SET_MM with an option the kernel does not know; and
	 * two prctls that touch no address space (a thread's name, a query), which are not recorded.
	 */
	int exe_fd = open("/usr/bin/true", O_RDONLY | O_CLOEXEC);
	do_prctl(PR_SET_MM, PR_SET_MM_EXE_FILE, (unsigned long)exe_fd, "/usr/bin/true");
	close(exe_fd);
	do_prctl(PR_SET_MM, 999, 0, NULL);
	do_prctl(PR_GET_DUMPABLE, 0, 0, NULL);
	close(xfd);
	do_munmap(plain_map, page);
	do_munmap(rie_map, page);
	umount(nx);
	rmdir(nx);

	/*
	 * A 32-bit call from this 64-bit process: int 0x80 with eax 10 is compat unlink (of its own file, in ebx), with
	 * rdi/rsi/rdx set as a 64-bit mprotect's arguments would be. Read as a 64-bit call (nr 10 is mprotect there) it
	 * would be a successful mprotect of that range to rwx: the kernel programs leave it out, and count it.
	 */
	/* the path where a 32-bit pointer reaches it (ebx): below 4 GiB */
	char *compat_victim = (char *)do_mmap(0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	snprintf(compat_victim, page, "%s/compat-victim-%d", dir, getpid());
	close(open(compat_victim, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	long cret;
	register long cdi asm("rdi") = 0x7f0000000000L;
	register long csi asm("rsi") = 0x10000;
	register long cdx asm("rdx") = PROT_READ | PROT_WRITE | PROT_EXEC;
	asm volatile("int $0x80" : "=a"(cret) : "a"(10L), "b"((long)compat_victim), "r"(cdi), "r"(csi), "r"(cdx) : "memory");
	printf("compat pid=%d tid=%ld nr=10 rdi=%ld rsi=%ld rdx=%ld ret=%ld\n", getpid(), tid(), 0x7f0000000000L, 0x10000L,
	       (long)(PROT_READ | PROT_WRITE | PROT_EXEC), cret);
	fflush(stdout);
	if (cret != 0) {
		fprintf(stderr, "int 0x80 unlink of %s returned %ld\n", compat_victim, cret);
		return 1;
	}
	do_munmap((unsigned long)compat_victim, page);

	/*
	 * A 32-bit process's memory calls, made here with int 0x80 (their numbers and registers are the 32-bit ABI's):
	 * mmap2 (192) of anonymous memory and of a memfd's second page (offset in pages), mprotect (125), pkey_mprotect
	 * (380), madvise (219) with advice that changes the VMA's flags, mremap (163) growing it, munmap (91), old_mmap (90)
	 * of RWX memory, its arguments in memory. The
	 * kernel programs record them as the 64-bit calls they equal: "compat32" lines give each as that 64-bit call.
	 */
	int cmfd = memfd_create("compat32", 0);
	if (cmfd < 0 || ftruncate(cmfd, 2 * page) != 0) {
		fprintf(stderr, "memfd_create: %s\n", strerror(errno));
		return 1;
	}
	long ca = int80(192, 0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("compat32 pid=%d tid=%ld as=mmap addr=0 len=%ld prot=%d flags=%d fd=-1 off=0 ret=%ld\n", getpid(), tid(), page,
	       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, ca);
	long cf = int80(192, 0, page, PROT_READ, MAP_SHARED, cmfd, 1);
	printf("compat32 pid=%d tid=%ld as=mmap addr=0 len=%ld prot=%d flags=%d fd=%d off=%ld ret=%ld\n", getpid(), tid(), page,
	       PROT_READ, MAP_SHARED, cmfd, page, cf);
	long cp = int80(125, ca, page, PROT_READ | PROT_EXEC, 0, 0, 0);
	printf("compat32 pid=%d tid=%ld as=mprotect addr=%ld len=%ld prot=%d ret=%ld\n", getpid(), tid(), ca, page,
	       PROT_READ | PROT_EXEC, cp);
	long ck = int80(380, ca, page, PROT_READ, -1, 0, 0);
	printf("compat32 pid=%d tid=%ld as=pkey_mprotect addr=%ld len=%ld prot=%d pkey=-1 ret=%ld\n", getpid(), tid(), ca, page,
	       PROT_READ, ck);
	long cd = int80(219, ca, page, MADV_DONTDUMP, 0, 0, 0);
	printf("compat32 pid=%d tid=%ld as=madvise addr=%ld len=%ld advice=%d ret=%ld\n", getpid(), tid(), ca, page,
	       MADV_DONTDUMP, cd);
	long cr = int80(163, ca, page, 2 * page, MREMAP_MAYMOVE, 0, 0);
	printf("compat32 pid=%d tid=%ld as=mremap old_addr=%ld old_len=%ld new_len=%ld flags=%d new_addr=0 ret=%ld\n", getpid(),
	       tid(), ca, page, 2 * page, MREMAP_MAYMOVE, cr);
	/* the lock calls: mlock (150), mlock2 (376), munlock (151), mlockall (152), munlockall (153); "nr" is the 64-bit call's */
	long lk[5] = {int80(150, cr, page, 0, 0, 0, 0), int80(376, cr, page, MLOCK_ONFAULT, 0, 0, 0), int80(151, cr, 2 * page, 0, 0, 0, 0),
		      int80(152, MCL_CURRENT, 0, 0, 0, 0, 0), int80(153, 0, 0, 0, 0, 0, 0)};
	printf("compat32 pid=%d tid=%ld as=lock nr=149 arg0=%ld arg1=%ld ret=%ld\n", getpid(), tid(), cr, page, lk[0]);
	printf("compat32 pid=%d tid=%ld as=lock nr=325 arg0=%ld arg1=%ld arg2=%d ret=%ld\n", getpid(), tid(), cr, page, MLOCK_ONFAULT, lk[1]);
	printf("compat32 pid=%d tid=%ld as=lock nr=150 arg0=%ld arg1=%ld ret=%ld\n", getpid(), tid(), cr, 2 * page, lk[2]);
	printf("compat32 pid=%d tid=%ld as=lock nr=151 arg0=%d ret=%ld\n", getpid(), tid(), MCL_CURRENT, lk[3]);
	printf("compat32 pid=%d tid=%ld as=lock nr=152 ret=%ld\n", getpid(), tid(), lk[4]);
	long cu = int80(91, cr, 2 * page, 0, 0, 0, 0);
	printf("compat32 pid=%d tid=%ld as=munmap addr=%ld len=%ld ret=%ld\n", getpid(), tid(), cr, 2 * page, cu);
	long cu2 = int80(91, cf, page, 0, 0, 0, 0);
	printf("compat32 pid=%d tid=%ld as=munmap addr=%ld len=%ld ret=%ld\n", getpid(), tid(), cf, page, cu2);
	/*
	 * brk (45) by int 0x80 from this 64-bit process: its number is recvfrom's in 64-bit mode, so the kernel program
	 * tells them apart by the registers a SYSCALL instruction leaves. The break queried, then moved up a page: ebx holds
	 * 32 bits, so a heap above 4 GiB (a PIE's) cannot be named and the call returns the break unchanged; one below (a
	 * non-PIE program's, where shellcode can grow the heap so) moves, and is moved back.
	 */
	long bq = int80(45, 0, 0, 0, 0, 0, 0);
	unsigned long want = (unsigned int)(bq + page);
	long bu = int80(45, (long)want, 0, 0, 0, 0, 0);
	printf("brk pid=%d tid=%ld addr=0 ret=%ld compat=1\n", getpid(), tid(), bq);
	printf("brk pid=%d tid=%ld addr=%lu ret=%ld compat=1\n", getpid(), tid(), want, bu);
	if (bu != bq)
		printf("brk pid=%d tid=%ld addr=%lu ret=%ld compat=1\n", getpid(), tid(), (unsigned long)(unsigned int)bq,
		       int80(45, (unsigned int)bq, 0, 0, 0, 0, 0));
	/* old_mmap (90): its six arguments in memory a 32-bit pointer reaches, as classic 32-bit shellcode passes them */
	unsigned int *oargs = (unsigned int *)do_mmap(0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	oargs[0] = 0;
	oargs[1] = (unsigned int)page;
	oargs[2] = PROT_READ | PROT_WRITE | PROT_EXEC;
	oargs[3] = MAP_PRIVATE | MAP_ANONYMOUS;
	oargs[4] = (unsigned int)-1;
	oargs[5] = 0;
	long co = int80(90, (long)oargs, 0, 0, 0, 0, 0);
	printf("compat32 pid=%d tid=%ld as=mmap addr=0 len=%ld prot=%d flags=%d fd=-1 off=0 ret=%ld\n", getpid(), tid(), page,
	       PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, co);
	long cu3 = int80(91, co, page, 0, 0, 0, 0);
	printf("compat32 pid=%d tid=%ld as=munmap addr=%ld len=%ld ret=%ld\n", getpid(), tid(), co, page, cu3);
	/* ... of shared anonymous memory, whose VMA has a file (shmem's "dev/zero"): recorded anonymous all the same */
	oargs[2] = PROT_READ | PROT_WRITE;
	oargs[3] = MAP_SHARED | MAP_ANONYMOUS;
	long cs = int80(90, (long)oargs, 0, 0, 0, 0, 0);
	printf("compat32 pid=%d tid=%ld as=mmap addr=0 len=%ld prot=%d flags=%d fd=-1 off=0 ret=%ld\n", getpid(), tid(), page,
	       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, cs);
	long cu4 = int80(91, cs, page, 0, 0, 0, 0);
	printf("compat32 pid=%d tid=%ld as=munmap addr=%ld len=%ld ret=%ld\n", getpid(), tid(), cs, page, cu4);
	do_munmap((unsigned long)oargs, page);
	fflush(stdout);
	close(cmfd);
	if (bq <= 0 || (bu != bq && bu != bq + page)) {
		fprintf(stderr, "the int 0x80 brk calls returned %ld %ld\n", bq, bu);
		return 1;
	}
	if (ca < 0 || ca >= (1L << 32) || cf < 0 || cp != 0 || ck != 0 || cd != 0 || cr < 0 || cu != 0 || cu2 != 0 || co < 0
	    || cu3 != 0 || cs < 0 || cu4 != 0 || lk[0] != 0 || lk[1] != 0 || lk[2] != 0 || lk[3] != 0 || lk[4] != 0) {
		fprintf(stderr, "the 32-bit calls failed: %ld %ld %ld %ld %ld %ld %ld %ld\n", ca, cf, cp, ck, cd, cr, cu, cu2);
		return 1;
	}

	/* io_uring_setup: what a process reads and writes through its ring passes no syscall the programs see; that it
	 * set one up is recorded (entries, the params pointer, the ring's fd). */
	struct io_uring_params uparams;
	memset(&uparams, 0, sizeof(uparams));
	long ufd = sys_result(syscall(SYS_io_uring_setup, 4, &uparams));
	printf("io_uring_setup pid=%d tid=%ld entries=4 params=%lu ret=%ld\n", getpid(), tid(), (unsigned long)&uparams, ufd);
	fflush(stdout);
	if (ufd >= 0)
		close(ufd);
	syscall(SYS_ptrace, PTRACE_CONT, tracee, 0, 0);
	waitpid(tracee, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "the tracee did not see the word written into it\n");
		return 1;
	}

	/* The heap. */
	unsigned long cur = do_brk(0);
	do_brk(cur + 16 * page);
	do_brk(cur);

	/* A child that maps memory and exits with 7. */
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		do_mmap(0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		printf("exit_group pid=%d tid=%ld code=7\n", getpid(), tid());
		fflush(stdout);
		syscall(SYS_exit_group, 7);
	}
	printf("fork pid=%d child=%d\n", getpid(), child);
	fflush(stdout);
	int status;
	waitpid(child, &status, 0);

	/* A 32-bit process (process32.c, when its path is given): its brk, shmat and shmdt calls, made from 32-bit code,
	 * log their own lines. */
	if (argc > 2) {
		pid_t b32 = fork();
		if (b32 == 0) {
			execl(argv[2], "process32", (char *)0);
			_exit(127);
		}
		printf("fork pid=%d child=%d\n", getpid(), b32);
		fflush(stdout);
		waitpid(b32, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "%s failed (status %d)\n", argv[2], status);
			return 1;
		}
	}

	/* A successful exec in a child, and a failing one here. */
	pid_t execer = fork();
	if (execer == 0) {
		execl("/bin/true", "true", "mapscribe-arg", (char *)0);
		_exit(127);
	}
	printf("fork pid=%d child=%d\n", getpid(), execer);
	printf("exec pid=%d path=/bin/true\n", execer);
	fflush(stdout);
	waitpid(execer, &status, 0);

	long r = sys_result(syscall(SYS_execve, "/nonexistent/mapscribe", (char *[]){"x", 0}, (char *[]){0}));
	printf("execve pid=%d tid=%ld path=/nonexistent/mapscribe ret=%ld\n", getpid(), tid(), r);
	fflush(stdout);

	/* exit(2) from a thread: the thread ends, its process goes on. */
	pthread_t thread;
	if (pthread_create(&thread, NULL, thread_exit, NULL) != 0) {
		fprintf(stderr, "pthread_create failed\n");
		return 1;
	}
	pthread_join(thread, NULL); /* the kernel wakes the joiner when the thread's tid is cleared at exit */

	/* exit(2), not exit_group(2): the process's only thread ends it. */
	pid_t exiter = fork();
	if (exiter == 0) {
		printf("exit pid=%d tid=%ld code=5 last=1\n", getpid(), tid());
		fflush(stdout);
		syscall(SYS_exit, 5);
	}
	printf("fork pid=%d child=%d\n", getpid(), exiter);
	fflush(stdout);
	waitpid(exiter, &status, 0);

	/* Killed by a signal: wherever the child was, it never called exit or exit_group. */
	pid_t victim = fork();
	if (victim == 0) {
		for (;;)
			pause();
	}
	printf("fork pid=%d child=%d\n", getpid(), victim);
	kill(victim, SIGKILL);
	waitpid(victim, &status, 0);
	printf("killed pid=%d signal=%d\n", victim, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	fflush(stdout);

	/* The task's context changes without an exec: each change must reach the journal before the next call. */
	prctl(PR_SET_NAME, "renamed");
	printf("rename pid=%d tid=%ld comm=renamed\n", getpid(), tid());
	fflush(stdout);
	on_cpu(0);
	do_mmap(0, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/*
	 * A change made, and undone, on another CPU: the kernel side keeps a per-CPU note of the last task it
	 * recorded, which must not take "renamed" on CPU 0 for still true once CPU 1 has said "elsewhere".
	 */
	on_cpu(1);
	prctl(PR_SET_NAME, "elsewhere");
	printf("rename pid=%d tid=%ld comm=elsewhere\n", getpid(), tid());
	fflush(stdout);
	do_mmap(0, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	prctl(PR_SET_NAME, "renamed");
	printf("rename pid=%d tid=%ld comm=renamed\n", getpid(), tid());
	fflush(stdout);
	on_cpu(0);
	do_mmap(0, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	on_cpu(-1);
	if (setgid(65534) != 0) {
		perror("setgid");
		return 1;
	}
	printf("setgid pid=%d tid=%ld gid=65534\n", getpid(), tid());
	fflush(stdout);
	do_mmap(0, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return 0;
}
