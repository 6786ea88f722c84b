package dev.mapscribe.recorder.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.RawRecords;
import dev.mapscribe.formats.raw.RecordDecoder;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which files the writer's batcher offers when an mprotect makes (part of) a file mapping executable: real record
 * bytes (RawRecords) through {@link KernelBatcher#accept}, as the ring hands them over.
 */
class NonExecFileMappingsTest {
    private static final int R = 1, RW = 3, RX = 5, SHARED = 0x01, PRIVATE = 0x02, ANON = 0x20, FIXED = 0x10;
    private static final long K = 1024, M = K * K, BASE = 0x7f0000000000L;

    /** Offers, as "inode pid start-end" (hex), of the records written into {@code rec}. */
    private static List<String> offers(RawRecords rec) {
        List<String> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            KernelBatcher b = new KernelBatcher(null, (f, link, seenNs) ->
                    out.add(f.ino() + " " + link.pid() + " " + Long.toHexString(link.start()) + "-" + Long.toHexString(link.end())), arena, 1 << 20);
            MemorySegment records = rec.buffer();
            for (long r = 0; r < rec.length(); r += RecordDecoder.sizeAt(records, r)) {
                b.accept(records, r, RecordDecoder.sizeAt(records, r));
            }
        }
        return out;
    }

    private static String range(long start, long end) {
        return Long.toHexString(start) + "-" + Long.toHexString(end);
    }

    @Test
    void theWholeMappingMadeExecutableIsOfferedOnceWithItsRange() {
        RawRecords rec = new RawRecords(8192)
                .mmapFile(1, 10, 10, 0, 30000, RW, SHARED, 3, 0, BASE, 77, 1, "/memfd:x (deleted)")
                .mprotect(2, 10, 10, BASE, 30000, RX, 0)
                .mprotect(3, 10, 10, BASE, 30000, RX, 0); // the same file again: offered once
        assertEquals(List.of("77 10 " + range(BASE, BASE + 30000)), offers(rec));
    }

    @Test
    void aPartInsideTheMappingIsOfferedWithThatPartAsItsRange() {
        // A loader's text pages, 1 MiB into a 3 MiB mapping: the VMA after the call is exactly that part.
        RawRecords rec = new RawRecords(8192)
                .mmapFile(1, 10, 10, 0, 3 * M, RW, PRIVATE, 3, 0, BASE, 77, 1, "/memfd:x (deleted)")
                .mprotect(2, 10, 10, BASE + M + 8192, 5000, RX, 0);
        assertEquals(List.of("77 10 " + range(BASE + M + 8192, BASE + M + 16384)), offers(rec));
    }

    @Test
    void neitherOtherProcessesNorFailedNorReadOnlyCallsOffer() {
        RawRecords rec = new RawRecords(8192)
                .mmapFile(1, 10, 10, 0, 8192, RW, SHARED, 3, 0, BASE, 77, 1, "/memfd:x (deleted)")
                .mprotect(2, 11, 11, BASE, 8192, RX, 0)      // another process, same address
                .mprotect(3, 10, 10, BASE, 8192, RX, -13)    // failed: EACCES
                .mprotect(4, 10, 10, BASE, 8192, R, 0)       // no PROT_EXEC
                .mprotect(5, 10, 10, BASE, 0, RX, 0)         // zero length: changes nothing
                .mprotect(6, 10, 10, BASE + 8192, 4096, RX, 0); // just past its end
        assertEquals(List.of(), offers(rec));
    }

    @Test
    void aChildProcessInheritsItsParentsMappings() {
        // A 3 MiB mapping sits in the sets of 48 granules: the child gets it once, and only the forked child does.
        RawRecords rec = new RawRecords(8192)
                .mmapFile(1, 10, 10, 0, 3 * M, RW, SHARED, 3, 0, BASE, 77, 1, "/memfd:x (deleted)")
                .fork(2, 0, 10, 10, 20, 2)
                .mprotect(3, 12, 12, BASE, 4096, RX, 0)          // not a child of 10: no file
                .mprotect(4, 20, 20, BASE + M, 4096, RX, 0)      // the child
                .mprotect(5, 10, 10, BASE + 2 * M, 4096, RX, 0); // the parent, which still has its own
        assertEquals(List.of("77 20 " + range(BASE + M, BASE + M + 4096), "77 10 " + range(BASE + 2 * M, BASE + 2 * M + 4096)),
                offers(rec));
    }

    @Test
    void aChildDoesNotInheritWhatItsParentMappedOver() {
        // The parent's file mapping, then anonymous memory over all of it: the child inherits no file there.
        RawRecords rec = new RawRecords(8192)
                .mmapFile(1, 10, 10, 0, 8192, RW, SHARED, 3, 0, BASE, 77, 1, "/memfd:x (deleted)")
                .mmapFile(2, 10, 10, 0, 8192, RW, SHARED, 4, 0, BASE + M, 78, 1, "/memfd:y (deleted)")
                .mmap(3, 10, 10, BASE, 8192, RW, PRIVATE | ANON | FIXED, -1, 0, BASE)
                .fork(4, 0, 10, 10, 20, 2)
                .mprotect(5, 20, 20, BASE, 8192, RX, 0)       // mapped over before the fork: nothing
                .mprotect(6, 20, 20, BASE + M, 8192, RX, 0);  // still the parent's file at the fork
        assertEquals(List.of("78 20 " + range(BASE + M, BASE + M + 8192)), offers(rec));
    }

    @Test
    void aChildDoesNotInheritAMappingPushedOutOfTheTable() {
        NonExecFileMappings table = new NonExecFileMappings();
        FileRef file = new FileRef(1, 8192, 0, 0, 77, 0100644, 0, "/memfd:x (deleted)");
        table.mapped(10, BASE, BASE + 8192, file);
        // 2 * WAYS mappings of other processes whose granules share its set push it out (they fill the set's empty
        // ways, then a full set gives up its ways in turn); the parent's mapping elsewhere stays
        int set = NonExecFileMappings.set(10, BASE >>> NonExecFileMappings.GRANULE_SHIFT);
        int pushed = 0;
        for (int pid = 1000; pushed < 2 * NonExecFileMappings.WAYS; pid++) {
            if (NonExecFileMappings.set(pid, BASE >>> NonExecFileMappings.GRANULE_SHIFT) == set) {
                table.mapped(pid, BASE, BASE + 4096, file);
                pushed++;
            }
        }
        long last = BASE + M;
        table.mapped(10, last, last + 4096, file);
        table.forked(10, 20);
        List<String> offered = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment record = arena.allocate(64, 8);
            table.madeExecutable(20, BASE, 8192, (f, link, seenNs) -> offered.add("pushed out"), record, 0);
            table.madeExecutable(20, last, 4096, (f, link, seenNs) -> offered.add("inherited"), record, 0);
        }
        assertEquals(List.of("inherited"), offered);
    }

    @Test
    void theIndexOfProcessesStaysBoundedWhateverTheyMap() {
        // 50,000 short-lived processes of 4 file mappings each (and a fork each): the table keeps 4,096 ways, and the
        // per-process index behind forked() may not keep the rest.
        NonExecFileMappings table = new NonExecFileMappings();
        FileRef file = new FileRef(1, 8192, 0, 0, 77, 0100644, 0, "/usr/lib/x.so");
        for (int pid = 1; pid <= 50_000; pid++) {
            for (long i = 0; i < 4; i++) {
                table.mapped(pid, BASE + i * M, BASE + i * M + 8192, file);
            }
            table.forked(pid, 100_000 + pid);
            assertTrue(table.indexed() <= NonExecFileMappings.INDEX_BOUND, "index entries: " + table.indexed());
        }
        // the last child still inherited its parent's mappings
        List<String> offered = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            table.madeExecutable(150_000, BASE + 3 * M, 4096, (f, link, seenNs) -> offered.add(f.path()), arena.allocate(64, 8), 0);
        }
        assertEquals(List.of("/usr/lib/x.so"), offered);
    }

    @Test
    void aMappingOverTheFileMakesTheTableForgetIt() {
        RawRecords rec = new RawRecords(8192)
                .mmapFile(1, 10, 10, 0, 64 * K, RW, SHARED, 3, 0, BASE, 77, 1, "/memfd:old (deleted)")
                .mmap(2, 10, 10, BASE + 16 * K, 4096, RW, PRIVATE | ANON | FIXED, -1, 0, BASE + 16 * K)
                .mprotect(3, 10, 10, BASE + 16 * K, 4096, RX, 0)  // the anonymous page: no file
                .mmapFile(4, 10, 10, BASE, 8192, RW, SHARED | FIXED, 4, 0, BASE, 78, 1, "/memfd:new (deleted)")
                .mprotect(5, 10, 10, BASE, 8192, RX, 0);          // the new file, not the old one
        assertEquals(List.of("78 10 " + range(BASE, BASE + 8192)), offers(rec));
    }

    @Test
    void smallMappingsSideBySideAreAllRemembered() {
        // Loaders map stage after stage next to each other: up to WAYS of them in one 64 KiB granule.
        RawRecords rec = new RawRecords(16384);
        for (int i = 0; i < NonExecFileMappings.WAYS; i++) {
            rec.mmapFile(1, 10, 10, 0, 8192, RW, SHARED, 3, 0, BASE + i * 8192L, 100 + i, 1, "/memfd:s (deleted)");
        }
        for (int i = 0; i < NonExecFileMappings.WAYS; i++) {
            rec.mprotect(2, 10, 10, BASE + i * 8192L, 8192, RX, 0);
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < NonExecFileMappings.WAYS; i++) {
            expected.add((100 + i) + " 10 " + range(BASE + i * 8192L, BASE + (i + 1) * 8192L));
        }
        assertEquals(expected, offers(rec));
    }

    @Test
    void beyondTheFirstFourMibOfAMappingNothingIsOffered() {
        // Said in the class comment: the table covers a mapping's first MAX_GRANULES granules only.
        long covered = (long) NonExecFileMappings.MAX_GRANULES << NonExecFileMappings.GRANULE_SHIFT;
        RawRecords rec = new RawRecords(8192)
                .mmapFile(1, 10, 10, 0, 2 * covered, RW, PRIVATE, 3, 0, BASE, 77, 1, "/memfd:big (deleted)")
                .mprotect(2, 10, 10, BASE + covered, 4096, RX, 0);
        assertEquals(List.of(), offers(rec));
    }
}
