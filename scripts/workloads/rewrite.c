/*
 * rewrite: code mapped from a memfd, then the memfd overwritten, the plainest way past a hash list: the bytes that
 * ran are gone before the recorder's enricher reads the file. Four memfds and six files, each mapped PROT_READ|PROT_EXEC:
 *
 *   during  64 MiB; overwritten (its first 4 KiB) while the recorder reads it: the workload waits until the
 *           recorder process holds a descriptor on it that is not O_PATH (its hashing worker's), then writes;
 *   after   1 MiB, mapped while the recorder is still reading "during" (its one worker is busy for hundreds of
 *           milliseconds), overwritten 10 ms after the mapping, so before the worker reaches it;
 *   stomped the same, and then its access and modification times set back to what they were before the overwrite
 *           (futimens: timestomping), so that its mtime looks unwritten; only its ctime, which cannot be set, moved;
 *   stomped-named  the same with a 1 MiB file in DIR, which keeps its name and mode;
 *   stomped-bytes  the same with a file whose name ends in a byte that is not UTF-8 (0xff: "rewrite-stomped-\xff");
 *   renamed a 1 MiB file in DIR, mapped while the recorder is still reading "during", then renamed (to NAME.moved):
 *           its ctime moves, its bytes do not, so it must be hashed as mapped;
 *   chmodded the same, made read-only by chmod instead (its name kept): hashed as mapped;
 *   unlinked a 1 MiB file in DIR, mapped while the recorder is still reading "during", then made read-only by
 *           chmod and unlinked (a dropper deleting its stage): its ctime moves, its bytes do not, so it must be hashed
 *           as mapped;
 *   future  the same with its mtime set into the future (2040) before the mapping: an mtime later than any ctime is
 *           utimensat's, not a write's, so it too must be hashed as mapped;
 *   kept    1 MiB, never overwritten.
 *
 *   rewrite DIR RECORDER_PID
 *
 * Prints one line per file, in that order:
 *   rewrite case=CASE ino=INODE size=SIZE seed=SEED over=SEED2 still_read=0|1
 * The bytes are content(SEED, SIZE) of shortlived.h, their first 4 KiB then content(SEED2, 4096) (over=0: not
 * overwritten); still_read=1 says that the recorder still held its reading descriptor on "during" after the
 * overwrites and the unlink, so that "during" was written while it was read and the others changed before they were.
 * The files stay mapped until the workload exits, which it does once the recorder holds each of them.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shortlived.h"

#define OVER 4096

static void die(const char *what)
{
	fprintf(stderr, "rewrite: %s: %s\n", what, strerror(errno));
	_exit(2);
}

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

/* A memfd NAME (or, with a DIR, the file DIR/NAME) of content(seed, size), mapped R-X (private) and left mapped; its
 * descriptor is returned. */
static int mapped_file(const char *dir, const char *name, uint64_t seed, size_t size, int future_mtime)
{
	char path[4096];
	if (dir)
		snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = dir ? open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0755) : memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		die(dir ? "open" : "memfd_create");
	unsigned char *buf = malloc(size);
	if (!buf)
		die("malloc");
	content(seed, buf, size);
	for (size_t done = 0; done < size;) {
		ssize_t n = write(fd, buf + done, size - done);
		if (n < 0)
			die("write");
		done += (size_t)n;
	}
	free(buf);
	if (future_mtime) {
		struct timespec times[2] = {{0, UTIME_OMIT}, {2208988800L, 0}}; /* mtime 2040-01-01 */
		if (futimens(fd, times) != 0)
			die("futimens");
	}
	sleep_ms(10); /* the mapping in a later tick of the coarse clock than the write that set ctime */
	if (mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0) == MAP_FAILED)
		die("mmap");
	return fd;
}

/*
 * A 1 MiB file DIR/NAME mapped as mapped_file() maps it, then, 10 ms later, made read-only and unlinked, as a dropper
 * deletes its stage: its ctime moves, its bytes do not. *link gets what a descriptor on it reads as now (4200 bytes).
 */
static int dropped_file(const char *dir, const char *name, uint64_t seed, int future_mtime, char *link)
{
	int fd = mapped_file(dir, name, seed, 1u << 20, future_mtime);
	sleep_ms(10);
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (fchmod(fd, 0500) != 0 || unlink(path) != 0)
		die("fchmod, unlink");
	snprintf(link, 4200, "%s (deleted)", path);
	return fd;
}

