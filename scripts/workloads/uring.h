/*
 * uring.h — io_uring requests by the raw syscalls (no liburing): the workloads' way to write (or madvise) through a
 * ring, which passes no write (or madvise) syscall. uring_open() sets a ring of `entries` up; uring_run() submits one
 * SQE, waits for its completion, and returns its result (or -errno of io_uring_enter); uring_submit() and uring_reap()
 * do the two halves, for several SQEs at once (uring_reap_for(): the result of one of them); uring_close() unmaps and
 * closes the ring.
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
	void *sq, *cq, *sqe_area;  /* the ring's three mappings, for uring_close() */
	size_t sq_len, cq_len, sqe_len;
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
	u->sqe_len = p.sq_entries * sizeof(struct io_uring_sqe);
	u->sqes = mmap(0, u->sqe_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || u->sqes == MAP_FAILED)
		return -errno;
	u->sq = sq, u->sq_len = sq_len, u->cq = cq, u->cq_len = cq_len, u->sqe_area = u->sqes;
	u->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	u->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	u->sq_array = (unsigned *)(sq + p.sq_off.array);
	u->cq_head = (unsigned *)(cq + p.cq_off.head);
	u->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	u->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	u->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* Unmaps the ring and closes it: nothing of it is left in the process's maps. */
static inline void uring_close(struct uring *u)
{
	munmap(u->sq, u->sq_len);
	munmap(u->cq, u->cq_len);
	munmap(u->sqe_area, u->sqe_len);
	close(u->fd);
}

/*
 * Copies n SQEs into the ring and submits them, waiting for `wait` completions: io_uring_enter's result (how many
 * were submitted) or -errno.
 */
static inline long uring_submit(struct uring *u, const struct io_uring_sqe *sqes, unsigned n, unsigned wait)
{
	unsigned tail = *u->sq_tail;
	for (unsigned k = 0; k < n; k++) {
		unsigned i = (tail + k) & *u->sq_mask;
		u->sqes[i] = sqes[k];
		u->sq_array[i] = i;
	}
	atomic_store_explicit((_Atomic unsigned *)u->sq_tail, tail + n, memory_order_release);
	long r = syscall(SYS_io_uring_enter, u->fd, n, wait, wait ? IORING_ENTER_GETEVENTS : 0, NULL, 0);
	return r < 0 ? -errno : r;
}

/* The next completion's result, waiting for it to be posted; its user_data in *data when data is not null. */
static inline long uring_reap(struct uring *u, unsigned long long *data)
{
	unsigned head = *u->cq_head;
	while (atomic_load_explicit((_Atomic unsigned *)u->cq_tail, memory_order_acquire) == head)
		;
	struct io_uring_cqe *cqe = &u->cqes[head & *u->cq_mask];
	long res = cqe->res;
	if (data)
		*data = cqe->user_data;
	atomic_store_explicit((_Atomic unsigned *)u->cq_head, head + 1, memory_order_release);
	return res;
}

/* Reaps n completions: the result of the one whose user_data is `want` (-EIO when none is). */
static inline long uring_reap_for(struct uring *u, unsigned n, unsigned long long want)
{
	long r = -EIO;
	for (unsigned i = 0; i < n; i++) {
		unsigned long long data;
		long res = uring_reap(u, &data);
		if (data == want)
			r = res;
	}
	return r;
}

/* Submits sqe and waits for its completion: the request's result. */
static inline long uring_run(struct uring *u, const struct io_uring_sqe *sqe)
{
	long r = uring_submit(u, sqe, 1, 1);
	return r < 0 ? r : uring_reap(u, NULL);
}
#endif
