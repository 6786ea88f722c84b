/*
 * regions.c — a known sequence of memory-mapping calls, with /proc/self/maps dumped at checkpoints.
 *
 * The analyzer's end-to-end test records this program, then compares the regions it rebuilt (valid at each
 * checkpoint's CLOCK_MONOTONIC time, the clock the kernel records stamp with bpf_ktime_get_ns) with the dump,
 * and the alerts it derived with the EXPECT lines.
 *
 * Output, on stdout only:
 *   PID <pid>                                 first line: whose regions to compare
 *   CHECKPOINT <n> <label> <monotonic ns>     taken before the maps are read
 *   <the lines of /proc/self/maps>
 *   END <n>
 *   EXPECT mem_prot_alert <addr hex> <len> <alert string>   one per alert the step must raise
 *   EXPECT mmap_exec <addr hex> <len> <what>                  one per file mapped executable
 *   EXPECT failed <syscall> <errno>                           a call that must fail (its partial effect is in the next dump)
 *   EXPECT vmas <addr hex> <len> <what>                       every maps line of the next dump inside the range must be
 *                                                             exactly one region (the kernel kept those VMAs apart, or merged them)
 *   CALL <syscall> <args and result, hex>                     every mapping call, as the kernel saw it:
 *        mmap addr len prot flags fd off ret [ino dev_major dev_minor]   (the file part for file mappings)
 *        mprotect addr len prot ret | pkey_mprotect addr len prot pkey ret | munmap addr len ret
 *        mremap old_addr old_len new_len flags new_addr ret | brk start_brk ret | madvise addr len advice ret
 *        shmat shmid shmaddr shmflg ret size | shmdt shmaddr ret | mseal addr len flags ret
 *        mlock addr len ret | mlock2 addr len flags ret | munlock addr len ret | mlockall flags ret | munlockall ret
 *        personality persona ret | io_setup nr_events ctx ring_len ret ino (the ring's, from the maps) | io_destroy ctx ret
 *        remap_file_pages start size prot pgoff flags ret
 *        process_madvise advice ret base len [base len ...]   (the iovecs, of the caller's own process)
 *      ret is the raw result: an address, 0, or -errno.
 *
 * No stdio buffers and no malloc, so the program's own output does not move its heap between checkpoints.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "checkpoint.h"
#include "int80.h"
#include "uring.h"
#include <linux/aio_abi.h>

#define P 4096UL

static void expect_alert(void *addr, unsigned long len, const char *alert)
{
	emit("EXPECT mem_prot_alert %lx %lu %s\n", (unsigned long)addr, len, alert);
}

static long result(long r)
{
	return r == -1 ? -errno : r;
}

#define MPOL_DEFAULT_ 0
#define MPOL_PREFERRED_ 1

/* mbind(2) of [addr, addr + len) with a policy of `mode` on the nodes of `nodes` (node 0: 1); it must succeed. */
static void set_policy(void *addr, unsigned long len, int mode, unsigned long nodes)
{
	long ret = result(syscall(SYS_mbind, addr, len, mode, mode == MPOL_DEFAULT_ ? NULL : &nodes, mode == MPOL_DEFAULT_ ? 0 : 64, 0));
	emit("CALL mbind %lx %lx %x %lx %lx\n", (unsigned long)addr, len, mode, nodes, ret);
	if (ret != 0)
		die("mbind");
}