static void overwrite(int fd, uint64_t seed)
{
	unsigned char buf[OVER];
	content(seed, buf, sizeof(buf));
	if (pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
		die("pwrite");
}

/* overwrite(), then the file's atime and mtime set back to what they were before it (timestomping) */
static void overwrite_stomped(int fd, uint64_t seed)
{
	struct stat before;
	if (fstat(fd, &before) != 0)
		die("fstat");
	overwrite(fd, seed);
	struct timespec times[2] = {before.st_atim, before.st_mtim};
	if (futimens(fd, times) != 0)
		die("futimens");
}

/*
 * Whether process PID holds a descriptor whose link reads WANT ("/memfd:NAME (deleted)" for a memfd); with reading, one
 * that is not O_PATH (the recorder's hashing worker's, not its hold's).
 */
static int holds(int pid, const char *want, int reading)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	DIR *d = opendir(dir);
	if (!d)
		die("opendir /proc/PID/fd");
	int found = 0;
	for (struct dirent *e; !found && (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		char path[320], link[4200], info[320], line[256];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		ssize_t n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue; /* closed meanwhile */
		link[n] = 0;
		if (strcmp(link, want) != 0)
			continue;
		if (!reading) {
			found = 1;
			break;
		}
		snprintf(info, sizeof(info), "/proc/%d/fdinfo/%s", pid, e->d_name);
		FILE *f = fopen(info, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			unsigned long flags;
			if (sscanf(line, "flags: %lo", &flags) == 1 && !(flags & O_PATH))
				found = 1;
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

/* Waits (a minute at most) until the recorder holds a descriptor on WANT (reading: one it reads through). */
static void wait_for(int recorder, const char *want, int reading)
{
	for (int waited = 0; !holds(recorder, want, reading); waited++) {
		if (waited > 60000) {
			fprintf(stderr, "rewrite: the recorder (pid %d) never %s %s\n", recorder, reading ? "read" : "held", want);
			exit(2);
		}
		sleep_ms(1);
	}
}

static void report(const char *name, int fd, uint64_t seed, size_t size, uint64_t over, int still_read)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		die("fstat");
	printf("rewrite case=%s ino=%llu size=%zu seed=%llu over=%llu still_read=%d\n", name,
	       (unsigned long long)st.st_ino, size, (unsigned long long)seed, (unsigned long long)over, still_read);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: rewrite DIR RECORDER_PID\n");
		return 2;
	}
	int recorder = atoi(argv[2]);

	int during = mapped_file(NULL, "rewrite-during", 1, 64u << 20, 0);
	wait_for(recorder, "/memfd:rewrite-during (deleted)", 1);
	overwrite(during, 101);

	int after = mapped_file(NULL, "rewrite-after", 2, 1u << 20, 0);
	sleep_ms(10);
	overwrite(after, 102);

	int stomped = mapped_file(NULL, "rewrite-stomped", 6, 1u << 20, 0);
	sleep_ms(10);
	overwrite_stomped(stomped, 106);

	int stomped_named = mapped_file(argv[1], "rewrite-stomped-named", 7, 1u << 20, 0);
	sleep_ms(10);
	overwrite_stomped(stomped_named, 107);
	char stomped_named_path[4200], renamed_path[4200], renamed_to[4200];
	snprintf(stomped_named_path, sizeof(stomped_named_path), "%s/rewrite-stomped-named", argv[1]);

	int stomped_bytes = mapped_file(argv[1], "rewrite-stomped-\xff", 10, 1u << 20, 0);
	sleep_ms(10);
	overwrite_stomped(stomped_bytes, 110);
	char stomped_bytes_path[4200];
	snprintf(stomped_bytes_path, sizeof(stomped_bytes_path), "%s/rewrite-stomped-\xff", argv[1]);

	int renamed = mapped_file(argv[1], "rewrite-renamed", 8, 1u << 20, 0);
	sleep_ms(10);
	snprintf(renamed_path, sizeof(renamed_path), "%s/rewrite-renamed", argv[1]);
	snprintf(renamed_to, sizeof(renamed_to), "%s/rewrite-renamed.moved", argv[1]);
	if (rename(renamed_path, renamed_to) != 0)
		die("rename");

	int chmodded = mapped_file(argv[1], "rewrite-chmodded", 9, 1u << 20, 0);
	sleep_ms(10);
	if (fchmod(chmodded, 0500) != 0)
		die("fchmod");
	char chmodded_path[4200];
	snprintf(chmodded_path, sizeof(chmodded_path), "%s/rewrite-chmodded", argv[1]);

	char unlinked_link[4200], future_link[4200];
	int unlinked = dropped_file(argv[1], "rewrite-unlinked", 4, 0, unlinked_link);
	int future = dropped_file(argv[1], "rewrite-future", 5, 1, future_link);
	int still_read = holds(recorder, "/memfd:rewrite-during (deleted)", 1);

	int kept = mapped_file(NULL, "rewrite-kept", 3, 1u << 20, 0);

	/* Alive until the recorder holds each file: a process that exits first takes a memfd's bytes with it. */
	wait_for(recorder, "/memfd:rewrite-after (deleted)", 0);
	wait_for(recorder, "/memfd:rewrite-stomped (deleted)", 0);
	wait_for(recorder, stomped_named_path, 0);
	wait_for(recorder, stomped_bytes_path, 0);
	wait_for(recorder, renamed_to, 0);
	wait_for(recorder, chmodded_path, 0);
	wait_for(recorder, unlinked_link, 0);
	wait_for(recorder, future_link, 0);
	wait_for(recorder, "/memfd:rewrite-kept (deleted)", 0);

	report("during", during, 1, 64u << 20, 101, still_read);
	report("after", after, 2, 1u << 20, 102, still_read);
	report("stomped", stomped, 6, 1u << 20, 106, still_read);
	report("stomped-named", stomped_named, 7, 1u << 20, 107, still_read);
	report("stomped-bytes", stomped_bytes, 10, 1u << 20, 110, still_read);
	report("renamed", renamed, 8, 1u << 20, 0, still_read);
	report("chmodded", chmodded, 9, 1u << 20, 0, still_read);
	report("unlinked", unlinked, 4, 1u << 20, 0, still_read);
	report("future", future, 5, 1u << 20, 0, still_read);
	report("kept", kept, 3, 1u << 20, 0, still_read);
	return 0;
}
