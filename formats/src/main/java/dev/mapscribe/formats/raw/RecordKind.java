package dev.mapscribe.formats.raw;

/**
 * Stable numeric ids of every journal record kind. Never reuse or renumber one.
 * Ids 1..63 are kernel records (bpf/mapscribe.h, enum ms_kind); 64.. are written by the recorder in user space.
 */
public enum RecordKind {
    TASK(1), MMAP(2), MPROTECT(3), MUNMAP(4), MREMAP(5), BRK(6), SYSCALL(7), FORK(8), EXEC(9), EXIT(10), VMA(11), ORDER(12),
    JOURNAL_HEADER(64), PROC_SNAPSHOT(65), SNAPSHOT_REGION(66), FILE_INFO(67), LOSS(68), RECORDER_STATUS(69),
    JOURNAL_ROLLED(70);

    /** Version of every layout in this package and of the journal framing; bpf/mapscribe.h's MS_FORMAT_VERSION. */
    public static final int FORMAT_VERSION = 6;

    private static final RecordKind[] BY_ID = new RecordKind[128];
    static {
        for (RecordKind k : values()) BY_ID[k.id] = k;
    }

    private final int id;

    RecordKind(int id) { this.id = id; }

    public int id() { return id; }

    public boolean isKernel() { return id < 64; }

    /** The kind with this id, or null when the id is unknown (a newer or damaged journal). */
    public static RecordKind of(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
