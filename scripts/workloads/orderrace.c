/*
 * orderrace — two calls of one address space whose records come in the other order than the kernel's changes: thread A
 * maps over a range registered with a userfaultfd that wants UNMAP events, so that after the kernel made A's new mapping
 * (and let go of the mmap lock) A waits, before returning, until the monitor reads the event; meanwhile thread B makes
 * the new mapping RWX and returns, then reads the event. B's mprotect returns, and is recorded, before A's mmap,
 * which the kernel made first: replayed in the records' order the range would end as A's RW mapping, while the kernel
 * has it RWX.
 *
 * The oracle protocol of checkpoint.h (PID, CHECKPOINT lines with /proc/self/maps), and one line for the race:
 *
 *   NOTE race addr=<hex> len=<n> mprotect_first=<0|1>
 *
 * Checkpoints: 1 before, 2 after the race (the kernel: RWX anonymous), 3 after the main thread maps the range again
 * (read-only), which makes it known again (the checkpoint labels are single words). Exits 2 when userfaultfd or its UNMAP events are refused.
 */
#define _GNU_SOURCE
#include "checkpoint.h"
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define LEN (16 * 4096L)

static int uffd;
static char *range;
static long mprotect_returned_ns;

static long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* Thread B: waits for A's UNMAP event (A's mapping is made, A is waiting), mprotects it RWX, then lets A return. */
static void *thread_b(void *arg)
{
	(void)arg;
	struct pollfd p = { uffd, POLLIN, 0 };
	if (poll(&p, 1, 10000) != 1 || p.revents != POLLIN)
		die("poll userfaultfd");
	if (mprotect(range, LEN, PROT_READ | PROT_WRITE | PROT_EXEC))
		die("mprotect");
	mprotect_returned_ns = now_ns();
	struct uffd_msg m;
	if (read(uffd, &m, sizeof(m)) != sizeof(m) || m.event != UFFD_EVENT_UNMAP)
		die("read the UNMAP event");
	return NULL;
}

int main(void)
{
	emit("PID %d\n", (int)getpid());
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK); /* poll() on a blocking userfaultfd says POLLERR at once */
	if (uffd < 0)
		die("userfaultfd");
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_EVENT_UNMAP };
	if (ioctl(uffd, UFFDIO_API, &api))
		die("UFFDIO_API");
	range = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (range == MAP_FAILED)
		die("mmap");
	struct uffdio_register reg = { .range = { (unsigned long)range, LEN }, .mode = UFFDIO_REGISTER_MODE_MISSING };
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		die("UFFDIO_REGISTER");
	checkpoint(1, "before");

	pthread_t b;
	if (pthread_create(&b, NULL, thread_b, NULL))
		die("pthread_create");
	if (mmap(range, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != range)
		die("mmap MAP_FIXED");
	long mmap_returned_ns = now_ns();
	pthread_join(b, NULL);
	emit("NOTE race addr=%lx len=%ld mprotect_first=%d\n", (unsigned long)range, LEN, mprotect_returned_ns < mmap_returned_ns);
	checkpoint(2, "raced");

	/* the new VMA is not registered: this one returns at once */
	if (mmap(range, LEN, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != range)
		die("mmap again");
	checkpoint(3, "known-again");
	return 0;
}
