/*
 * leader.h — for the workloads whose first thread exits while another runs on (mapholder.c --leader-exits, demo.c's
 * step 14): waiting, from the other thread, until /proc shows the first thread as a zombie.
 */
#ifndef MAPSCRIBE_LEADER_H
#define MAPSCRIBE_LEADER_H
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The state letter of this process's first thread in /proc/PID/stat (the field after the last ')'); 0 when unreadable. */
static char leader_state(void)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)getpid());
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

/* Waits until the first thread has exited (state Z); 0 then, -1 when /proc cannot say. */
static int await_leader_exit(void)
{
	char state;
	while ((state = leader_state()) != 'Z') {
		if (state == 0)
			return -1;
		usleep(1000);
	}
	return 0;
}
#endif
