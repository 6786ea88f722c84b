/*
 * Shared by the oracle workloads (regions.c, forks.c, mapfuzz.c): a line-oriented stdout protocol and the
 * checkpoint that dumps /proc/self/maps stamped with CLOCK_MONOTONIC (the journal's clock), which the
 * tests compare with the analyzer's rebuilt regions.
 *
 *   CHECKPOINT <n> <label> <monotonic ns> <pid>
 *   <the /proc/self/maps lines>
 *   END <n>
 *
 * With checkpoint_vmflags set, the dump is /proc/self/smaps cut to its maps lines, each followed by its VmFlags
 * line: the flags maps does not show (sealed, charged, ...), which a test seeding a map from a dump needs.
 */
#ifndef MAPSCRIBE_WORKLOAD_CHECKPOINT_H
#define MAPSCRIBE_WORKLOAD_CHECKPOINT_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char out[1 << 16];
static char maps[1 << 22];
static int checkpoint_vmflags;

/* Keeps the lines of an smaps dump that are maps lines (they start with a hex digit) or VmFlags lines. */
static size_t maps_and_vmflags(char *text, size_t len)
{
	size_t kept = 0;
	for (size_t at = 0; at < len;) {
		char *eol = memchr(text + at, '\n', len - at);
		size_t n = eol ? (size_t)(eol - (text + at)) + 1 : len - at;
		char c = text[at];
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (n >= 8 && memcmp(text + at, "VmFlags:", 8) == 0)) {
			memmove(text + kept, text + at, n);
			kept += n;
		}
		at += n;
	}
	return kept;
}

static void emit(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, sizeof(out), fmt, ap);
	va_end(ap);
	if (n > 0 && write(1, out, (size_t)n) != n)
		_exit(3);
}

static void die(const char *what)
{
	emit("ERROR %s: %s\n", what, strerror(errno));
	_exit(2);
}

static void checkpoint(int n, const char *label)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		die("clock_gettime");
	long long ns = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	int fd = open(checkpoint_vmflags ? "/proc/self/smaps" : "/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open /proc/self/maps");
	size_t len = 0;
	ssize_t r;
	while ((r = read(fd, maps + len, sizeof(maps) - 1 - len)) > 0)
		len += (size_t)r;
	if (r < 0)
		die("read /proc/self/maps");
	close(fd);
	if (checkpoint_vmflags)
		len = maps_and_vmflags(maps, len);
	emit("CHECKPOINT %d %s %lld %d\n", n, label, ns, (int)getpid());
	if (write(1, maps, len) != (ssize_t)len)
		_exit(3);
	emit("END %d\n", n);
}

#endif
