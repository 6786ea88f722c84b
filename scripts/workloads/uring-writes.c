/*
 * uring-writes — an io_uring write storm: batches of 32 one-byte IORING_OP_WRITE requests to /dev/null, each batch
 * submitted and waited for by one io_uring_enter, as fast as one thread can, for -d SECONDS. The recorder looks at
 * the file of every write request submitted on the host (is it a process's memory file?), so this is the price a
 * process doing its I/O through a ring pays for that: scripts/bench-recorder-ab with BENCH_WORKLOAD=uring-writes.
 * Output on stdout, one line, as storm.c's: iterations=N (requests) seconds=S iter_per_s=R
 * (-t is accepted for storm.c's command line; only 1 thread runs.)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include "onethread.h"
#include "uring.h"

#define BATCH 32

int main(int argc, char **argv)
{
	double seconds = seconds_arg(argc, argv, "uring-writes");
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct uring u;
	int r = fd < 0 ? -1 : uring_open(&u, BATCH);
	if (r != 0) {
		fprintf(stderr, "uring-writes: /dev/null or io_uring_setup failed (%d)\n", r);
		return 1;
	}
	char b = 0;
	long n = 0, failed = 0;
	double start = now(), deadline = start + seconds;
	while (now() < deadline) {
		for (int i = 0; i < BATCH; i++) {
			unsigned tail = *u.sq_tail + i, slot = tail & *u.sq_mask;
			struct io_uring_sqe *sqe = &u.sqes[slot];
			memset(sqe, 0, sizeof(*sqe));
			sqe->opcode = IORING_OP_WRITE;
			sqe->fd = fd;
			sqe->addr = (unsigned long)&b;
			sqe->len = 1;
			u.sq_array[slot] = slot;
		}
		atomic_store_explicit((_Atomic unsigned *)u.sq_tail, *u.sq_tail + BATCH, memory_order_release);
		if (syscall(SYS_io_uring_enter, u.fd, BATCH, BATCH, IORING_ENTER_GETEVENTS, NULL, 0) != BATCH) {
			perror("io_uring_enter");
			return 1;
		}
		unsigned head = *u.cq_head, tail = atomic_load_explicit((_Atomic unsigned *)u.cq_tail, memory_order_acquire);
		for (; head != tail; head++, n++)
			if (u.cqes[head & *u.cq_mask].res != 1)
				failed++;
		atomic_store_explicit((_Atomic unsigned *)u.cq_head, head, memory_order_release);
	}
	double elapsed = now() - start;
	printf("iterations=%ld seconds=%.3f iter_per_s=%.0f failed=%ld\n", n, elapsed, n / elapsed, failed);
	return failed != 0;
}
