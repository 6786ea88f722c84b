package dev.mapscribe.formats.raw;

import java.util.List;

/** Records the recorder writes in user space: the journal header, the /proc snapshot, enrichment, losses. */
public sealed interface UserRecord extends Record {

    /**
     * The first entry of a journal (and of every cycle file, so that deleting old cycles keeps it).
     * {@code bootTimeUtcNs} turns kernel time into UTC: utc = bootTimeUtcNs + ktimeNs. {@code hookTier} names the
     * kernel programs that recorded: "syscalls" (tp_btf), "syscalls/raw_tp" (the same records from raw tracepoints)
     * or "lsm"; {@code startKtimeNs} is just before they were attached. {@code overcommitMemory} is the host's
     * vm.overcommit_memory when recording started (0, 1 or 2; {@link #OVERCOMMIT_UNKNOWN} in journals written before
     * it was recorded): under 2 the kernel ignores MAP_NORESERVE, which otherwise keeps a mapping apart from its
     * neighbours (VM_NORESERVE). {@code suspendedNs} is CLOCK_BOOTTIME minus CLOCK_MONOTONIC when recording started:
     * how long the host had been suspended since boot (0 on one that never slept; {@link #SUSPENDED_UNKNOWN} in
     * journals written before 2026-12-08). /proc's process start times count it (the boot clock), the kernel records'
     * do not (the monotonic clock), so a snapshot's start tick is that much ahead of its process's start.
     */
    record JournalHeader(int formatVersion, String recorderVersion, String hostname, String machineId,
                         String kernelRelease, long bootTimeUtcNs, String hookTier, String bpfSha256,
                         long startUtcNs, long startKtimeNs, List<String> commandLine, int recorderPid,
                         int overcommitMemory, long suspendedNs)
            implements UserRecord {
        public static final int OVERCOMMIT_UNKNOWN = -1;
        public static final long SUSPENDED_UNKNOWN = Long.MIN_VALUE;
        /** vm.overcommit_memory's "never" (OVERCOMMIT_NEVER): the kernel ignores MAP_NORESERVE. */
        public static final int OVERCOMMIT_NEVER = 2;

        /** A header that does not say the host's overcommit mode. */
        public JournalHeader(int formatVersion, String recorderVersion, String hostname, String machineId,
                             String kernelRelease, long bootTimeUtcNs, String hookTier, String bpfSha256,
                             long startUtcNs, long startKtimeNs, List<String> commandLine, int recorderPid) {
            this(formatVersion, recorderVersion, hostname, machineId, kernelRelease, bootTimeUtcNs, hookTier, bpfSha256,
                    startUtcNs, startKtimeNs, commandLine, recorderPid, OVERCOMMIT_UNKNOWN);
        }

        /** A header that does not say how long the host had been suspended. */
        public JournalHeader(int formatVersion, String recorderVersion, String hostname, String machineId,
                             String kernelRelease, long bootTimeUtcNs, String hookTier, String bpfSha256,
                             long startUtcNs, long startKtimeNs, List<String> commandLine, int recorderPid,
                             int overcommitMemory) {
            this(formatVersion, recorderVersion, hostname, machineId, kernelRelease, bootTimeUtcNs, hookTier, bpfSha256,
                    startUtcNs, startKtimeNs, commandLine, recorderPid, overcommitMemory, SUSPENDED_UNKNOWN);
        }

        public RecordKind kind() { return RecordKind.JOURNAL_HEADER; }
    }

    /**
     * A process that was running when recording started; its SnapshotRegions follow it. {@code ktimeNs}: CLOCK_MONOTONIC
     * once the process was read (its smaps last; recorders before 2026-12-07's twenty-third session took it as the read
     * began): no later change is in it.
     *
     * <p>{@code state} is the state letter of the group leader's stat ('R', 'S', 'Z', ...) and {@code threads} its thread
     * count (stat's field 20: the group's threads, a zombie leader included); both came later (minor version): a journal
     * written before 2026-12-08 reads them as {@link #STATE_UNKNOWN} and {@link #THREADS_UNKNOWN}. A leader in state Z
     * has exited: with {@code threads} 1 the whole process has (a zombie its parent had not reaped yet); with more, its
     * other threads run on, and the exe, argv, mount namespace and maps, which /proc no longer shows through the
     * leader, were read through the live thread {@code readVia} (/proc/PID/task/TID/); 0 when read through the leader.
     */
    record ProcSnapshot(long ktimeNs, int pid, int ppid, long startTicks, int uid, int gid, int euid, int egid,
                        long mntns, String comm, String exe, List<String> argv, String error, char state, int threads,
                        int readVia) implements UserRecord {
        public static final char STATE_UNKNOWN = 0;
        public static final int THREADS_UNKNOWN = -1;

        /** A snapshot as recorders before 2026-12-08 wrote it: leader state and thread count unknown. */
        public ProcSnapshot(long ktimeNs, int pid, int ppid, long startTicks, int uid, int gid, int euid, int egid,
                            long mntns, String comm, String exe, List<String> argv, String error) {
            this(ktimeNs, pid, ppid, startTicks, uid, gid, euid, egid, mntns, comm, exe, argv, error, STATE_UNKNOWN,
                    THREADS_UNKNOWN, 0);
        }

        /** The leader had exited and was not reaped yet (state Z): its process is gone if it had no other thread. */
        public boolean leaderExited() {
            return state == 'Z';
        }

        public RecordKind kind() { return RecordKind.PROC_SNAPSHOT; }
    }

