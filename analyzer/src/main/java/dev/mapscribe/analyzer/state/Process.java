package dev.mapscribe.analyzer.state;

import java.util.List;

/**
 * One process lifetime (a thread group from fork to its last thread's exit), told apart from a later process
 * with the same pid by its start time. Mutable: the process table updates it as records arrive.
 */
public final class Process {
    /** How the process became known. */
    public enum Source { SNAPSHOT, FORK, SEEN }

    final long id;
    final int pid;
    Source source;
    final long firstSeenNs;
    long startNs;
    /** False while startNs comes from /proc's clock ticks (10 ms steps, boot clock), not from the kernel record. */
    boolean startExact;
    /** ktime of the snapshot that saw it, or -1. */
    long snapshotNs = -1;
    int ppid;
    long parentStartNs;
    Process parent;
    String exe;
    boolean exeTruncated; // the kernel's path walk cut exe's leading part
    List<String> argv = List.of();
    boolean argvTruncated;
    private List<String> commandLineOf; // the argv that commandLine was joined from
    private String commandLine;
    /** {@link ProcessTable#ancestors}'s last answer for this process, and the table's ancestry epoch it holds for. */
    String ancestors;
    boolean ancestorsTruncated; // with ancestors: an exe path in it was cut, or the chain was
    long ancestorsEpoch = -1;
    String comm;
    int uid = -1, gid = -1, euid = -1, egid = -1;
    long mntns;
    int execs;
    long exitNs = -1;
    int exitCode;
    boolean exitRecorded;
    /**
     * Its first thread (the one whose id is the pid) exited by exit(2) while others ran on: /proc then showed it as a
     * zombie, with no exe, cmdline or maps through the pid (until an exec from another thread made that one the leader).
     */
    boolean leaderExited;
    /** ktime of that exit when a record showed it; -1 when the start-up snapshot found the leader gone already. */
    long leaderExitNs = -1;
    RegionMap mm;
    /** The replay's count of lost records when this process was first seen. */
    long lossesBefore;

    Process(long id, int pid, Source source, long startNs, boolean startExact, long firstSeenNs) {
        this.id = id;
        this.firstSeenNs = firstSeenNs;
        this.pid = pid;
        this.source = source;
        this.startNs = startNs;
        this.startExact = startExact;
    }

    public long id() { return id; }
    public int pid() { return pid; }
    public Source source() { return source; }
    public long startNs() { return startNs; }
    /** ktime of the first record that showed this process: its fork, the snapshot, or its first record. */
    public long firstSeenNs() { return firstSeenNs; }
    public boolean startExact() { return startExact; }
    public int ppid() { return ppid; }
    public long parentStartNs() { return parentStartNs; }
    public Process parent() { return parent; }
    /** Path of the executable, null when the recording never saw it. */
    public String exe() { return exe; }
    /** True when the kernel cut the leading part of {@link #exe()} (too deep or too long a path). */
    public boolean exeTruncated() { return exeTruncated; }
    public List<String> argv() { return argv; }
    public boolean argvTruncated() { return argvTruncated; }
    public String comm() { return comm; }
    public int uid() { return uid; }
    public int gid() { return gid; }
    public int euid() { return euid; }
    public int egid() { return egid; }
    public long mntns() { return mntns; }
    public int execs() { return execs; }
    /** ktime of the exit, or -1 while it runs (or when its end was not recorded and not inferred). */
    public long exitNs() { return exitNs; }
    public int exitCode() { return exitCode; }
    /** Whether an exit record ended it (false: its end was inferred, e.g. its pid came back with a new start time). */
    public boolean exitRecorded() { return exitRecorded; }
    public boolean leaderExited() { return leaderExited; }
    public long leaderExitNs() { return leaderExitNs; }
    public RegionMap mm() { return mm; }
    public long lossesBefore() { return lossesBefore; }

    /** The command line as kunai prints it: arguments joined by spaces. */
    public String commandLine() {
        // Joined once per argv list (every alert and mmap_exec row asks); argv is only ever replaced, never changed.
        if (commandLineOf != argv) {
            commandLine = String.join(" ", argv);
            commandLineOf = argv;
        }
        return commandLine;
    }

    public TaskInfo asTask() {
        return new TaskInfo(pid, pid, comm, uid, gid, euid, egid, mntns, startNs);
    }

    @Override
    public String toString() {
        return "process " + pid + " (" + comm + ", start " + startNs + ")";
    }
}
