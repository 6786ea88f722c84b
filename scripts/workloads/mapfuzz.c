/*
 * mapfuzz.c — a seeded random sequence of mmap, mprotect, pkey_mprotect, munmap, mremap, brk, madvise (advice
 * that changes VMA flags; also through process_madvise of the process itself, over one to three ranges) and lock (mlock, mlock2, munlock, mlockall, munlockall, MAP_LOCKED) calls in a small arena
 * (MAP_FIXED, MAP_FIXED_NOREPLACE, hints, holes, failing calls, shared and private, anonymous and
 * file, a read-only file that refuses PROT_WRITE, duplicates of shared mappings), with /proc/self/maps dumped
 * after every call. The kernel is the oracle: a test seeds a region map from one dump,
 * applies the call with the kernel's result, and compares with the next dump page by page.
 *
 * Usage: mapfuzz SEED STEPS
 * Output (stdout; same format as regions.c):
 *   PID <pid>
 *   CHECKPOINT <n> step <monotonic ns> <pid>, the maps, END <n> (n = 0 before the first call)
 *   CALL <syscall> <args and result, hex>                     (the call made between checkpoint n-1 and n)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "checkpoint.h"

#define P 4096UL
#define ARENA 48
#define REACH 16 /* calls start in the first ARENA pages and reach at most this many pages beyond */

static unsigned long long rng;
static char *recent[8]; /* where recent calls mapped something: aim there often, or most calls hit nothing */

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

