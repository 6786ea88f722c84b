package dev.mapscribe.recorder.ring;

import dev.mapscribe.formats.journal.JournalWriter;
import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.Layouts;
import dev.mapscribe.formats.raw.RawRecords;
import dev.mapscribe.formats.raw.RawRecords.SynthFile;
import dev.mapscribe.formats.raw.RecordDecoder;
import dev.mapscribe.formats.raw.RecordKind;
import dev.mapscribe.recorder.enrich.ProcessLink;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Copies ring records end to end into one contiguous buffer and appends it to the journal as one
 * excerpt: the journal's cost is per excerpt, not per byte (shared/FACTS.md), so a batch of a few
 * thousand records costs about what one record would. Also counts records by kind and spots files
 * mapped executable, for the enricher. Used by the writer thread only.
 */
public final class KernelBatcher implements RingReader.RecordSink {
    /**
     * Receives the file of every executable file mapping and post-exec VMA, with the mapping's range (the
     * enricher reads deleted files and memfds through /proc/PID/map_files/START-END) and the record's kernel
     * time (CLOCK_MONOTONIC ns), from which the enricher measures how long the hold came after the mapping.
     */
    public interface ExecutableFileSink {
        void offer(FileRef file, ProcessLink link, long seenNs);
    }

    // Offsets from the one Java view of bpf/mapscribe.h (LayoutTest checks it against the C header).
    private static final long HDR_KIND = Layouts.off(Layouts.MS_HDR, "kind");
    private static final long HDR_FLAGS = Layouts.off(Layouts.MS_HDR, "flags");
    private static final long HDR_PID = Layouts.off(Layouts.MS_HDR, "pid");
    private static final long HDR_KTIME = Layouts.off(Layouts.MS_HDR, "ktime_ns");
    private static final long MMAP_PROT = Layouts.off(Layouts.MS_MMAP, "prot");
    private static final long MMAP_RET = Layouts.off(Layouts.MS_MMAP, "ret");
    private static final long MMAP_LEN = Layouts.off(Layouts.MS_MMAP, "len");
    private static final long MPROTECT_ADDR = Layouts.off(Layouts.MS_MPROTECT, "addr");
    private static final long MPROTECT_LEN = Layouts.off(Layouts.MS_MPROTECT, "len");
    private static final long MPROTECT_PROT = Layouts.off(Layouts.MS_MPROTECT, "prot");
    private static final long MPROTECT_RET = Layouts.off(Layouts.MS_MPROTECT, "ret");
    private static final long VMA_FLAGS = Layouts.off(Layouts.MS_VMA, "vm_flags");
    private static final long FORK_CHILD_PID = Layouts.off(Layouts.MS_FORK, "child_pid");
    private static final long FORK_FLAGS = Layouts.off(Layouts.MS_FORK, "fork_flags");
    private static final int KIND_MMAP = RecordKind.MMAP.id();
    private static final int KIND_EXEC = RecordKind.EXEC.id();
    private static final int KIND_VMA = RecordKind.VMA.id();
    private static final int KIND_MPROTECT = RecordKind.MPROTECT.id();
    private static final int KIND_FORK = RecordKind.FORK.id();
    private static final int F_FILE = KernelRecord.F_FILE;
    private static final int PROT_EXEC = 0x4;
    private static final int MAP_PRIVATE = 0x2;
    private static final long VM_EXEC = 0x4;

    private final JournalWriter journal;
    private final ExecutableFileSink files;
    private final NonExecFileMappings nonExecFiles = new NonExecFileMappings();
    private final MemorySegment batch;
    private long used;
    private int count;
    private final long[] recordsByKind = new long[64];
    private long records;
    private long kernelBytes;

    public KernelBatcher(JournalWriter journal, ExecutableFileSink files, Arena arena, long batchBytes) {
        this.journal = journal;
        this.files = files;
        this.batch = arena.allocate(batchBytes, 8);
    }

    @Override
    public boolean accept(MemorySegment ring, long offset, int length) {
        if (used + length > batch.byteSize()) {
            flush();
        }
        MemorySegment.copy(ring, offset, batch, used, length);
        int kind = Short.toUnsignedInt(batch.get(Layouts.U16, used + HDR_KIND));
        recordsByKind[kind & 63]++;
        if (files != null) {
            if (isExecutableFile(kind, used)) {
                offerFile(used);
            } else if (kind == KIND_MMAP) {
                rememberFileMapping(used);
            } else if (kind == KIND_MPROTECT) {
                offerIfMadeExecutable(used);
            } else if (kind == KIND_FORK) {
                childInheritsMappings(used);
            }
        }
        used += length;
        count++;
        records++;
        kernelBytes += length;
        return true;
    }

    private boolean isExecutableFile(int kind, long at) {
        int flags = Short.toUnsignedInt(batch.get(Layouts.U16, at + HDR_FLAGS));
        // An if chain, not a switch: the kind ids come from RecordKind and are not compile-time constants.
        if (kind == KIND_EXEC) {
            return true;
        }
        if (kind == KIND_MMAP) {
            return (flags & F_FILE) != 0 && (batch.get(Layouts.U32, at + MMAP_PROT) & PROT_EXEC) != 0;
        }
        if (kind == KIND_VMA) {
            return (flags & F_FILE) != 0 && (batch.get(Layouts.U64, at + VMA_FLAGS) & VM_EXEC) != 0;
        }
        return false;
    }

