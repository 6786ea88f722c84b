package dev.mapscribe.analyzer.state;

/**
 * The task an event is about, as kunai's task/parent_task and tracee's context name it.
 *
 * @param pid     thread-group id (tgid)
 * @param tid     thread id (equals pid for the parent task, which is a process)
 * @param startNs CLOCK_MONOTONIC start of the process (leader), the part of its identity a reused pid lacks
 */
public record TaskInfo(int pid, int tid, String comm, int uid, int gid, int euid, int egid, long mntns, long startNs) {}
