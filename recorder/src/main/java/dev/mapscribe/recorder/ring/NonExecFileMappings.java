package dev.mapscribe.recorder.ring;

import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.Layouts;
import java.lang.foreign.MemorySegment;

/**
 * File mappings made without PROT_EXEC, remembered by (pid, start) so that an mprotect that makes one of them
 * executable later can offer its file to the enricher: the syscall tier's mprotect record does not name the file
 * (a loader that maps a memfd writable, fills it and flips it to executable would otherwise never be hashed).
 * A direct-mapped table of {@link #SLOTS} entries, used by the writer thread only: a mapping pushed out by another,
 * or made executable from other than its first address, is not offered (its mem_prot_alert row still names the
 * file). An anonymous mapping at the same start forgets the entry; an entry outlives an munmap, though, and a
 * range unmapped and then made executable at the same start by other means than a recorded mmap (mremap moving
 * memory there) would offer the old file once: the hold's identity check refuses it at that range, and the
 * worker then hashes it by its path, an extra row of the files table.
 */
final class NonExecFileMappings {
    static final int SLOTS = 4096;

    private record Mapping(int pid, long start, long end, FileRef file) {}

    private final Mapping[] slots = new Mapping[SLOTS];

    private static int slot(int pid, long start) {
        long h = ((start >>> 12) ^ ((long) pid << 40)) * 0x9E3779B97F4A7C15L; // the pid in the high bits the slot takes
        return (int) (h >>> 52) & (SLOTS - 1);
    }

    /** A file mapped at [start, end) without PROT_EXEC. */
    void mapped(int pid, long start, long end, FileRef file) {
        slots[slot(pid, start)] = new Mapping(pid, start, end, file);
    }

    /** Anonymous memory was mapped at start: forget the file mapped there before, if any. */
    void replaced(int pid, long start) {
        int s = slot(pid, start);
        Mapping m = slots[s];
        if (m != null && m.pid() == pid && m.start() == start) {
            slots[s] = null;
        }
    }

    /**
     * The file mapped at exactly {@code start} by {@code pid}, now made executable: offered once (with the record's
     * kernel time, read at {@code ktimeAt} of {@code record} only then), then forgotten.
     */
    boolean madeExecutable(int pid, long start, KernelBatcher.ExecutableFileSink sink, MemorySegment record, long ktimeAt) {
        int s = slot(pid, start);
        Mapping m = slots[s];
        if (m == null || m.pid() != pid || m.start() != start) {
            return false;
        }
        slots[s] = null;
        sink.offer(m.file(), pid, m.start(), m.end(), record.get(Layouts.U64, ktimeAt));
        return true;
    }
}