static void *map(void *hint, unsigned long len, int prot, int flags, int fd, off_t off)
{
	void *p = mmap(hint, len, prot, flags, fd, off);
	long ret = p == MAP_FAILED ? -errno : (long)p;
	if (fd >= 0 && !(flags & MAP_ANONYMOUS)) {
		struct stat st;
		if (fstat(fd, &st) != 0)
			die("fstat");
		emit("CALL mmap %lx %lx %x %x %x %lx %lx %lx %x %x\n", (unsigned long)hint, len, prot, flags, fd,
		     (unsigned long)off, ret, (unsigned long)st.st_ino, major(st.st_dev), minor(st.st_dev));
	} else {
		emit("CALL mmap %lx %lx %x %x %x %lx %lx\n", (unsigned long)hint, len, prot, flags, fd, (unsigned long)off, ret);
	}
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static int try_protect(void *addr, unsigned long len, int prot)
{
	long ret = result(mprotect(addr, len, prot));
	emit("CALL mprotect %lx %lx %x %lx\n", (unsigned long)addr, len, prot, ret);
	return (int)ret;
}

static void protect(void *addr, unsigned long len, int prot)
{
	if (try_protect(addr, len, prot) != 0)
		die("mprotect");
}

static void unmap(void *addr, unsigned long len)
{
	long ret = result(munmap(addr, len));
	emit("CALL munmap %lx %lx %lx\n", (unsigned long)addr, len, ret);
	if (ret != 0)
		die("munmap");
}

/*
 * process_madvise of this process itself, through a pidfd: the kernel takes any advice for the caller's own process
 * since 6.13 (before, EINVAL for advice like MADV_DONTDUMP: nothing changes, and the dump shows it).
 */
static long process_advise(int pidfd, const struct iovec *iov, int n, int advice)
{
	long ret = result(syscall(SYS_process_madvise, pidfd, iov, (unsigned long)n, advice, 0U));
	emit("CALL process_madvise %x %lx", advice, ret);
	for (int i = 0; i < n; i++)
		emit(" %lx %lx", (unsigned long)iov[i].iov_base, (unsigned long)iov[i].iov_len);
	emit("\n");
	return ret;
}

static void advise(void *addr, unsigned long len, int advice)
{
	long ret = result(madvise(addr, len, advice));
	emit("CALL madvise %lx %lx %x %lx\n", (unsigned long)addr, len, advice, ret);
	if (ret != 0)
		die("madvise");
}

/*
 * The size and inode of the VMA that starts at addr, from /proc/self/maps read into the dump buffer (no allocation);
 * size 0 if there is none.
 */
static unsigned long vma_at(unsigned long addr, unsigned long *ino)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	ssize_t r, len = 0;
	while (fd >= 0 && (r = read(fd, maps + len, sizeof(maps) - 1 - len)) > 0)
		len += r;
	if (fd >= 0)
		close(fd);
	maps[len > 0 ? len : 0] = 0;
	for (char *line = maps; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line)) {
		char *p;
		unsigned long start = strtoul(line, &p, 16), end = strtoul(p + 1, &p, 16);
		if (start != addr)
			continue;
		/* start-end perms offset dev inode path */
		strtoul(p + 6, &p, 16);       /* offset */
		strtoul(strchr(p, ':') + 1, &p, 16); /* dev */
		*ino = strtoul(p, NULL, 10);
		return end - start;
	}
	return 0;
}

/* io_setup (the ring's address and size, as the kernel mapped it) and io_destroy, each a CALL line. */
static unsigned long aio_setup(unsigned nr_events)
{
	aio_context_t ctx = 0;
	long ret = result(syscall(SYS_io_setup, nr_events, &ctx));
	unsigned long ino = 0, len = vma_at(ctx, &ino);
	emit("CALL io_setup %x %lx %lx %lx %lx\n", nr_events, (unsigned long)ctx, len, ret, ino);
	if (ret != 0)
		die("io_setup");
	return ctx;
}

static void aio_destroy(unsigned long ctx)
{
	long ret = result(syscall(SYS_io_destroy, ctx));
	emit("CALL io_destroy %lx %lx\n", ctx, ret);
	if (ret != 0)
		die("io_destroy");
}

/* mlock, mlock2 and munlock: nr names the call, flags is mlock2's only. */
static void lock(const char *name, long nr, void *addr, unsigned long len, int flags)
{
	long ret = result(nr == SYS_mlock2 ? syscall(nr, addr, len, flags) : syscall(nr, addr, len));
	if (nr == SYS_mlock2)
		emit("CALL %s %lx %lx %x %lx\n", name, (unsigned long)addr, len, flags, ret);
	else
		emit("CALL %s %lx %lx %lx\n", name, (unsigned long)addr, len, ret);
	if (ret != 0)
		die(name);
}