static long result(long r)
{
	return r == -1 ? -errno : r;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		emit("ERROR usage: mapfuzz SEED STEPS\n");
		return 2;
	}
	rng = strtoull(argv[1], NULL, 10) * 2654435761ULL + 1;
	int steps = atoi(argv[2]);

	/* A file to map: a memfd of 16 pages, opened read-write so shared writable mappings are allowed. */
	int fd = memfd_create("mapfuzz", 0);
	if (fd < 0 || ftruncate(fd, 16 * P) != 0)
		die("memfd");
	struct stat st;
	if (fstat(fd, &st) != 0)
		die("fstat");
	/* A file opened read-only: a shared mapping of it refuses PROT_WRITE (mprotect fails with EACCES). */
	int rofd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct stat rost;
	if (rofd < 0 || fstat(rofd, &rost) != 0)
		die("open /proc/self/exe");
	/* The heap: no malloc here, so the break is still where exec put it. */
	unsigned long start_brk = (unsigned long)syscall(SYS_brk, 0);

	/* The arena: reserve a range, then free it, so MAP_FIXED there touches only our own mappings. Calls start
	 * in its first ARENA pages and never reach past ARENA + REACH pages, where libc's data may begin. */
	char *arena = mmap(NULL, (ARENA + REACH) * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED || munmap(arena, (ARENA + REACH) * P) != 0)
		die("arena");

	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0); /* process_madvise of this process itself */
	if (pidfd < 0)
		die("pidfd_open");

	emit("PID %d\n", (int)getpid());
	checkpoint_vmflags = 1; /* each step's map is seeded from the dump before it: seals and charges included */
	checkpoint(0, "step");
	for (int n = 1; n <= steps; n++) {
		char *addr = arena + rnd(ARENA) * P;
		char *r = recent[rnd(8)];
		/* Only inside the arena: a MAP_FIXED elsewhere could land on the program's own text or stack. */
		if (r != NULL && rnd(2) && r >= arena && r + 3 * P <= arena + ARENA * P)
			addr = r + rnd(3) * P;
		unsigned long len = (1 + rnd(6)) * P - (rnd(4) == 0 ? rnd(P) : 0);
		int prot = (int)rnd(8);
		switch (rnd(13)) {
		case 0: case 1: case 2: { /* mmap */
			int kind = (int)rnd(5);
			int fixed = rnd(3) ? MAP_FIXED : rnd(2) ? MAP_FIXED_NOREPLACE : 0;
			int flags = (kind & 1 ? MAP_SHARED : MAP_PRIVATE) | (kind < 2 ? MAP_ANONYMOUS : 0) | fixed
				    | (rnd(8) == 0 ? MAP_LOCKED : 0);
			int mfd = kind < 2 ? -1 : kind < 4 ? fd : rofd;
			off_t off = kind < 2 ? 0 : (off_t)rnd(kind < 4 ? 8 : 2) * P;
			if (kind == 4) { /* the read-only file: shared, readable, at most 2 pages */
				flags = MAP_SHARED | fixed;
				prot &= PROT_READ | PROT_EXEC;
				len = (1 + rnd(2)) * P;
			}
			struct stat *fst = mfd == rofd ? &rost : &st;
			long ret = (long)mmap(addr, len, prot, flags, mfd, off);
			if (ret == -1)
				ret = -errno;
			else
				recent[rnd(8)] = (char *)ret;
			if (mfd >= 0)
				emit("CALL mmap %lx %lx %x %x %x %lx %lx %lx %x %x\n", (unsigned long)addr, len, prot, flags, mfd,
				     (unsigned long)off, ret, (unsigned long)fst->st_ino, major(fst->st_dev), minor(fst->st_dev));
			else
				emit("CALL mmap %lx %lx %x %x %x %lx %lx\n", (unsigned long)addr, len, prot, flags, mfd, (unsigned long)off, ret);
			break;
		}
		case 3: case 4: case 5: { /* mprotect; sometimes over holes (ENOMEM after a partial change) */
			unsigned long plen = (1 + rnd(10)) * P - (rnd(3) == 0 ? rnd(P) : 0);
			if (rnd(5) == 0) {
				long ret = result(syscall(SYS_pkey_mprotect, addr, plen, prot, -1));
				emit("CALL pkey_mprotect %lx %lx %x %x %lx\n", (unsigned long)addr, plen, prot, -1, ret);
			} else {
				long ret = result(mprotect(addr, plen, prot));
				emit("CALL mprotect %lx %lx %x %lx\n", (unsigned long)addr, plen, prot, ret);
			}
			break;
		}
		case 6: { /* munmap */
			long ret = result(munmap(addr, len));
			emit("CALL munmap %lx %lx %lx\n", (unsigned long)addr, len, ret);
			break;
		}
		case 7: { /* brk: grow or shrink the heap by up to 8 pages around where it started */
			unsigned long want = start_brk + rnd(8 * P);
			unsigned long ret = (unsigned long)syscall(SYS_brk, want);
			emit("CALL brk %lx %lx\n", start_brk, ret);
			break;
		}
		case 11: { /* madvise with advice that changes VMA flags (WIPEONFORK refuses file and shared memory) */
			static const int advice[] = {MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_DONTFORK, MADV_DOFORK,
						     MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK,
						     MADV_KEEPONFORK};
			int a = advice[rnd(sizeof(advice) / sizeof(advice[0]))];
			if (rnd(2)) {
				long ret = result(madvise(addr, len, a));
				emit("CALL madvise %lx %lx %x %lx\n", (unsigned long)addr, len, a, ret);
				break;
			}
			/* process_madvise: the ranges in turn; it returns the bytes of those done whole (or the first one's error) */
			struct iovec iov[3];
			int count = 1 + (int)rnd(3);
			for (int k = 0; k < count; k++) {
				iov[k].iov_base = k == 0 ? addr : arena + rnd(ARENA) * P;
				iov[k].iov_len = k == 0 ? len : (1 + rnd(4)) * P;
			}
			long ret = result(syscall(SYS_process_madvise, pidfd, iov, (unsigned long)count, a, 0U));
			emit("CALL process_madvise %x %lx", a, ret);
			for (int k = 0; k < count; k++)
				emit(" %lx %lx", (unsigned long)iov[k].iov_base, (unsigned long)iov[k].iov_len);
			emit("\n");
			break;
		}
		case 12: { /* the lock calls: VM_LOCKED (and VM_LOCKONFAULT) split VMAs; mlockall(MCL_FUTURE) locks later maps */
			long ret;
			switch (rnd(8)) {
			case 0: case 1:
				ret = result(syscall(SYS_mlock, addr, len));
				emit("CALL mlock %lx %lx %lx\n", (unsigned long)addr, len, ret);
				break;
			case 2: case 3: {
				int f = rnd(4) ? MLOCK_ONFAULT : 0;
				ret = result(syscall(SYS_mlock2, addr, len, f));
				emit("CALL mlock2 %lx %lx %x %lx\n", (unsigned long)addr, len, f, ret);
				break;
			}
			case 4: case 5:
				ret = result(syscall(SYS_munlock, addr, len));
				emit("CALL munlock %lx %lx %lx\n", (unsigned long)addr, len, ret);
				break;
			case 6: {
				static const int how[] = {MCL_CURRENT, MCL_FUTURE, MCL_CURRENT | MCL_FUTURE, MCL_FUTURE | MCL_ONFAULT,
							  MCL_CURRENT | MCL_ONFAULT};
				int f = how[rnd(sizeof(how) / sizeof(how[0]))];
				ret = result(mlockall(f));
				emit("CALL mlockall %x %lx\n", f, ret);
				break;
			}
			default:
				ret = result(munlockall());
				emit("CALL munlockall %lx\n", ret);
				break;
			}
			break;
		}
		default: { /* mremap: in place, moves, fixed moves, DONTUNMAP, duplicates of shared mappings */
			unsigned long old_len = (rnd(8) ? 1 + rnd(4) : 0) * P;
			unsigned long new_len = (1 + rnd(6)) * P;
			int flags;
			char *new_addr = NULL;
			switch (rnd(4)) {
			case 0: flags = 0; break;
			case 1: flags = MREMAP_MAYMOVE; break;
			case 2: flags = MREMAP_MAYMOVE | MREMAP_FIXED; new_addr = arena + rnd(ARENA) * P; break;
			default: flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP; new_len = old_len ? old_len : P; break;
			}
			long ret = (long)mremap(addr, old_len, new_len, flags, new_addr);
			if (ret == -1)
				ret = -errno;
			else
				recent[rnd(8)] = (char *)ret;
			emit("CALL mremap %lx %lx %lx %x %lx %lx\n", (unsigned long)addr, old_len, new_len, flags,
			     (unsigned long)new_addr, ret);
			break;
		}
		}
		checkpoint(n, "step");
	}
	return 0;
}
