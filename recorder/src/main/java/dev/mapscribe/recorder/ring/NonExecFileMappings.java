package dev.mapscribe.recorder.ring;

import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.Layouts;
import dev.mapscribe.recorder.enrich.ProcessLink;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * File mappings made without PROT_EXEC, remembered so that an mprotect that makes part of one executable later can
 * offer its file to the enricher: the syscall tier's mprotect record does not name the file (a loader that maps a
 * memfd writable, fills it and flips it, or only its code pages, to executable would otherwise never be hashed).
 *
 * <p>A set-associative table used by the writer thread only. A mapping is entered in the set of each 64 KiB granule
 * of its first {@link #MAX_GRANULES} granules (4 MiB), so an mprotect anywhere in that span finds it with one set's
 * {@link #WAYS} probes: the storm's path (an anonymous mmap and an mprotect per iteration) stays one set's probes.
 * Not offered: a part made executable beyond the first 4 MiB of its mapping, and a mapping pushed out of a full set
 * by {@link #WAYS} later ones (its mem_prot_alert row still names the file). A new mapping, file or anonymous, makes
 * the table forget what it overlaps, as the kernel does. An entry outlives an munmap, though: a range unmapped and
 * then made executable by other means than a recorded mmap (mremap moving memory there) would offer the old file
 * once; the hold's identity check refuses it at that range, and the worker then hashes it by its path, an extra row
 * of the files table. A mapping moved by mremap is not followed to its new address. A child process starts with
 * its parent's mappings ({@link #forked}).
 */
final class NonExecFileMappings {
    static final int SETS = 1024;
    static final int WAYS = 4;
    static final int GRANULE_SHIFT = 16;
    static final int MAX_GRANULES = 64;
    private static final long PAGE_MASK = 4095;

    /**
     * Entries of the per-process index past which it drops the mappings no way holds any more: four times the
     * table's ways, so a clean-up, which keeps at most {@code SETS * WAYS} entries, comes after thousands of entries.
     */
    static final int INDEX_BOUND = 4 * SETS * WAYS;

    /** One mapping; {@code offered} once some part of it was made executable (its file is offered once). */
    private static final class Mapping {
        final int pid;
        final long start;
        final long end;
        final FileRef file;
        boolean offered;
        int held; // the ways that hold it: one per granule still in the table; none, and it is forgotten

        Mapping(int pid, long start, long end, FileRef file) {
            this.pid = pid;
            this.start = start;
            this.end = end;
            this.file = file;
        }

        boolean overlaps(int pid, long from, long to) {
            return this.pid == pid && Long.compareUnsigned(start, to) < 0 && Long.compareUnsigned(from, end) < 0;
        }
    }

    private final Mapping[] ways = new Mapping[SETS * WAYS];
    private final byte[] victim = new byte[SETS]; // the way a full set gives up next, round robin
    /**
     * Each process's mappings, for {@link #forked}: a fork copies the parent's from here instead of scanning every
     * way. Entries whose mapping no way holds any more ({@code held == 0}) are skipped, and dropped once the index
     * passes {@link #INDEX_BOUND} entries: memory stays bounded by the table's size, whatever the processes do.
     */
    private final Map<Integer, List<Mapping>> byPid = new HashMap<>();
    private int indexed; // entries in byPid, forgotten mappings included

    static int set(int pid, long granule) {
        long h = (granule ^ ((long) pid << 40)) * 0x9E3779B97F4A7C15L; // the pid in the high bits the set takes
        return (int) (h >>> 54) & (SETS - 1);
    }

    /** A file mapped at [start, end) without PROT_EXEC. */
    void mapped(int pid, long start, long end, FileRef file) {
        Mapping m = new Mapping(pid, start, end, file);
        long first = start >>> GRANULE_SHIFT;
        long last = Math.min((end - 1) >>> GRANULE_SHIFT, first + MAX_GRANULES - 1);
        for (long g = first; g <= last; g++) {
            int base = set(pid, g) * WAYS;
            int free = forgetOverlapping(base, pid, start, end);
            if (free < 0) {
                int s = base / WAYS;
                free = base + victim[s];
                victim[s] = (byte) ((victim[s] + 1) & (WAYS - 1));
                ways[free].held--; // pushed out of this set
            }
            ways[free] = m;
            m.held++;
        }
        byPid.computeIfAbsent(pid, k -> new ArrayList<>()).add(m);
        if (++indexed > INDEX_BOUND) {
            dropForgotten();
        }
    }

    /** Drops the index's entries for mappings no way holds (and the processes left with none). */
    private void dropForgotten() {
        indexed = 0;
        for (Iterator<List<Mapping>> it = byPid.values().iterator(); it.hasNext(); ) {
            List<Mapping> list = it.next();
            list.removeIf(m -> m.held == 0);
            if (list.isEmpty()) {
                it.remove();
            }
            indexed += list.size();
        }
    }

    /** Entries in the per-process index (forgotten mappings included until the next clean-up); for tests. */
    int indexed() {
        return indexed;
    }

    /**
     * A new process (fork, vfork, clone without CLONE_THREAD) starts with a copy of its parent's address space: it
     * may make one of the parent's mappings executable. The parent's mappings come from the per-process index, so a
     * fork costs what the parent has, not a scan of the table (ForkScanBench). The storm's calls never come here.
     */
    void forked(int parent, int child) {
        List<Mapping> own = byPid.get(parent);
        if (own == null) {
            return;
        }
        List<Mapping> inherited = new ArrayList<>(own.size());
        for (Mapping m : own) {
            if (m.held > 0) {
                inherited.add(m); // copied first: entering the child's may push the parent's out
            }
        }
        for (Mapping m : inherited) {
            mapped(child, m.start, m.end, m.file);
        }
    }

    /** Something else (anonymous memory, an executable file) was mapped at [start, end): forget what it overlaps. */
    void replaced(int pid, long start, long end) {
        long first = start >>> GRANULE_SHIFT;
        long last = Math.min((end - 1) >>> GRANULE_SHIFT, first + MAX_GRANULES - 1);
        for (long g = first; g <= last; g++) {
            forgetOverlapping(set(pid, g) * WAYS, pid, start, end);
        }
    }

    /** Empties the ways of one set that hold a mapping of pid overlapping [from, to); returns one empty way, or -1. */
    private int forgetOverlapping(int base, int pid, long from, long to) {
        int empty = -1;
        for (int w = base; w < base + WAYS; w++) {
            Mapping m = ways[w];
            if (m != null && m.overlaps(pid, from, to)) {
                ways[w] = null;
                m.held--;
                m = null;
            }
            if (m == null) {
                empty = w;
            }
        }
        return empty;
    }

    /**
     * [addr, addr + len) of {@code pid} was made executable: when it lies in a remembered file mapping, offers the
     * file once (with the record's kernel time, read at {@code ktimeAt} of {@code record} only then) with the part
     * made executable as its range: after the call that part is a VMA of its own, the
     * {@code /proc/PID/map_files} entry the hold opens.
     */
    boolean madeExecutable(int pid, long addr, long len, KernelBatcher.ExecutableFileSink sink, MemorySegment record,
                           long ktimeAt) {
        if (len == 0) {
            return false; // succeeds and changes nothing
        }
        int base = set(pid, addr >>> GRANULE_SHIFT) * WAYS;
        for (int w = base; w < base + WAYS; w++) {
            Mapping m = ways[w];
            if (m != null && !m.offered && m.overlaps(pid, addr, addr + 1)) {
                m.offered = true;
                long to = (addr + len + PAGE_MASK) & ~PAGE_MASK; // the kernel rounds the length up to pages
                long end = Long.compareUnsigned(to, m.end) < 0 && Long.compareUnsigned(to, addr) > 0 ? to : m.end;
                sink.offer(m.file, ProcessLink.mapping(pid, addr, end), record.get(Layouts.U64, ktimeAt));
                return true;
            }
        }
        return false;
    }
}
