/*
 * racer.h — a second thread that changes something a fixed delay into the main thread's next call: for the workloads
 * that check what the recorder reads after the kernel has read it (vmrace.c, oldmmaprace.c). racer_start(change) once;
 * then around each call: racer_arm(), t0 = now_ns(), the call, t1 = now_ns(), racer_wait(); racer_within(t0, t1) says
 * whether the change landed inside the call. RACE_DELAY_US: the kernel reads its arguments at once, then spends
 * milliseconds on the work the workload asked of it.
 */
#ifndef MAPSCRIBE_RACER_H
#define MAPSCRIBE_RACER_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#define RACE_DELAY_US 1000

static atomic_int racer_go, racer_quit;
static atomic_long racer_changed_at;
static void (*racer_change)(void);
static pthread_t racer_thread;

static long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void *racer_main(void *arg)
{
	(void)arg;
	for (;;) {
		while (!atomic_load(&racer_go) && !atomic_load(&racer_quit))
			;
		if (atomic_load(&racer_quit))
			return NULL;
		usleep(RACE_DELAY_US);
		racer_change();
		atomic_store(&racer_changed_at, now_ns());
		atomic_store(&racer_go, 0);
	}
}

static int racer_start(void (*change)(void))
{
	racer_change = change;
	return pthread_create(&racer_thread, NULL, racer_main, NULL);
}

static void racer_arm(void)
{
	atomic_store(&racer_changed_at, 0);
	atomic_store(&racer_go, 1);
}

/* After the call: the racer has made its change (or was never armed). */
static void racer_wait(void)
{
	while (atomic_load(&racer_go))
		;
}

static int racer_within(long t0, long t1)
{
	long at = atomic_load(&racer_changed_at);
	return at > t0 && at < t1;
}

static void racer_stop(void)
{
	atomic_store(&racer_quit, 1);
	pthread_join(racer_thread, NULL);
}

#endif
