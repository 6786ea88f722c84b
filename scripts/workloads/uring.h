/*
 * uring.h — one io_uring request at a time, by the raw syscalls (no liburing): the workloads' way to write through a
 * ring, which passes no write syscall. uring_open() sets a ring of `entries` up; uring_run() submits one SQE, waits
 * for its completion, and returns its result (or -errno of io_uring_enter).
 */
#ifndef MAPSCRIBE_URING_H
#define MAPSCRIBE_URING_H
#include <errno.h>
#include <linux/io_uring.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct uring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static inline int uring_open(struct uring *u, unsigned entries)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	memset(u, 0, sizeof(*u));
	u->fd = (int)syscall(SYS_io_uring_setup, entries, &p);
	if (u->fd < 0)
		return -errno;
	size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	char *sq = mmap(0, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQ_RING);
	char *cq = mmap(0, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_CQ_RING);
	u->sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       u->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || u->sqes == MAP_FAILED)
		return -errno;
	u->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	u->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	u->sq_array = (unsigned *)(sq + p.sq_off.array);
	u->cq_head = (unsigned *)(cq + p.cq_off.head);
	u->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	u->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	u->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* Submits sqe (copied into the ring) and waits for its completion: the request's result. */
static inline long uring_run(struct uring *u, const struct io_uring_sqe *sqe)
{
	unsigned tail = *u->sq_tail, i = tail & *u->sq_mask;
	u->sqes[i] = *sqe;
	u->sq_array[i] = i;
	atomic_store_explicit((_Atomic unsigned *)u->sq_tail, tail + 1, memory_order_release);
	if (syscall(SYS_io_uring_enter, u->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	unsigned head = *u->cq_head;
	while (atomic_load_explicit((_Atomic unsigned *)u->cq_tail, memory_order_acquire) == head)
		;
	long res = u->cqes[head & *u->cq_mask].res;
	atomic_store_explicit((_Atomic unsigned *)u->cq_head, head + 1, memory_order_release);
	return res;
}
#endif
