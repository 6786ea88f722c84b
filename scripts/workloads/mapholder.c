/*
 * mapholder: maps files executable (plain, then unlinked, or copied into a memfd), says where, and holds the
 * mappings until stdin closes. The /proc snapshot and file-enrichment tests read it from outside.
 *
 *   mapholder [--comm NAME] [--exec PATH] [--exec-unlink PATH] [--memfd-from PATH] [--zombie] ...
 *
 * Prints one line per file mapping, then "ready":
 *   map KIND START END MAJOR MINOR INODE SIZE MODE CTIME_SEC CTIME_NSEC
 * (START/END hex as in /proc/PID/maps, the rest decimal, from fstat of the mapped descriptor).
 * --zombie forks a child that exits at once and is never reaped; prints "zombie PID" once it is one.
 * Also maps one anonymous read-write region and one anonymous read-execute region.
 * --leader-exits (last): the main thread ends (exit(2), not exit_group) once a second thread holds the process; that
 * thread waits until /proc shows the leader as a zombie, maps one more anonymous page read-write-execute, prints
 * "thread TID" and "late START END", and holds everything as above: a live process /proc no longer shows through its pid.
 * --thread: starts a thread that only waits, so that when stdin closes the main thread's exit_group ends a process
 * that has another thread (the leader then passes sched_process_exit before that thread: not the group's last).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <pthread.h>
#include <unistd.h>
#include "leader.h"

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "mapholder: %s %s: %s\n", what, arg, strerror(errno));
	exit(2);
}

/* Maps fd whole, read+exec, private; prints its line. */
static void map_fd(const char *kind, int fd, const char *name)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		die("fstat", name);
	void *p = mmap(NULL, st.st_size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		die("mmap", name);
	unsigned long start = (unsigned long)p;
	unsigned long end = start + ((st.st_size + 4095) & ~4095UL);
	printf("map %s %lx %lx %u %u %lu %lld %u %lld %ld\n", kind, start, end, major(st.st_dev), minor(st.st_dev),
	       (unsigned long)st.st_ino, (long long)st.st_size, st.st_mode, (long long)st.st_ctim.tv_sec,
	       st.st_ctim.tv_nsec);
}

static void map_path(const char *path, int unlink_it)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open", path);
	/* unlinked before the mapping, as a loader of a deleted stage does: the file is nameless (and its ctime the
	 * unlink's) when mapped, as the kernel's record of the mapping then says */
	if (unlink_it && unlink(path) != 0)
		die("unlink", path);
	map_fd(unlink_it ? "unlinked" : "file", fd, path);
	close(fd); /* the mapping keeps the file alive */
}

static void make_zombie(void)
{
	pid_t child = fork();
	if (child < 0)
		die("fork", "--zombie");
	if (child == 0)
		_exit(0);
	siginfo_t info;
	/* WNOWAIT: wait until it has exited but leave it unreaped, a zombie. */
	if (waitid(P_PID, child, &info, WEXITED | WNOWAIT) != 0)
		die("waitid", "--zombie");
	printf("zombie %d\n", (int)child);
}

static void map_memfd_copy(const char *path)
{
	int src = open(path, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		die("open", path);
	int mfd = memfd_create("mapholder", MFD_CLOEXEC);
	if (mfd < 0)
		die("memfd_create", path);
	char buf[65536];
	ssize_t n;
	while ((n = read(src, buf, sizeof buf)) > 0)
		if (write(mfd, buf, n) != n)
			die("write memfd", path);
	if (n < 0)
		die("read", path);
	close(src);
	map_fd("memfd", mfd, path);
	close(mfd);
}

static void hold(void)
{
	printf("ready\n");
	fflush(stdout);
	char c;
	while (read(0, &c, 1) > 0) /* hold the mappings until stdin closes */
		;
}

static void *wait_forever(void *unused)
{
	(void)unused;
	for (;;)
		pause();
	return NULL;
}

static void *outlive_leader(void *unused)
{
	(void)unused;
	if (await_leader_exit() != 0)
		die("read", "/proc/PID/stat");
	char *late = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (late == MAP_FAILED)
		die("mmap", "late");
	printf("thread %ld\nlate %lx %lx\n", (long)syscall(SYS_gettid), (unsigned long)late, (unsigned long)late + 4096);
	hold();
	exit(0); /* exit_group: the whole process ends */
}

int main(int argc, char **argv)
{
	int leader_exits = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--zombie") == 0) {
			make_zombie();
			continue;
		}
		if (strcmp(argv[i], "--leader-exits") == 0) {
			leader_exits = 1;
			continue;
		}
		if (strcmp(argv[i], "--thread") == 0) {
			pthread_t t;
			if (pthread_create(&t, NULL, wait_forever, NULL) != 0)
				die("pthread_create", "--thread");
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "mapholder: %s needs an argument\n", argv[i]);
			return 2;
		}
		const char *opt = argv[i], *arg = argv[++i];
		if (strcmp(opt, "--comm") == 0) {
			if (prctl(PR_SET_NAME, arg) != 0)
				die("prctl", arg);
		} else if (strcmp(opt, "--exec") == 0) {
			map_path(arg, 0);
		} else if (strcmp(opt, "--exec-unlink") == 0) {
			map_path(arg, 1);
		} else if (strcmp(opt, "--memfd-from") == 0) {
			map_memfd_copy(arg);
		} else {
			fprintf(stderr, "mapholder: unknown option %s\n", opt);
			return 2;
		}
	}
	char *rw = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *rx = mmap(NULL, 2 * 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rw == MAP_FAILED || rx == MAP_FAILED)
		die("mmap", "anonymous");
	rw[0] = 1; /* touch it so it is not merged away lazily */
	if (leader_exits) {
		pthread_t t;
		if (pthread_create(&t, NULL, outlive_leader, NULL) != 0)
			die("pthread_create", "--leader-exits");
		syscall(SYS_exit, 0); /* this thread only: the process lives on in t */
	}
	hold();
	return 0;
}
