/*
 * What flash.c and flip.c share: the bytes of their short-lived files, and how each child hands its file's inode
 * to the parent, lives on for a while and exits, and how the parent reaps it.
 *
 * content(seed, size): an xorshift64 stream (byte i is bits 24..31 of the i-th state); ShortLivedFilesTest.content
 * computes the same bytes to check their SHA-256.
 */
#ifndef MAPSCRIBE_SHORTLIVED_H
#define MAPSCRIBE_SHORTLIVED_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void content(uint64_t seed, unsigned char *buf, size_t size)
{
	uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
	for (size_t i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (unsigned char)(x >> 24);
	}
}

/* Forks a child with a pipe from it to the parent: returns the child's pid in the parent, which keeps pipefd[0],
 * and 0 in the child, which keeps pipefd[1]. Exits on failure. */
static pid_t spawn_child(int pipefd[2])
{
	if (pipe(pipefd) != 0) {
		perror("pipe");
		exit(2);
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	close(pid == 0 ? pipefd[0] : pipefd[1]);
	return pid;
}

/* In the child (or a process it forked, which inherited pipe_w): tell the parent the inode and which process sends it,
 * before living on (its line must not depend on how long we live), then live live_us microseconds and exit. */
static void child_lives_on(int pipe_w, unsigned long long ino, long live_us)
{
	unsigned long long msg[2] = {ino, (unsigned long long)getpid()};
	if (write(pipe_w, msg, sizeof(msg)) != (ssize_t)sizeof(msg)) {
		perror("write pipe");
		_exit(2);
	}
	struct timespec t = {live_us / 1000000, (live_us % 1000000) * 1000};
	nanosleep(&t, NULL);
	_exit(0);
}

/* In the parent: the inode the child sent, once it has exited cleanly; 0 (and a line on stderr) when it did not.
 * *sender (when not NULL) gets the pid of the process that sent it. Then a gap, so that each child is its own race
 * rather than a queue behind the last one. */
static unsigned long long reap_child(pid_t pid, int pipe_r, pid_t *sender)
{
	unsigned long long msg[2] = {0, 0};
	if (read(pipe_r, msg, sizeof(msg)) != (ssize_t)sizeof(msg))
		msg[0] = 0;
	close(pipe_r);
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || msg[0] == 0) {
		fprintf(stderr, "child %d failed\n", (int)pid);
		return 0;
	}
	if (sender)
		*sender = (pid_t)msg[1];
	struct timespec gap = {0, 20 * 1000 * 1000};
	nanosleep(&gap, NULL);
	return msg[0];
}
#endif