    /**
     * One VMA of /proc/PID/smaps at snapshot time: its maps line, and {@code vmFlags}, smaps' VmFlags line as the
     * kernel prints it ("rd wr mr mw me ac"), null when not known (read from maps, or a journal written before it was
     * recorded). The flags show what the maps line does not, such as VM_ACCOUNT ("ac") and VM_NORESERVE ("nr"),
     * which keep two VMAs apart that look alike in maps. prot: PROT_READ 1 | PROT_WRITE 2 | PROT_EXEC 4.
     */
    record SnapshotRegion(int pid, long start, long end, int prot, boolean shared, long offset, int devMajor,
                          int devMinor, long inode, String path, String vmFlags) implements UserRecord {
        /** A line of /proc/PID/maps, without the VMA's flags. */
        public SnapshotRegion(int pid, long start, long end, int prot, boolean shared, long offset, int devMajor,
                              int devMinor, long inode, String path) {
            this(pid, start, end, prot, shared, offset, devMajor, devMinor, inode, path, null);
        }

        public RecordKind kind() { return RecordKind.SNAPSHOT_REGION; }
    }

    /** Hashes and magic of a file mapped executable; hashes are lowercase hex, null when not computed. */
    record FileInfo(long ktimeNs, int dev, long ino, long ctimeSec, int ctimeNsec, long size, String path,
                    String magic, String md5, String sha1, String sha256, String sha512, String error, int viaPid)
            implements UserRecord {
        public RecordKind kind() { return RecordKind.FILE_INFO; }
    }

    /**
     * Ring-buffer reservations that failed on one CPU since the previous Loss of that CPU; or, with
     * {@code cpu == JOURNAL_FULL}, kernel records the journal refused because it was at --max-disk; with
     * {@code cpu == DISK_FULL}, because the journal's file system was nearly full; with {@code cpu == RECURSION},
     * runs of the recorder's programs the kernel skipped since the previous such Loss because the program was
     * already running on that CPU (on a kernel that preempts kernel code): at most that many records lost.
     */
    record Loss(long ktimeNs, int cpu, long count, long firstNs, long lastNs) implements UserRecord {
        public static final int JOURNAL_FULL = -1;
        public static final int DISK_FULL = -2;
        public static final int RECURSION = -3;
        /**
         * Syscalls made in 32-bit mode (a 32-bit process, or int 0x80) whose numbers the kernel programs watch in 64-bit
         * mode, not recorded: another call than the number says there; and x32's own versions of watched calls (one count
         * per CPU that saw any).
         */
        public static final int COMPAT = -4;

        public RecordKind kind() { return RecordKind.LOSS; }

        /** Lost in the kernel (per CPU, or runs it skipped), not refused by the journal (nor a newer recorder's cause). */
        public boolean inKernel() { return cpu >= 0 || cpu == RECURSION; }

        /** Not lost at all: calls the kernel programs left out on purpose (32-bit ones, {@link #COMPAT}). */
        public boolean leftOut() { return cpu == COMPAT; }
    }

    /**
     * The recorder's counters, written every few seconds and once more as it stops.
     *
     * @param last the recorder's final record, written as it stops: a journal without one was not stopped (it is
     *             still being recorded, or the recorder was killed or crashed) or lost its end. Older journals'
     *             records lack the field and read as false.
     */
    record RecorderStatus(long ktimeNs, long records, long bytes, long batches, long lost, long filesHashed,
                          long cpuNs, String note, boolean last) implements UserRecord {
        /** A periodic one. */
        public RecorderStatus(long ktimeNs, long records, long bytes, long batches, long lost, long filesHashed,
                              long cpuNs, String note) {
            this(ktimeNs, records, bytes, batches, lost, filesHashed, cpuNs, note, false);
        }

        public RecordKind kind() { return RecordKind.RECORDER_STATUS; }
    }

    /**
     * The writer deleted the oldest cycle files to stay under --max-disk: what they held is gone. The counts are
     * totals since the recording started, not this roll's: each roll writes a new JournalRolled into the newest
     * cycle, so the last one survives even when a later roll deletes the cycle that held an earlier one.
     * Deletion is always oldest first, so the gap runs from the start of the recording to {@code keptFromNs}
     * (CLOCK_MONOTONIC, when the writer opened the oldest cycle it kept). {@code deletedKernelRecords} is -1
     * in journals written before it was recorded.
     */
    record JournalRolled(long ktimeNs, int deletedCycles, long deletedBytes, long deletedKernelRecords, long keptFromNs)
            implements UserRecord {
        public RecordKind kind() { return RecordKind.JOURNAL_ROLLED; }
    }
}
