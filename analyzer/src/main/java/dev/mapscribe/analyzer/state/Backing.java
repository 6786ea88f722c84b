package dev.mapscribe.analyzer.state;

/** What lies behind a region's pages. */
public enum Backing {
    /** Private anonymous memory (MAP_PRIVATE|MAP_ANONYMOUS, brk, stack). */
    ANON,
    /** A file mapping (MAP_SHARED or MAP_PRIVATE of a file, memfd included). */
    FILE,
    /** Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS): the kernel backs it with an unnamed shmem file. */
    SHMEM,
    /**
     * Not known: the recording cannot say what is mapped here (a process that started before the recording
     * and was not in the snapshot, or records were lost). A region of this kind may even be unmapped.
     */
    UNKNOWN;

    private final String lower = name().toLowerCase(java.util.Locale.ROOT);

    /** The name as the regions table spells it: "anon", "file", "shmem", "unknown". */
    public String lowerName() {
        return lower;
    }
}
