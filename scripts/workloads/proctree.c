/*
 * proctree — a process-heavy load: fork/exec trees and library loading.
 *
 *   proctree tree DEPTH BREADTH PROG [ARGS...]
 *       Every node above the leaves forks BREADTH children; every leaf execs
 *       PROG ARGS. Waits for the whole tree. Prints, on stdout:
 *       processes=N execs=N failed=F seconds=S
 *   proctree load LIST N
 *       dlopen()s the first N paths of the file LIST (one a line), then counts
 *       the file-backed executable mappings in /proc/self/maps. Prints:
 *       loaded=K exec_maps=M
 *   proctree probe CANDIDATES OUT
 *       Keeps the candidate libraries that load cleanly: each is dlopen()ed in
 *       its own child (so a library whose constructor crashes or hangs costs
 *       only that child) and written to OUT when the child exits 0.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct counts { long processes, execs, failed; };

/* Forks one subtree below the calling process and waits for it; counts the children that failed. */
static void subtree(int depth, int breadth, char **prog, struct counts *c)
{
	pid_t kids[256];
	int n = 0;
	for (int i = 0; i < breadth && i < 256; i++) {
		pid_t pid = fork();
		if (pid < 0) { c->failed++; continue; }
		if (pid == 0) {
			if (depth <= 1) {
				int devnull = open("/dev/null", O_WRONLY); /* the leaves' output is not the tree's */
				if (devnull >= 0) dup2(devnull, 1);
				execv(prog[0], prog);
				_exit(127); /* exec failed */
			}
			struct counts mine = {0, 0, 0};
			subtree(depth - 1, breadth, prog, &mine);
			/* A child reports only failures (exit status); the parent computes the totals. */
			_exit(mine.failed > 0 ? 1 : 0);
		}
		kids[n++] = pid;
	}
	for (int i = 0; i < n; i++) {
		int status;
		if (waitpid(kids[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			c->failed++;
	}
}

static int cmd_tree(int argc, char **argv)
{
	if (argc < 5) return 2;
	int depth = atoi(argv[2]), breadth = atoi(argv[3]);
	if (depth < 1 || breadth < 1) return 2;
	double start = now();
	struct counts c = {0, 0, 0};
	subtree(depth, breadth, argv + 4, &c);
	double elapsed = now() - start;
	/* breadth + breadth^2 + ... + breadth^depth processes, breadth^depth of them exec. */
	long processes = 0, level = 1;
	for (int d = 0; d < depth; d++) { level *= breadth; processes += level; }
	printf("processes=%ld execs=%ld failed=%ld seconds=%.6f\n", processes, level, c.failed, elapsed);
	return c.failed ? 1 : 0;
}

static int count_exec_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f) return -1;
	char line[4096];
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		char perms[8] = "";
		unsigned long inode = 0;
		if (sscanf(line, "%*x-%*x %7s %*x %*x:%*x %lu", perms, &inode) == 2 && perms[2] == 'x' && inode != 0)
			n++;
	}
	fclose(f);
	return n;
}

static int cmd_load(int argc, char **argv)
{
	if (argc < 4) return 2;
	FILE *f = fopen(argv[2], "r");
	if (!f) { fprintf(stderr, "proctree: %s: %s\n", argv[2], strerror(errno)); return 1; }
	long want = atol(argv[3]), loaded = 0;
	char path[4096];
	while (loaded < want && fgets(path, sizeof path, f)) {
		path[strcspn(path, "\n")] = 0;
		if (path[0] && dlopen(path, RTLD_LAZY | RTLD_LOCAL))
			loaded++;
	}
	fclose(f);
	printf("loaded=%ld exec_maps=%d\n", loaded, count_exec_maps());
	fflush(stdout);
	_exit(0); /* skip library destructors: some of them are not meant to run in a stray process */
}

static int cmd_probe(int argc, char **argv)
{
	if (argc < 4) return 2;
	FILE *in = fopen(argv[2], "r"), *out = fopen(argv[3], "w");
	if (!in || !out) { fprintf(stderr, "proctree: probe: %s\n", strerror(errno)); return 1; }
	char path[4096];
	long kept = 0;
	while (fgets(path, sizeof path, in)) {
		path[strcspn(path, "\n")] = 0;
		if (!path[0]) continue;
		fflush(out);
		pid_t pid = fork();
		if (pid == 0) {
			alarm(5); /* a constructor that hangs is a failed probe */
			int devnull = open("/dev/null", O_WRONLY);
			if (devnull >= 0) { dup2(devnull, 1); dup2(devnull, 2); }
			_exit(dlopen(path, RTLD_LAZY | RTLD_LOCAL) ? 0 : 1);
		}
		int status;
		if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			fprintf(out, "%s\n", path);
			kept++;
		}
	}
	fclose(in);
	fclose(out);
	printf("kept=%ld\n", kept);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;
	if (argc >= 2 && strcmp(argv[1], "tree") == 0) rc = cmd_tree(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "load") == 0) rc = cmd_load(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "probe") == 0) rc = cmd_probe(argc, argv);
	if (rc == 2)
		fprintf(stderr, "usage: proctree tree DEPTH BREADTH PROG [ARGS...] | load LIST N | probe CANDIDATES OUT\n");
	return rc;
}