    /**
     * Runs made-up records of the three kinds that are offered to the enricher (an executable mapping of an
     * unlinked file, an exec, a post-exec VMA) through {@link #accept} of a batcher of its own {@code times} times,
     * so that the JIT compiles the decoding and the offering before the first real record: they run between the
     * kernel's wake-up and the hold of a file whose process may exit within milliseconds. Enricher#warmUpHolds
     * does the same for the hold. Returns the files offered (3 × times when every made-up record decoded).
     */
    public static long warmUp(int times) {
        try (Arena arena = Arena.ofConfined()) {
            RawRecords samples = new RawRecords(arena.allocate(4096, 8));
            SynthFile stage = new SynthFile(1, 4096, 0, 0, 0, 0100755, "/memfd:warm-up (deleted)");
            long addr = 0x7f0000000000L;
            samples.mmap(0, 0, 0, 0, 0, 4096, PROT_EXEC, MAP_PRIVATE, 3, 0, addr, stage)
                    .exec(0, 0, 0, stage, "warm-up\0")
                    .vma(0, 0, 0, addr, addr + 4096, 0, VM_EXEC, 0, true, stage);
            MemorySegment records = samples.buffer();
            long end = samples.length();
            long[] offered = {0};
            KernelBatcher b = new KernelBatcher(null, (f, link, seenNs) -> offered[0]++, arena, end);
            for (int i = 0; i < times; i++) {
                for (long r = 0; r < end; r += RecordDecoder.sizeAt(records, r)) {
                    b.accept(records, r, RecordDecoder.sizeAt(records, r)); // the batch holds all three: no flush
                }
                b.used = 0;
                b.count = 0;
            }
            return offered[0];
        }
    }

    /**
     * A mapping without PROT_EXEC: a file one is remembered (a later mprotect may make it executable); an anonymous
     * one (the storm's: a few loads and compares) makes the table forget the file mappings it overlaps, so that a
     * JIT reusing the addresses of a data file it unmapped does not offer that file.
     */
    private void rememberFileMapping(long at) {
        long start = batch.get(Layouts.U64, at + MMAP_RET);
        if (start < 0) {
            return; // failed: nothing mapped
        }
        int pid = batch.get(Layouts.U32, at + HDR_PID);
        if ((Short.toUnsignedInt(batch.get(Layouts.U16, at + HDR_FLAGS)) & F_FILE) == 0) {
            nonExecFiles.replaced(pid, start, start + batch.get(Layouts.U64, at + MMAP_LEN));
            return;
        }
        KernelRecord r;
        try {
            r = RecordDecoder.decodeKernel(batch, at, batch.byteSize());
        } catch (RuntimeException e) {
            return; // a malformed record still goes to the journal; the analyzer reports it there
        }
        if (r instanceof KernelRecord.MmapRecord m && m.file() != null) {
            nonExecFiles.mapped(pid, start, start + m.len(), m.file());
        }
    }

    /** A successful mprotect that adds PROT_EXEC to (part of) a file mapping made without it: offer the file. */
    private void offerIfMadeExecutable(long at) {
        if ((batch.get(Layouts.U32, at + MPROTECT_PROT) & PROT_EXEC) == 0 || batch.get(Layouts.U64, at + MPROTECT_RET) != 0) {
            return;
        }
        nonExecFiles.madeExecutable(batch.get(Layouts.U32, at + HDR_PID), batch.get(Layouts.U64, at + MPROTECT_ADDR),
                batch.get(Layouts.U64, at + MPROTECT_LEN), files, batch, at + HDR_KTIME);
    }

    /** A new process (not a thread) may make a file mapping it inherited executable, as its parent could have. */
    private void childInheritsMappings(long at) {
        if ((batch.get(Layouts.U32, at + FORK_FLAGS) & KernelRecord.ForkRecord.THREAD) == 0) {
            nonExecFiles.forked(batch.get(Layouts.U32, at + HDR_PID), batch.get(Layouts.U32, at + FORK_CHILD_PID));
        }
    }

    /** Rare (executable mappings only): a full decode is cheap enough here. */
    private void offerFile(long at) {
        int pid = batch.get(Layouts.U32, at + HDR_PID);
        long seenNs = batch.get(Layouts.U64, at + HDR_KTIME);
        KernelRecord r;
        try {
            r = RecordDecoder.decodeKernel(batch, at, batch.byteSize());
        } catch (RuntimeException e) {
            return; // a malformed record still goes to the journal; the analyzer reports it there
        }
        switch (r) {
            // A failed mmap mapped nothing: the path alone is still worth hashing, and no process leads to the file.
            case KernelRecord.MmapRecord m when m.file() != null -> {
                if (m.ret() < 0) {
                    files.offer(m.file(), ProcessLink.NONE, seenNs);
                } else {
                    files.offer(m.file(), ProcessLink.mapping(pid, m.ret(), m.ret() + m.len()), seenNs);
                    nonExecFiles.replaced(pid, m.ret(), m.ret() + m.len()); // mapped over what was remembered there
                }
            }
            // No range: the file the process now runs. The exe's own range comes with the VMA records that follow.
            case KernelRecord.ExecRecord e -> files.offer(e.exe(), ProcessLink.exe(pid), seenNs);
            case KernelRecord.VmaRecord v when v.file() != null ->
                    files.offer(v.file(), ProcessLink.mapping(pid, v.start(), v.end()), seenNs);
            default -> { }
        }
    }

    /** Appends the pending records as one excerpt. */
    public void flush() {
        if (count == 0) {
            return;
        }
        journal.appendKernelBatch(batch, used, count);
        used = 0;
        count = 0;
    }

    public long records() {
        return records;
    }

    public long kernelBytes() {
        return kernelBytes;
    }

    public long recordsOfKind(int kind) {
        return recordsByKind[kind & 63];
    }
}