static char *attach(int id, unsigned long size, int flags)
{
	void *p = shmat(id, NULL, flags);
	long ret = p == (void *)-1 ? -errno : (long)p;
	emit("CALL shmat %x 0 %x %lx %lx\n", id, flags, ret, size);
	if (ret < 0)
		die("shmat");
	return p;
}

static void *remap(void *old, unsigned long old_len, unsigned long new_len, int flags, void *new_addr)
{
	void *p = mremap(old, old_len, new_len, flags, new_addr);
	long ret = p == MAP_FAILED ? -errno : (long)p;
	emit("CALL mremap %lx %lx %lx %x %lx %lx\n", (unsigned long)old, old_len, new_len, flags, (unsigned long)new_addr, ret);
	if (p == MAP_FAILED)
		die("mremap");
	return p;
}

int main(void)
{
	static const char *X_ADD = "Protection changed to Executable!";
	static const char *W_ADD = "Protection changed from E to W+E!";
	static const char *W_REM = "Protection changed from W+E to E!";

	emit("PID %d\n", (int)getpid());
	checkpoint(0, "start");

	/* 1. An RWX anonymous mapping. */
	char *rwx = map(NULL, 6 * P, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	expect_alert(rwx, 6 * P, "Mmaped region with W+E permissions!");
	memset(rwx, 0xc3, 6 * P);
	checkpoint(1, "rwx-mmap");

	/* 2. RW <-> RX flips, JIT style. */
	char *jit = map(NULL, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(jit, 0x90, 4 * P);
	protect(jit, 4 * P, PROT_READ | PROT_EXEC);
	expect_alert(jit, 4 * P, X_ADD);
	protect(jit, 4 * P, PROT_READ | PROT_WRITE | PROT_EXEC);
	expect_alert(jit, 4 * P, W_ADD);
	protect(jit, 4 * P, PROT_READ | PROT_EXEC);
	expect_alert(jit, 4 * P, W_REM);
	protect(jit, 4 * P, PROT_READ | PROT_WRITE); /* removing X raises nothing */
	checkpoint(2, "flips");

	/* 3. Partial mprotect: the middle page of the JIT area only, len not a page multiple. */
	protect(jit + P, 100, PROT_READ | PROT_EXEC);
	expect_alert(jit + P, P, X_ADD);
	checkpoint(3, "partial-mprotect");

	/* 4. mremap: grow (in place or moved), move to a fixed place, shrink. */
	char *area = map(NULL, 16 * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); /* a place to move to */
	char *grow = map(NULL, 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	grow[0] = 1;
	grow = remap(grow, 2 * P, 4 * P, MREMAP_MAYMOVE, NULL);
	char *moved = remap(grow, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, area + 4 * P);
	remap(moved, 4 * P, P, 0, NULL);
	checkpoint(4, "mremap");

	/* 5. MAP_FIXED over pages of the RWX mapping: a read-only page replaces the second one. */
	map(rwx + P, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	checkpoint(5, "map-fixed");

	/* 6. munmap holes. */
	unmap(rwx + 3 * P, P);
	unmap(area + 10 * P, 2 * P);
	checkpoint(6, "munmap-holes");

	/* 7. A failed mprotect over a hole: the kernel changes what lies before the hole, then says ENOMEM. */
	int err = try_protect(rwx + 2 * P, 3 * P, PROT_READ);
	if (err == 0)
		die("mprotect over a hole succeeded");
	emit("EXPECT failed mprotect %d\n", -err);
	checkpoint(7, "mprotect-enomem");

	/* 8. A memfd mapped twice: RW to write code, RX to run it. */
	int mfd = memfd_create("regions", 0);
	if (mfd < 0)
		die("memfd_create");
	if (ftruncate(mfd, 2 * P) != 0)
		die("ftruncate");
	char *w = map(NULL, 2 * P, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	memset(w, 0xc3, 2 * P);
	char *x = map(NULL, 2 * P, PROT_READ | PROT_EXEC, MAP_SHARED, mfd, 0);
	emit("EXPECT mmap_exec %lx %lu memfd:regions\n", (unsigned long)x, 2 * P);
	checkpoint(8, "memfd-twice");

	/* 9. MREMAP_DONTUNMAP: the old range stays mapped, emptied. */
	char *src = map(NULL, 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	src[0] = 1;
	/* With DONTUNMAP the kernel reads the fifth argument as a hint, and it must be page aligned: pass NULL. */
	remap(src, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	checkpoint(9, "dontunmap");

	/* 10. pkey_mprotect with pkey -1 behaves as mprotect; then the heap grows by brk. */
	long pret = result(syscall(SYS_pkey_mprotect, src, P, PROT_READ | PROT_EXEC, -1));
	emit("CALL pkey_mprotect %lx %lx %x %x %lx\n", (unsigned long)src, P, PROT_READ | PROT_EXEC, -1, pret);
	if (pret != 0)
		die("pkey_mprotect");
	expect_alert(src, P, X_ADD);
	/* The heap: brk straight from the kernel, so the start and the result are exact. */
	unsigned long start_brk = (unsigned long)syscall(SYS_brk, 0);
	unsigned long brk_ret = (unsigned long)syscall(SYS_brk, start_brk + 8 * P + 100);
	emit("CALL brk %lx %lx\n", start_brk, brk_ret);
	checkpoint(10, "pkey-brk");

	/*
	 * 11. VMAs kept apart, or merged, by flags maps does not show. Two anonymous RW mappings side by side, one under
	 * MAP_NORESERVE (VM_NORESERVE), stay two VMAs, so making both executable changes two VMAs: two alerts. A private
	 * file mapping under MAP_NORESERVE made writable is not charged (no VM_ACCOUNT), so it merges with its writable
	 * neighbour under MAP_NORESERVE. PROT_NONE guard pages around each keep other mappings from merging in. Where the
	 * kernel ignores MAP_NORESERVE (vm.overcommit_memory 2), the first two merge: one alert.
	 */
	int never = 0;
	int ofd = open("/proc/sys/vm/overcommit_memory", O_RDONLY);
	char mode = 0;
	if (ofd >= 0 && read(ofd, &mode, 1) == 1)
		never = mode == '2';
	if (ofd >= 0)
		close(ofd);
	char *nr = map(NULL, 6 * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	map(nr + P, 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	map(nr + 3 * P, 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	protect(nr + P, 4 * P, PROT_READ | PROT_EXEC);
	if (never) {
		expect_alert(nr + P, 4 * P, X_ADD);
	} else {
		expect_alert(nr + P, 2 * P, X_ADD);
		expect_alert(nr + 3 * P, 2 * P, X_ADD);
	}
	emit("EXPECT vmas %lx %lu anonymous-noreserve\n", (unsigned long)nr, 6 * P);
	int nfd = memfd_create("noreserve", 0);
	if (nfd < 0 || ftruncate(nfd, 2 * P) != 0)
		die("memfd_create");
	char *fr = map(NULL, 4 * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	map(fr + P, P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, nfd, 0);
	map(fr + 2 * P, P, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, nfd, P);
	protect(fr + 2 * P, P, PROT_READ | PROT_WRITE);
	emit("EXPECT vmas %lx %lu file-noreserve\n", (unsigned long)fr, 4 * P);
	/*
	 * MAP_DROPPABLE (6.11+; glibc 2.41 keeps getrandom's state so): private anonymous memory the kernel never charges,
	 * wipes in a child and keeps out of core dumps, so it stays apart from an ordinary neighbour. Kernels without it
	 * refuse the type: the step then checks nothing.
	 */
	char *dr = map(NULL, 6 * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *dp = mmap(dr + P, 2 * P, PROT_READ | PROT_WRITE, 0x08 /* MAP_DROPPABLE */ | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	emit("CALL mmap %lx %lx %x %x %x %lx %lx\n", (unsigned long)(dr + P), 2 * P, PROT_READ | PROT_WRITE,
	     0x08 | MAP_ANONYMOUS | MAP_FIXED, -1, 0UL, dp == MAP_FAILED ? -errno : (long)dp);
	if (dp != MAP_FAILED) {
		map(dr + 3 * P, 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		emit("EXPECT vmas %lx %lu droppable\n", (unsigned long)dr, 6 * P);
	}
	checkpoint(11, "noreserve");

	/*
	 * 12. madvise advice that changes VMA flags splits the VMAs it cuts: MADV_DONTDUMP over the middle of an RW
	 * mapping leaves three VMAs, and making the whole executable changes three VMAs: three alerts.
	 */
	char *md = map(NULL, 6 * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	map(md + P, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	advise(md + 2 * P, 2 * P, MADV_DONTDUMP);
	protect(md + P, 4 * P, PROT_READ | PROT_EXEC);
	expect_alert(md + P, P, X_ADD);
	expect_alert(md + 2 * P, 2 * P, X_ADD);
	expect_alert(md + 4 * P, P, X_ADD);
	emit("EXPECT vmas %lx %lu madvise\n", (unsigned long)md, 6 * P);
	checkpoint(12, "madvise");

	/*
	 * 13. A System V shared memory segment attached executable (SHM_EXEC: read, write and exec), which kunai's hook
	 * sees as a file mapped executable (security_mmap_file), and attached again read-only; part of the first
	 * attach made read-only, then shmdt of the first: both of its pieces go, the second attach stays.
	 */
	int shm = shmget(IPC_PRIVATE, 3 * P, IPC_CREAT | 0600);
	if (shm < 0)
		die("shmget");
	char *sx = attach(shm, 3 * P, SHM_EXEC);
	emit("EXPECT mmap_exec %lx %lu SYSV\n", (unsigned long)sx, 3 * P);
	char *sr = attach(shm, 3 * P, SHM_RDONLY);
	protect(sx + P, P, PROT_READ);
	long dret = result(shmdt(sx));
	emit("CALL shmdt %lx %lx\n", (unsigned long)sx, dret);
	if (dret != 0 || shmctl(shm, IPC_RMID, NULL) != 0)
		die("shmdt");
	checkpoint(13, "shm");
	(void)sr;

	/*
	 * 14. mseal (6.10+) seals the middle page of an RW mapping (a VMA of its own from then on); an mprotect over the
	 * three pages changes the first, is refused by the sealed one (EPERM) and leaves the last as it was (6.18 checks
	 * the seal VMA by VMA; the first mseal kernels checked the whole range first). Kernels without mseal (ENOSYS) or
	 * 32-bit ones: the step checks nothing.
	 */
	char *se = map(NULL, 5 * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	map(se + P, 3 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	long sret = result(syscall(462 /* mseal */, se + 2 * P, P, 0));
	emit("CALL mseal %lx %lx 0 %lx\n", (unsigned long)(se + 2 * P), P, sret);
	if (sret == 0) {
		int perr = try_protect(se + P, 3 * P, PROT_READ);
		if (perr != -EPERM)
			die("mprotect over a sealed page did not say EPERM");
		emit("EXPECT failed mprotect %d\n", -perr);
		emit("EXPECT vmas %lx %lu mseal\n", (unsigned long)se, 5 * P);
	}
	checkpoint(14, "mseal");

	/*
	 * 15. mlock locks two pages of six (VM_LOCKED: the kernel splits the VMA at the range's edges), mlock2 locks a
	 * later one as its pages fault (MLOCK_ONFAULT: VM_LOCKONFAULT too, a flag of its own), munlock unlocks the
	 * second locked page, which joins the unlocked page after it.
	 */
	char *lk = map(NULL, 6 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	lock("mlock", SYS_mlock, lk + P, 2 * P, 0);
	lock("mlock2", SYS_mlock2, lk + 4 * P, P, MLOCK_ONFAULT);
	lock("munlock", SYS_munlock, lk + 2 * P, P, 0);
	emit("EXPECT vmas %lx %lu mlock\n", (unsigned long)lk, 6 * P);
	checkpoint(15, "mlock");

	/*
	 * 16. mlockall(MCL_FUTURE) locks every mapping made from then on (it lies apart from an unlocked neighbour with
	 * the same attributes, made just before); munlockall then unlocks everything: the six pages are one VMA again.
	 */
	char *before = map(NULL, 4 * P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long aret = result(mlockall(MCL_FUTURE));
	emit("CALL mlockall %x %lx\n", MCL_FUTURE, aret);
	if (aret != 0)
		die("mlockall");
	map(before + P, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0); /* locked, between two that are not */
	emit("EXPECT vmas %lx %lu mlockall\n", (unsigned long)before, 4 * P);
	checkpoint(16, "mlockall");
	long uret = result(munlockall());
	emit("CALL munlockall %lx\n", uret);
	if (uret != 0)
		die("munlockall");
	emit("EXPECT vmas %lx %lu munlockall-lk\n", (unsigned long)lk, 6 * P);
	checkpoint(17, "munlockall");

	/*
	 * 18. personality(READ_IMPLIES_EXEC): PROT_READ implies PROT_EXEC for this task's mmap, mprotect and brk, with no
	 * PROT_EXEC in any call. An anonymous RW mapping comes out rwx (tracee's W+E alert), the memfd mapped read-only
	 * r-x (an mmap_exec), an RW page made read-only r-x (an alert), a page mapped write-only stays so; the heap grows
	 * rwx, apart from its rw- part. Then the default personality again.
	 */
	char *rw = map(NULL, P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long pers = result(personality(READ_IMPLIES_EXEC));
	emit("CALL personality %x %lx\n", READ_IMPLIES_EXEC, pers);
	if (pers < 0)
		die("personality");
	char *ri = map(NULL, 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	expect_alert(ri, 2 * P, "Mmaped region with W+E permissions!");
	char *rf = map(NULL, P, PROT_READ, MAP_PRIVATE, mfd, 0);
	emit("EXPECT mmap_exec %lx %lu memfd:regions\n", (unsigned long)rf, P);
	map(NULL, P, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	protect(rw, P, PROT_READ);
	expect_alert(rw, P, X_ADD);
	unsigned long heap_end = (unsigned long)syscall(SYS_brk, 0);
	unsigned long grown = (unsigned long)syscall(SYS_brk, heap_end + 2 * P);
	emit("CALL brk %lx %lx\n", start_brk, grown);
	pers = result(personality(PER_LINUX));
	emit("CALL personality %x %lx\n", PER_LINUX, pers);
	checkpoint(18, "read-implies-exec");

	/*
	 * 19. 32-bit calls (int 0x80, as a 32-bit process makes them): mmap2 of four RW pages (placed below 4 GiB),
	 * mprotect of the middle two to RX (an alert), munmap of the last one. The recorder records each as the 64-bit call
	 * it equals; the CALL lines give them so.
	 */
	long c32 = int80(192, 0, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	emit("CALL mmap %lx %lx %x %x %x %lx %lx\n", 0UL, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0UL, c32);
	if (c32 < 0 || c32 >= (1L << 32))
		die("int 0x80 mmap2");
	long p32 = int80(125, c32 + P, 2 * P, PROT_READ | PROT_EXEC, 0, 0, 0);
	emit("CALL mprotect %lx %lx %x %lx\n", (unsigned long)c32 + P, 2 * P, PROT_READ | PROT_EXEC, p32);
	if (p32 != 0)
		die("int 0x80 mprotect");
	expect_alert((void *)(c32 + P), 2 * P, X_ADD);
	long u32 = int80(91, c32 + 3 * P, P, 0, 0, 0, 0);
	emit("CALL munmap %lx %lx %lx\n", (unsigned long)c32 + 3 * P, P, u32);
	if (u32 != 0)
		die("int 0x80 munmap");
	checkpoint(19, "int80");

	/*
	 * 20. madvise through an io_uring (IORING_OP_MADVISE, no madvise syscall): MADV_DONTDUMP over the middle of three
	 * RW pages splits them into three VMAs, as the syscall does. The recorder records the request as it completes,
	 * with its result; the CALL line gives it as the madvise it is. The ring is unmapped again before the dump.
	 */
	struct uring ring;
	if (uring_open(&ring, 4) != 0)
		die("io_uring_setup");
	char *um = map(NULL, 3 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct io_uring_sqe sqe;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_MADVISE;
	sqe.fd = -1;
	sqe.addr = (unsigned long)(um + P);
	sqe.len = P;
	sqe.fadvise_advice = MADV_DONTDUMP;
	long ur = uring_run(&ring, &sqe);
	emit("CALL madvise %lx %lx %x %lx\n", (unsigned long)(um + P), P, MADV_DONTDUMP, ur);
	if (ur != 0)
		die("io_uring madvise");
	uring_close(&ring);
	emit("EXPECT vmas %lx %lu io_uring madvise\n", (unsigned long)um, 3 * P);
	checkpoint(20, "uring-madvise");

	/*
	 * 21. The AIO rings io_setup maps with no mmap call (rw-s "/[aio] (deleted)", VM_DONTEXPAND): two, of 8 and 1000
	 * events (one page, and several), the first unmapped again by io_destroy.
	 */
	unsigned long aio1 = aio_setup(8);
	aio_setup(1000);
	aio_destroy(aio1);
	checkpoint(21, "aio");

	/*
	 * 22. remap_file_pages (emulated since 3.16 by a MAP_FIXED mmap of the VMA's file): a memfd's four pages mapped
	 * shared, then its page 3 mapped over the mapping's second page: three VMAs, offsets 0, 0x3000 and 0x2000.
	 */
	int rfd = memfd_create("remap", 0);
	if (rfd < 0 || ftruncate(rfd, 4 * P) != 0)
		die("memfd_create");
	char *rm = map(NULL, 4 * P, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0);
	long rr = result(remap_file_pages(rm + P, P, 0, 3, 0));
	emit("CALL remap_file_pages %lx %lx %x %x %x %lx\n", (unsigned long)(rm + P), P, 0, 3, 0, rr);
	if (rr != 0)
		die("remap_file_pages");
	emit("EXPECT vmas %lx %lu remap_file_pages\n", (unsigned long)rm, 4 * P);
	checkpoint(22, "remap-file-pages");

	/*
	 * 23. mbind: the kernel merges two VMAs only when their NUMA policies are equal, so a policy on part of a mapping
	 * is a VMA of its own. Four RW pages; MPOL_PREFERRED on node 0 for the second and third (three VMAs), the same for
	 * the fourth (it merges with them: two), MPOL_DEFAULT for the third (four); then PROT_READ|PROT_EXEC over all
	 * four: an alert for each VMA.
	 */
	char *mb = map(NULL, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	set_policy(mb + P, 2 * P, MPOL_PREFERRED_, 1);
	set_policy(mb + 3 * P, P, MPOL_PREFERRED_, 1);
	set_policy(mb + 2 * P, P, MPOL_DEFAULT_, 0);
	protect(mb, 4 * P, PROT_READ | PROT_EXEC);
	for (int k = 0; k < 4; k++)
		expect_alert(mb + k * P, P, X_ADD);
	emit("EXPECT vmas %lx %lu mbind\n", (unsigned long)mb, 4 * P);
	checkpoint(23, "mbind");

	/*
	 * 24. process_madvise of the caller's own process, with advice that splits VMAs and no madvise call: MADV_DONTDUMP
	 * over pages 1 and 3-4 of six RW pages (five VMAs); then MADV_DONTFORK over page 0 of four RW pages and over pages
	 * 1-3, whose page 2 is a hole: the kernel advises the first range whole and the mapped parts of the second before
	 * ENOMEM, which the call does not return: it returns the first range's bytes (the analyzer infers the error).
	 */
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		die("pidfd_open");
	char *pa = map(NULL, 6 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec dump[2] = {{pa + P, P}, {pa + 3 * P, 2 * P}};
	process_advise(pidfd, dump, 2, MADV_DONTDUMP);
	emit("EXPECT vmas %lx %lu process_madvise\n", (unsigned long)pa, 6 * P);
	char *ph = map(NULL, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unmap(ph + 2 * P, P);
	struct iovec fork_[2] = {{ph, P}, {ph + P, 3 * P}};
	process_advise(pidfd, fork_, 2, MADV_DONTFORK);
	emit("EXPECT vmas %lx %lu process_madvise over a hole\n", (unsigned long)ph, 4 * P);
	close(pidfd);
	checkpoint(24, "process-madvise");

	(void)w;
	return 0;
}
