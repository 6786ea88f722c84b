package dev.mapscribe.recorder.enrich;

/**
 * How a process leads to a file it maps or runs, for when the file's path no longer does (unlinked, replaced, a
 * memfd): the /proc link that reaches the inode itself. One of three kinds:
 * <ul>
 *   <li>{@link #NONE}: no process leads to it, only its path (a failed mmap mapped nothing);</li>
 *   <li>{@link #mapping}: the process maps it at [start, end), {@code /proc/PID/map_files/START-END};</li>
 *   <li>{@link #exe}: the process runs it, {@code /proc/PID/exe} (an exec's record has no range, and a process
 *       run from a memfd (memfd_create, then fexecve) must be held at its exec: its mapping comes later in the
 *       same burst, no longer a first sighting).</li>
 * </ul>
 * {@code procId} is the /proc entry the link goes through: the pid, or a live thread of the process when its first
 * thread has exited ({@link #throughThread}).
 */
public record ProcessLink(Kind kind, int pid, long start, long end, int procId) {
    public enum Kind { NONE, MAPPING, EXE }

    public static final ProcessLink NONE = new ProcessLink(Kind.NONE, 0, 0, 0);

    public ProcessLink {
        if ((kind == Kind.NONE) != (pid <= 0)) {
            throw new IllegalArgumentException("a link through a process needs its pid, and only such a link has one: "
                    + kind + " pid " + pid);
        }
    }

    public ProcessLink(Kind kind, int pid, long start, long end) {
        this(kind, pid, start, end, pid);
    }

    /**
     * The same link through /proc/TID/ of the process's thread {@code tid}: a process whose first thread has exited
     * shows its map_files and exe through a live thread only (recorder.proc.LiveThread).
     */
    public ProcessLink throughThread(int tid) {
        return new ProcessLink(kind, pid, start, end, tid);
    }

    /**
     * The process's mapping of the file at [start, end); {@link #NONE} when {@code pid} is not a process (0: a
     * record made up for the start-up warm-up): the writer thread must not fail on a record, whatever it holds.
     */
    public static ProcessLink mapping(int pid, long start, long end) {
        return pid > 0 ? new ProcessLink(Kind.MAPPING, pid, start, end) : NONE;
    }

    /** The file the process runs; {@link #NONE} when {@code pid} is not a process, as for {@link #mapping}. */
    public static ProcessLink exe(int pid) {
        return pid > 0 ? new ProcessLink(Kind.EXE, pid, 0, 0) : NONE;
    }

    /** The /proc path of the link (a magic link to the inode), or null for {@link #NONE}. */
    String procPath(long pageSize) {
        return switch (kind) {
            case NONE -> null;
            case EXE -> "/proc/" + procId + "/exe";
            // It names whole pages, and a record's end (address + length) need not be one.
            case MAPPING -> "/proc/" + procId + "/map_files/" + Long.toHexString(start) + "-"
                    + Long.toHexString((end + pageSize - 1) & -pageSize);
        };
    }
}
