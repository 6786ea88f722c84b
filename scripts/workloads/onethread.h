/*
 * onethread.h — what the one-thread benchmark workloads (writes.c, uring-writes.c) share with storm.c's command line:
 * -d SECONDS (required) and -t THREADS (accepted, ignored: one thread runs), and a clock that is not a syscall.
 */
#ifndef MAPSCRIBE_ONETHREAD_H
#define MAPSCRIBE_ONETHREAD_H
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: not a syscall */
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The -d SECONDS of the command line; exits 2 with a usage line when it is missing or bad. */
static double seconds_arg(int argc, char **argv, const char *name)
{
	double seconds = 0;
	int c;
	while ((c = getopt(argc, argv, "d:t:")) != -1) {
		if (c == 'd')
			seconds = atof(optarg);
		else if (c != 't')
			seconds = -1;
	}
	if (seconds <= 0) {
		fprintf(stderr, "usage: %s -d SECONDS\n", name);
		exit(2);
	}
	return seconds;
}
#endif
