/*
 * deeppath.c — files whose paths the recorder's kernel path walk must cut: one 140 directories deep (the walk
 * stops at 128 dentries, bpf/mapscribe.bpf.c MAX_PATH_DEPTH) and one longer than 4096 bytes in 17 directories
 * of 250-byte names (MS_PATH_MAX in bpf/mapscribe.h), next to one with a short path. Each file is mapped
 * PROT_READ|PROT_EXEC (an mmap_exec event with the file's path); then a copy of this program in the deep
 * directory is executed (a process whose exe path is cut). /proc/self/maps is dumped after the mappings:
 * it prints the whole path of the deep file, which the cut path must end.
 *
 *   deeppath BASE_DIR        (BASE_DIR exists and is empty)
 *
 * Output, on stdout only:
 *   PID <pid>
 *   MAPPED <short|deep|long> <addr hex>
 *   CHECKPOINT <n> <label> <monotonic ns> <pid>, the maps lines, END <n>   (checkpoint.h)
 *   CHILD <pid>                                 the exec of the copy in the deep directory
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "checkpoint.h"

#define P 4096UL
#define DEEP_DIRS 140
#define LONG_DIRS 17
#define LONG_NAME 250

/* Creates and enters `count` nested directories named `name`, relative to the current directory. */
static void descend(const char *name, int count)
{
	for (int i = 0; i < count; i++) {
		if (mkdir(name, 0700) != 0)
			die("mkdir");
		if (chdir(name) != 0)
			die("chdir");
	}
}

/* Writes one page to `file` in the current directory and maps it read+exec. */
static void map_exec(const char *file, const char *label)
{
	int fd = open(file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
	if (fd < 0)
		die("open");
	static char page[P];
	memset(page, 0xc3, sizeof(page)); /* ret */
	if (write(fd, page, sizeof(page)) != (ssize_t)sizeof(page))
		die("write");
	void *a = mmap(NULL, P, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (a == MAP_FAILED)
		die("mmap");
	close(fd);
	emit("MAPPED %s %lx\n", label, (unsigned long)a);
}

/* Copies this program's executable into the current directory as `name`. */
static void copy_self(const char *name)
{
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		die("open /proc/self/exe");
	struct stat st;
	if (fstat(in, &st) != 0)
		die("fstat");
	int out = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
	if (out < 0)
		die("open copy");
	off_t off = 0;
	while (off < st.st_size) {
		ssize_t n = sendfile(out, in, &off, (size_t)(st.st_size - off));
		if (n <= 0)
			die("sendfile");
	}
	close(in);
	close(out);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "child") == 0)
		return 0; /* the copy, run from the deep directory: its exe path is what counts */
	if (argc != 2) {
		emit("ERROR usage: deeppath BASE_DIR\n");
		return 2;
	}
	emit("PID %d\n", (int)getpid());
	int base = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (base < 0)
		die("open BASE_DIR");

	if (fchdir(base) != 0)
		die("fchdir");
	map_exec("short.bin", "short");

	char name[LONG_NAME + 1];
	memset(name, 'n', LONG_NAME);
	name[LONG_NAME] = '\0';
	if (fchdir(base) != 0)
		die("fchdir");
	descend(name, LONG_DIRS);
	map_exec("long.bin", "long");

	if (fchdir(base) != 0)
		die("fchdir");
	descend("d", DEEP_DIRS);
	map_exec("deep.bin", "deep");
	checkpoint(1, "mapped");

	copy_self("deeppath-child");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		char *args[] = {"deeppath-child", "child", NULL};
		execv("./deeppath-child", args);
		_exit(127);
	}
	int status;
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		emit("ERROR child exited with status %d\n", status);
		return 1;
	}
	emit("CHILD %d\n", (int)child);
	return 0;
}
