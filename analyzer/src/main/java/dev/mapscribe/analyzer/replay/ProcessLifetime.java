package dev.mapscribe.analyzer.replay;

import java.util.List;

/**
 * One process lifetime: the row of the {@code processes} table.
 *
 * @param startNs      CLOCK_MONOTONIC start; from /proc's clock ticks (10 ms steps) when startExact is false
 * @param exitNs       null while it still ran at the end of the journal
 * @param exitCode     wait-status encoding, null unless an exit record ended it
 * @param exitRecorded whether an exit record ended it (false: the end was inferred from its pid's reuse)
 * @param source       "snapshot", "fork" or "seen" (met in records with no fork and no snapshot)
 * @param memoryKnown  whether its whole address space was known when it ended (false: some regions unknown)
 * @param firstSeenNs  ktime of the first record that showed it (its fork, the snapshot, or its first record)
 * @param lostDuring   records the recorder lost (any process's) while this one lived: when not 0 its rows may miss
 *                     calls, which the state cannot tell apart
 * @param exeTruncated the kernel cut the leading part of {@code exe}
 * @param ancestorsTruncated an ancestor's exe path was cut, or the oldest ancestors were left out
 * @param leaderExited its first thread exited by exit(2) while others ran on, in this lifetime
 * @param leaderExitNs when, if a record showed it; null when the start-up snapshot found it so
 */
public record ProcessLifetime(String host, long firstSeenNs, long firstSeenUtcNs, int pid, long startNs, boolean startExact,
                              long startUtcNs, Long exitNs, Long exitUtcNs, Integer exitCode, boolean exitRecorded, int ppid,
                              long parentStartNs, String exe, List<String> argv, String commandLine, boolean argvTruncated,
                              String comm, int uid, int gid, int euid, int egid, long mntns, String ancestors, String source,
                              int execs, boolean memoryKnown, long lostDuring, boolean exeTruncated,
                              boolean ancestorsTruncated, boolean leaderExited, Long leaderExitNs) {
    /** The same lifetime with what the start-up snapshot said of it (ProcessTable.Listener#snapshotOfEnded). */
    public ProcessLifetime withIdentity(String exe, List<String> argv, String commandLine, boolean argvTruncated, String comm) {
        return new ProcessLifetime(host, firstSeenNs, firstSeenUtcNs, pid, startNs, startExact, startUtcNs, exitNs, exitUtcNs,
                exitCode, exitRecorded, ppid, parentStartNs, exe, argv, commandLine, argvTruncated, comm, uid, gid, euid, egid,
                mntns, ancestors, source, execs, memoryKnown, lostDuring, exeTruncated, ancestorsTruncated, leaderExited,
                leaderExitNs);
    }
}
