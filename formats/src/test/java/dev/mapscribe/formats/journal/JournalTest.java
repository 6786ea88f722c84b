package dev.mapscribe.formats.journal;

import dev.mapscribe.formats.raw.KernelRecord.*;
import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.raw.Record;
import dev.mapscribe.formats.raw.UserRecord.*;
import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.formats.raw.RawRecords;
import dev.mapscribe.formats.testkit.Tmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class JournalTest {

    static JournalHeader header() {
        return new JournalHeader(1, "test", "host-a", "machine-1", "6.18.0", 1_700_000_000_000_000_000L, "syscalls",
                "ab12", 1_700_000_100_000_000_000L, 100_000_000_000L, List.of("mapscribe", "record"), 4242);
    }

    static List<Record> readAll(Path dir, List<Long> batches, ReadResult[] result) throws Exception {
        List<Record> out = new ArrayList<>();
        try (JournalReader r = JournalReader.open(dir)) {
            result[0] = r.read((rec, batch) -> {
                out.add(rec);
                batches.add(batch);
            });
        }
        return out;
    }

    @Test
    void anOpenedJournalTakesNothingBeforeItsHeaderAndIsReadFromItOn(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        try (JournalWriter w = JournalWriter.open(dir, JournalWriter.Options.defaults())) {
            assertThrows(IllegalStateException.class, () -> w.append(new RecorderStatus(1, 0, 0, 0, 0, 0, 0, "")));
            w.start(header());
            w.append(new RecorderStatus(2, 0, 0, 0, 0, 0, 0, ""));
        }
        List<Record> recs = new ArrayList<>();
        try (JournalReader r = JournalReader.open(dir)) {
            assertEquals(header(), r.header());
            r.read((rec, batch) -> recs.add(rec));
        }
        assertEquals(List.of(header(), new RecorderStatus(2, 0, 0, 0, 0, 0, 0, "")), recs);
    }

    @Test
    void anAbandonedJournalLeavesNothingBehindButADirectoryThatWasThere(@TempDir Path tmp) throws Exception {
        Path made = tmp.resolve("made");
        JournalWriter.open(made, JournalWriter.Options.defaults()).abandon();
        assertFalse(Files.exists(made), "the directory open() created is removed");
        Path given = Files.createDirectory(tmp.resolve("given"));
        JournalWriter.open(given, JournalWriter.Options.defaults()).abandon();
        try (var left = Files.list(given)) {
            assertEquals(List.of(), left.toList(), "an existing directory is emptied, not removed");
        }
    }

    @Test
    void kernelBatchesAndUserRecordsComeBackVerbatimInOrder(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        RawRecords raw = new RawRecords(4096)
                .task(10, 100, 101, 1, 0, 5, "storm")
                .mmap(11, 100, 101, 0, 4096, 3, 0x22, -1, 0, 0x7f0000001000L)
                .mmapFile(12, 100, 101, 0, 8192, 5, 0x2, 3, 0, 0x7f0000010000L, 77, (8 << 20) | 1, "/usr/lib/libc.so.6")
                .mprotect(13, 100, 101, 0x7f0000001000L, 4096, 5, 0)
                .munmap(14, 100, 101, 0x7f0000001000L, 4096, -22)
                .exec(15, 100, "/bin/true", "true", "--x");
        try (Arena arena = Arena.ofConfined(); JournalWriter w = JournalWriter.create(dir, header(), JournalWriter.Options.defaults())) {
            w.append(new FileInfo(16, 1, 77, 2, 3, 4096, "/usr/lib/libc.so.6", "ELF", "m", "s1", "s256", "s512", null, 0));
            long batch = w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count());
            assertEquals(3, batch); // header, file info, then this batch
            w.append(new Loss(17, 1, 5, 16, 17));
        }
        List<Long> batches = new ArrayList<>();
        ReadResult[] res = new ReadResult[1];
        List<Record> recs = readAll(dir, batches, res);
        assertTrue(res[0].clean(), () -> res[0].damage().describe());
        assertEquals(9, recs.size());
        assertEquals(header(), recs.get(0));
        assertInstanceOf(FileInfo.class, recs.get(1));
        TaskRecord t = (TaskRecord) recs.get(2);
        assertEquals("storm", t.comm());
        assertEquals(101, t.h().tid());
        MmapRecord anon = (MmapRecord) recs.get(3);
        assertEquals(new Hdr(2, 72, 0, 0, 11, 100, 101), anon.h());
        assertEquals(-1, anon.fd());
        assertNull(anon.file());
        MmapRecord file = (MmapRecord) recs.get(4);
        assertEquals("/usr/lib/libc.so.6", file.file().path());
        assertEquals(8, file.file().devMajor());
        assertEquals(77, file.file().ino());
        assertEquals(-22, ((MunmapRecord) recs.get(6)).ret());
        ExecRecord ex = (ExecRecord) recs.get(7);
        assertEquals("/bin/true", ex.exe().path());
        assertEquals(List.of("true", "--x"), ex.argv());
        assertEquals(new Loss(17, 1, 5, 16, 17), recs.get(8));
        assertEquals(List.of(1L, 2L, 3L, 3L, 3L, 3L, 3L, 3L, 4L), batches);
    }

    @Test
    void aUserRecordThatOpensANewCycleIsWrittenIntactAfterTheCyclesHeader(@TempDir Path tmp) throws Exception {
        // The writer repeats the header at the start of each 5-minute cycle file, from inside the append of the
        // cycle's first record: that record must survive it (it was overwritten by the header, damaging the journal).
        var clock = new net.openhft.chronicle.core.time.SetTimeProvider(java.time.Instant.parse("2026-11-23T18:34:00Z"));
        Path dir = tmp.resolve("j");
        Loss before = new Loss(1_000, 0, 5, 900, 950);
        Loss after = new Loss(2_000, 1, 7, 1_900, 1_950);
        RecorderStatus status = new RecorderStatus(3_000, 10, 4096, 3, 12, 0, 5_000, "after the roll");
        try (JournalWriter w = JournalWriter.create(dir, header(), JournalWriter.Options.defaults(), clock)) {
            w.append(before);
            clock.advanceMillis(120_000); // 18:36: the next five-minute cycle
            w.append(after);
            clock.advanceMillis(300_000); // and another, opened by a batch of user records
            w.appendAll(List.of(status, before));
        }
        ReadResult[] res = new ReadResult[1];
        List<Record> recs = readAll(dir, new ArrayList<>(), res);
        assertNull(res[0].damage(), () -> res[0].damage().describe());
        assertEquals(List.of(header(), before, after, status, before), recs);
        assertEquals(3, JournalWriter.cycleFiles(dir).size(), "three cycle files");
    }

    @Test
    void maxDiskDeletesTheOldestCyclesAndTheLastJournalRolledCountsThemAll(@TempDir Path tmp) throws Exception {
        // A cycle file takes 20 MiB on disk (Chronicle's 16 MiB block and its overlap): 50 MiB hold two of them,
        // so opening each new cycle from the third on deletes the oldest; six cycles leave the last two.
        long maxDisk = 50L << 20;
        RollingJournal.Written w = RollingJournal.write(tmp.resolve("j"), header(), maxDisk, 6);
        for (int c = 0; c < 6; c++) {
            assertTrue(w.onDiskAfterCycle().get(c) <= maxDisk, "after cycle " + c + ": " + w.onDiskAfterCycle());
        }
        assertEquals(6, w.files().stream().distinct().count(), "one file per cycle: " + w.files());
        List<String> left = JournalWriter.cycleFiles(w.dir()).stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(w.files().subList(4, 6), left, "the four oldest cycle files are gone");
        long onDisk = 0;
        for (Path p : JournalWriter.cycleFiles(w.dir())) onDisk += Files.size(p);
        assertTrue(onDisk <= maxDisk, "on disk: " + onDisk);
        assertEquals(4, w.rolledCycles());

        ReadResult[] res = new ReadResult[1];
        List<Record> recs = readAll(w.dir(), new ArrayList<>(), res);
        assertNull(res[0].damage(), () -> res[0].damage().describe());
        assertEquals(header(), recs.get(0), "the remaining journal still starts with the header");
        try (JournalReader r = JournalReader.open(w.dir())) {
            assertEquals(header(), r.header());
        }
        // Each roll wrote a JournalRolled into the cycle it opened; the two rolls whose cycles survive are left,
        // and their counts are totals, so the last one tells the whole story.
        List<JournalRolled> rolls = recs.stream().filter(r -> r instanceof JournalRolled).map(r -> (JournalRolled) r).toList();
        assertEquals(2, rolls.size(), rolls.toString());
        assertEquals(List.of(3, 4), rolls.stream().map(JournalRolled::deletedCycles).toList());
        JournalRolled last = rolls.getLast();
        assertEquals(w.fileBytes().subList(0, 4).stream().mapToLong(Long::longValue).sum(), last.deletedBytes());
        assertEquals(4L * RollingJournal.PER_CYCLE, last.deletedKernelRecords());
        // The gap ends when the writer opened the oldest kept cycle (cycle 4), on the kernel's clock.
        assertTrue(last.keptFromNs() >= w.openedAfterNs().get(4) && last.keptFromNs() <= w.openedBeforeNs().get(4),
                w.openedAfterNs().get(4) + " <= " + last.keptFromNs() + " <= " + w.openedBeforeNs().get(4));
        // Exactly the records of the two kept cycles, in order.
        List<String> notes = recs.stream().filter(r -> r instanceof RecorderStatus).map(r -> ((RecorderStatus) r).note()).toList();
        assertEquals(List.of("cycle 4", "cycle 5", "stopped"), notes);
        List<Long> ktimes = recs.stream().filter(r -> r instanceof MprotectRecord).map(r -> ((MprotectRecord) r).h().ktimeNs()).toList();
        assertEquals(2 * RollingJournal.PER_CYCLE, ktimes.size());
        assertEquals(RollingJournal.ktime(header(), 4, 0), ktimes.getFirst());
        assertEquals(RollingJournal.ktime(header(), 5, RollingJournal.PER_CYCLE - 1), ktimes.getLast());
        JournalSummary s;
        try (JournalReader r = JournalReader.open(w.dir())) {
            s = JournalSummary.of(r);
        }
        assertEquals(4, s.rolledCycles());
        assertEquals(last, s.rolled());
        assertEquals(2L * RollingJournal.PER_CYCLE, s.kernelRecords());
    }

    @Test
    void aCycleThatOutgrowsMaxDiskDeletesOlderCyclesThenRefusesBatchesUntilTheNextCycle(@TempDir Path tmp) throws Exception {
        // Chronicle grows a cycle file 16 MiB at a time (20, 36, 52 MiB) and the writer checks the total every
        // 16 MiB appended: the bound holds to within one such step.
        long maxDisk = 50L << 20, slack = 16L << 20;
        var clock = new net.openhft.chronicle.core.time.SetTimeProvider(java.time.Instant.parse("2026-11-23T18:30:00Z"));
        Path dir = tmp.resolve("j");
        RawRecords raw = new RawRecords(1 << 16);
        int accepted = 0, refusedBatches = 0;
        long maxOnDisk = 0;
        try (Arena arena = Arena.ofConfined(); JournalWriter w = JournalWriter.create(dir, header(), new JournalWriter.Options(maxDisk, false), clock)) {
            w.append(new RecorderStatus(1, 0, 0, 0, 0, 0, 0, "cycle 0"));
            clock.advanceMillis(300_000);
            w.append(new RecorderStatus(2, 0, 0, 0, 0, 0, 0, "cycle 1"));
            clock.advanceMillis(300_000);
            w.append(new RecorderStatus(3, 0, 0, 0, 0, 0, 0, "cycle 2")); // opening it deletes cycle 0
            assertEquals(1, w.rolledCycles());
            // ~40 MiB of uncompressed batches into cycle 2: it outgrows what is left under --max-disk.
            for (int i = 0; i < 700; i++) {
                raw.clear();
                for (int k = 0; k < 1000; k++) raw.mprotect(1_000_000L * (i + 1) + k, 100, 100, 0x1000, 4096, 5, 0);
                if (w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count()) < 0) refusedBatches++;
                else accepted++;
                maxOnDisk = Math.max(maxOnDisk, w.bytesOnDisk());
            }
            assertEquals(2, w.rolledCycles(), "cycle 1 was deleted in the middle of cycle 2");
            assertTrue(refusedBatches > 0, "cycle 2 alone outgrew --max-disk");
            assertEquals(1000L * refusedBatches, w.refusedRecords());
            assertTrue(maxOnDisk <= maxDisk + slack, "on disk at most " + maxOnDisk);
            clock.advanceMillis(300_000); // cycle 3: cycle 2 goes, and batches are taken again
            raw.clear().munmap(999_000_000_000L, 100, 100, 0x1000, 4096, 0);
            assertTrue(w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count()) > 0);
            assertEquals(3, w.rolledCycles());
            assertTrue(w.bytesOnDisk() <= maxDisk);
        }
        ReadResult[] res = new ReadResult[1];
        List<Record> recs = readAll(dir, new ArrayList<>(), res);
        assertNull(res[0].damage(), () -> res[0].damage().describe());
        assertEquals(header(), recs.get(0));
        JournalRolled last = (JournalRolled) recs.get(1);
        assertEquals(3, last.deletedCycles());
        assertEquals(1000L * accepted, last.deletedKernelRecords(), "every accepted batch went with cycle 2");
        assertEquals(List.of(999_000_000_000L), recs.stream().filter(r -> r instanceof KernelRecord).map(r -> ((KernelRecord) r).h().ktimeNs()).toList());
    }

    @Test
    void anOldJournalRolledWithoutItsLaterFieldsStillDecodes() {
        // Version 1 as first written: ktime, deleted cycles, deleted bytes.
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(28).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 70).putShort((short) 1).putInt(28).putLong(5).putInt(2).putLong(40L << 20).flip();
        assertEquals(new JournalRolled(5, 2, 40L << 20, -1, 0), dev.mapscribe.formats.raw.UserRecordCodec.decode(b));
    }

    @Test
    void journalFilesAreOwnerOnly(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        try (JournalWriter w = JournalWriter.create(dir, header(), JournalWriter.Options.defaults())) {
            w.append(new Loss(1, 0, 1, 1, 1));
            // While it is written, not only once closed: the cycle file is restricted when its header goes in.
            for (Path p : JournalWriter.cycleFiles(dir)) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
            }
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
            }
        }
    }

    /**
     * On a nearly full file system the writer refuses kernel batches and counts them, instead of writing on into
     * its mapped file until a page the file system cannot back faults (SIGBUS: an InternalError that ended the
     * recording). A 48 MiB tmpfs (root, to mount it), 16 MiB kept free, and more batches than would fit.
     */
    @Test
    void aNearlyFullFileSystemRefusesKernelBatchesAndTheJournalStaysWhole(@TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRoot();
        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("fs"), "48m")) {
            Path dir = fs.dir().resolve("j");
            long floor = 16L << 20;
            long accepted = 0, refused = 0;
            try (Arena arena = Arena.ofConfined();
                 JournalWriter w = JournalWriter.create(dir, header(), new JournalWriter.Options(0, false, floor))) {
                RawRecords raw = new RawRecords(1 << 20);
                Random random = new Random(1);
                for (int b = 0; b < 1200; b++) { // ~48 KB each: more than the file system holds
                    raw.clear();
                    for (int i = 0; i < 1000; i++) raw.munmap(b, 100, 100, random.nextLong(), 4096, 0);
                    if (w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count()) < 0) refused += raw.count();
                    else accepted += raw.count();
                }
                assertEquals(refused, w.refusedForSpace());
                w.append(new Loss(99, Loss.DISK_FULL, refused, 0, 99)); // what follows a refusal still fits
                long free = Files.getFileStore(fs.dir()).getUsableSpace();
                assertTrue(free >= floor - (2L << 20), "free " + free + ": at most a batch and a check's 1 MiB under the floor");
            }
            assertTrue(accepted > 0 && refused > 0, accepted + " accepted, " + refused + " refused");
            ReadResult[] res = new ReadResult[1];
            List<Record> recs = readAll(dir, new ArrayList<>(), res);
            assertTrue(res[0].clean(), () -> res[0].damage().describe());
            assertEquals(1 + accepted + 1, recs.size(), "the header, every accepted record, the loss");
            assertEquals(new Loss(99, Loss.DISK_FULL, refused, 0, 99), recs.getLast());
        }
    }

    @Test
    void aFileSystemWithLessThanTheFloorFreeIsRefusedAtCreationInOneLine(@TempDir Path tmp) {
        JournalException e = assertThrows(JournalException.class,
                () -> JournalWriter.create(tmp.resolve("j"), header(), new JournalWriter.Options(0, false, Long.MAX_VALUE / 2)));
        assertTrue(e.getMessage().matches("only \\d+ MiB free on the file system of .*: the journal needs at least \\d+ MiB free"),
                e.getMessage());
    }

    @Test
    void aCorruptedRecordLengthStopsTheReadThereAndKeepsEverythingBefore(@TempDir Path tmp) throws Exception {
        // Without checksums (a journal written before them), so that the decoder's own check speaks.
        Path dir = tmp.resolve("j");
        RawRecords raw = new RawRecords(4096);
        try (Arena arena = Arena.ofConfined();
             JournalWriter w = JournalWriter.create(dir, header(), new JournalWriter.Options(0, false).withoutChecksums())) {
            for (int i = 0; i < 3; i++) {
                raw.clear().mmap(i, 100, 100, 0, 4096, 3, 0x22, -1, 0, 0x1000L * (i + 1))
                        .munmap(i, 100, 100, 0x1000L * (i + 1), 4096, 0);
                w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count());
            }
        }
        // Overwrite the size field (bytes 2..3) of the second record of the third batch with an impossible value.
        corruptFirst(dir, secondMunmapPattern(2), 2, new byte[] {(byte) 0xff, (byte) 0x7f});
        ReadResult[] res = new ReadResult[1];
        List<Record> recs = readAll(dir, new ArrayList<>(), res);
        assertNotNull(res[0].damage());
        assertEquals(1 + 2 + 2 + 1, recs.size()); // header, two whole batches, the first record of the third
        assertEquals(3, res[0].damage().ordinal());
        assertEquals(24 + 72, res[0].damage().offset());
        assertTrue(res[0].damage().describe().startsWith("journal damaged at excerpt 3"), res[0].damage().describe());
        assertTrue(res[0].damage().message().contains("impossible"), res[0].damage().message());
    }

    @Test
    void aDamagedValueInsideARecordIsFoundByTheChecksumsAndTheRecordsBeforeItsKiBAreKept(@TempDir Path tmp) throws Exception {
        // (LZ4-compressed journals: HostileJournalFileTest, which flips bytes anywhere in them.)
        Path dir = tmp.resolve("j");
        RawRecords raw = new RawRecords(1 << 16);
        try (Arena arena = Arena.ofConfined(); JournalWriter w = JournalWriter.create(dir, header(), new JournalWriter.Options(0, false))) {
            for (int i = 0; i < 100; i++) raw.mprotect(i, 100, 100, 0x1000L * i, 4096, 5, 0); // 56 bytes each
            w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count());
        }
        // One bit of record 40's address: no structural check can see it (bytes 2240..2296 of the batch, its third KiB).
        byte[] pattern = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0x1000L * 40).array();
        Path cycle = cycleFile(dir);
        byte[] all = Files.readAllBytes(cycle);
        int at = indexOf(all, pattern, 0);
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.seek(at + 1);
            f.write(all[at + 1] ^ 0x01);
        }
        ReadResult[] res = new ReadResult[1];
        List<Record> kernel = readAll(dir, new ArrayList<>(), res).stream().filter(r -> r instanceof MprotectRecord).toList();
        // the records wholly in the first two KiB (0..35: 36 * 56 = 2016 bytes) come back as written; none after
        assertEquals(36, kernel.size());
        for (int i = 0; i < kernel.size(); i++) assertEquals(0x1000L * i, ((MprotectRecord) kernel.get(i)).addr());
        assertNotNull(res[0].damage());
        assertEquals("the batch's bytes 2048..3072 do not match their checksum: the records from there on are not delivered",
                res[0].damage().message());
    }

    @Test
    void aBatchHiddenByChroniclesMetadataBitIsDamageNotASilentGap(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        // One bit of the second batch's Chronicle header: "metadata", which Chronicle's readers skip without a word.
        // The batch's own bytes and checksums are untouched.
        damageChronicleHeader(threeBatches(dir), 2, 0x40);
        ReadResult[] res = new ReadResult[1];
        List<Record> kernel = readAll(dir, new ArrayList<>(), res).stream().filter(r -> r instanceof MprotectRecord).toList();
        assertEquals(5, kernel.size(), "the first batch, and nothing after the gap");
        assertNotNull(res[0].damage(), "a hidden batch must be reported, not skipped");
        assertEquals("batch 4 follows batch 2: the batches between them are missing or hidden", res[0].damage().message());
    }

    /** Three batches of five mprotect records (ktime 0..14); returns the cycle file. */
    private static Path threeBatches(Path dir) throws Exception {
        RawRecords raw = new RawRecords(8192);
        try (Arena arena = Arena.ofConfined(); JournalWriter w = JournalWriter.create(dir, header(), new JournalWriter.Options(0, false))) {
            for (int b = 0; b < 3; b++) {
                raw.clear();
                for (int i = 0; i < 5; i++) raw.mprotect(b * 5 + i, 100, 100, 0x1000L * (b * 5 + i), 4096, 5, 0);
                w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count());
            }
        }
        return cycleFile(dir);
    }

    /** Sets {@code bits} in the top byte of excerpt {@code n}'s Chronicle header (the byte just before our magic). */
    private static void damageChronicleHeader(Path cycle, int n, int bits) throws Exception {
        byte[] all = Files.readAllBytes(cycle);
        int magic = excerptStarts(all).get(n);
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.seek(magic - 1);
            f.write(all[magic - 1] | bits);
        }
    }

    /** Writes {@code bytes} over excerpt {@code n}'s Chronicle header and on (its 4 bytes come just before our magic). */
    static void overwriteChronicleHeader(Path cycle, int n, byte[] bytes) throws Exception {
        int magic = excerptStarts(Files.readAllBytes(cycle)).get(n);
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.seek(magic - 4);
            f.write(bytes);
        }
    }

    /** A Chronicle header word as the file holds it (little-endian): e.g. ChronicleTail.NOT_COMPLETE, a writer's claim. */
    static byte[] chronicleHeader(int word) {
        return java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(word).array();
    }

    /** Reads the journal: exactly the first {@code kernelRecords} mprotect records, then damage whose message matches. */
    private static void assertReadStopsWithDamage(Path dir, int kernelRecords, String messageRegex) throws Exception {
        ReadResult[] res = new ReadResult[1];
        List<Record> kernel = readAll(dir, new ArrayList<>(), res).stream().filter(r -> r instanceof MprotectRecord).toList();
        assertEquals(kernelRecords, kernel.size(), "the batches before the damage");
        assertNotNull(res[0].damage(), "the damage must be reported, not read as the journal's end");
        assertTrue(res[0].damage().message().matches(messageRegex), res[0].damage().message());
    }

    @Test
    void aBatchMarkedNotCompleteInTheMiddleIsDamageNotTheJournalsEnd(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        // Chronicle's "not complete" bit on the second batch: Chronicle hands over nothing from there on, as if the
        // journal ended (a live journal's excerpt being written has length 0; this one keeps its length)
        damageChronicleHeader(threeBatches(dir), 2, 0x80);
        assertReadStopsWithDamage(dir, 5, "the excerpt at byte \\d+ of .*\\.cq4 is marked not complete though its \\d+ bytes"
                + " were written: Chronicle stops there and hands over nothing after it");
    }

    @Test
    void theLastBatchHiddenByChroniclesMetadataBitIsDamage(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        damageChronicleHeader(threeBatches(dir), 3, 0x40); // no batch follows it: no gap in the numbers to see
        assertReadStopsWithDamage(dir, 10, "the excerpt at byte \\d+ of .*\\.cq4 is one of the journal's batches marked as"
                + " Chronicle's metadata, which readers skip");
    }

    @Test
    void theLastBatchHiddenByTheMetadataBitWithItsMagicDamagedTooIsDamage(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        Path cycle = threeBatches(dir);
        int magic = excerptStarts(Files.readAllBytes(cycle)).get(3);
        damageChronicleHeader(cycle, 3, 0x40);
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.seek(magic + 2); // no magic to see: only its header's fields, which frame its length, say it is ours
            f.write('X');
        }
        assertReadStopsWithDamage(dir, 10, "the excerpt at byte \\d+ of .*\\.cq4 is one of the journal's batches marked as"
                + " Chronicle's metadata, which readers skip \\(its magic is damaged too\\)");
    }

    @Test
    void aBatchWhoseChronicleHeaderIsZeroedIsDamageNotTheJournalsEnd(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        overwriteChronicleHeader(threeBatches(dir), 2, chronicleHeader(0));
        assertReadStopsWithDamage(dir, 5, "the excerpt at byte \\d+ of .*\\.cq4 has lost its Chronicle header \\(zero\\):"
                + " Chronicle stops there and hands over nothing after it");
    }

    @Test
    void aBatchHeaderDamagedIntoOneBeingWrittenIsDamageWhenBatchesFollow(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        // Exactly what a writer's claim looks like ("not complete", length 0), but a complete batch follows it
        overwriteChronicleHeader(threeBatches(dir), 2, chronicleHeader(ChronicleTail.NOT_COMPLETE));
        assertReadStopsWithDamage(dir, 5, "the excerpt at byte \\d+ of .*\\.cq4 reads as being written \\(Chronicle's header:"
                + " not complete, length 0\\), though a complete batch of the journal follows at byte \\d+: Chronicle stops"
                + " there and hands over nothing after it");
    }

    @Test
    void aBatchsStartZeroedWithItsMagicIsDamageWhenBatchesFollow(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        // The header and our own excerpt header both zeroed, as a page lost in a crash leaves them: no magic to see there
        overwriteChronicleHeader(threeBatches(dir), 2, new byte[4 + Excerpt.HEADER_SIZE + 8]);
        assertReadStopsWithDamage(dir, 5, "the excerpt at byte \\d+ of .*\\.cq4 has lost its Chronicle header"
                + " \\(zero\\), though a complete batch of the journal follows at byte \\d+: .*");
    }

    @Test
    void theLastBatchLeftBeingWrittenIsTheJournalsEndNotDamage(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        // What a writer killed between its claim and its length leaves: nothing complete after it
        overwriteChronicleHeader(threeBatches(dir), 3, chronicleHeader(ChronicleTail.NOT_COMPLETE));
        ReadResult[] res = new ReadResult[1];
        assertEquals(10, readAll(dir, new ArrayList<>(), res).stream().filter(r -> r instanceof MprotectRecord).count());
        assertNull(res[0].damage(), "a killed writer's last excerpt ends the journal");
    }

    @Test
    void anUndamagedJournalEndsCleanlyAfterItsLastBatch(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        threeBatches(dir);
        ReadResult[] res = new ReadResult[1];
        assertEquals(15, readAll(dir, new ArrayList<>(), res).stream().filter(r -> r instanceof MprotectRecord).count());
        assertNull(res[0].damage());
    }

    /** Three cycle files of one Loss record each (ktime 1,000, 2,000, 3,000) after the header; returns them in order. */
    private static List<Path> threeCycles(Path dir) throws Exception {
        var clock = new net.openhft.chronicle.core.time.SetTimeProvider(java.time.Instant.parse("2026-11-23T18:34:00Z"));
        try (JournalWriter w = JournalWriter.create(dir, header(), JournalWriter.Options.defaults(), clock)) {
            w.append(new Loss(1_000, 0, 5, 900, 950));
            clock.advanceMillis(120_000); // the next five-minute cycle
            w.append(new Loss(2_000, 1, 7, 1_900, 1_950));
            clock.advanceMillis(300_000);
            w.append(new Loss(3_000, 2, 9, 2_900, 2_950));
        }
        return JournalWriter.cycleFiles(dir);
    }

    @Test
    void theFirstExcerptOfALaterCycleMarkedNotCompleteIsDamage(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        Path second = threeCycles(dir).get(1);
        // Chronicle's "not complete" bit on the second cycle's first excerpt (the journal's header repeated): the read
        // ends with the first cycle, whose own bytes end with the mark that leads on to the next
        damageChronicleHeader(second, 0, 0x80);
        ReadResult[] res = new ReadResult[1];
        List<Record> recs = readAll(dir, new ArrayList<>(), res);
        assertEquals(List.of(header(), new Loss(1_000, 0, 5, 900, 950)), recs, "the first cycle's records");
        assertNotNull(res[0].damage(), "the later cycles are not read: that must be reported");
        assertTrue(res[0].damage().message().contains(second.getFileName() + " is marked not complete"), res[0].damage().message());
    }

    @Test
    void aLaterCycleWhoseChronicleStoreHeaderIsDamagedIsDamageNotTheJournalsEnd(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        Path second = threeCycles(dir).get(1);
        // The length of the store description (!SCQStore) at the second cycle file's start, made 1,704,106 bytes:
        // Chronicle reads the first cycle to its end mark and hands over nothing more, without a word (found by
        // HostileJournalFileTest)
        byte[] bytes = Files.readAllBytes(second);
        int at = indexOf(bytes, "SCQStore".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0) + "SCQStore".length();
        assertEquals((byte) 0x82, bytes[at], "a 32-bit length follows the store's type name");
        try (RandomAccessFile f = new RandomAccessFile(second.toFile(), "rw")) {
            f.seek(at + 3);
            f.write(0x1a);
        }
        ReadResult[] res = new ReadResult[1];
        List<Record> recs = readAll(dir, new ArrayList<>(), res);
        assertEquals(List.of(header(), new Loss(1_000, 0, 5, 900, 950)), recs, "the first cycle's records");
        assertNotNull(res[0].damage(), "the later cycles are not read: that must be reported");
        assertTrue(res[0].damage().message().startsWith("Chronicle handed over nothing of the next cycle file, " + second.getFileName()
                + ", though it holds a complete excerpt at byte "), res[0].damage().message());
    }

    @Test
    void aMiddleCycleFileEmptiedIsDamageNotTheJournalsEnd(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        Path second = threeCycles(dir).get(1);
        try (RandomAccessFile f = new RandomAccessFile(second.toFile(), "rw")) {
            f.setLength(0); // Chronicle goes on into it from the first cycle's end mark, finds nothing, and stops
        }
        ReadResult[] res = new ReadResult[1];
        List<Record> recs = readAll(dir, new ArrayList<>(), res);
        assertEquals(List.of(header(), new Loss(1_000, 0, 5, 900, 950)), recs, "the first cycle's records");
        assertNotNull(res[0].damage(), "the third cycle is not read: that must be reported");
        assertTrue(res[0].damage().message().startsWith(second.getFileName() + " is cut short at 0 bytes, though a later cycle file"),
                res[0].damage().message());
    }

    @Test
    void aJournalOfANewerFormatIsRefusedInOneLine(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        JournalHeader h = header();
        int newer = dev.mapscribe.formats.raw.RecordKind.FORMAT_VERSION + 1;
        try (JournalWriter w = JournalWriter.open(dir, JournalWriter.Options.defaults())) {
            w.start(new JournalHeader(newer, "9.9.9", h.hostname(), h.machineId(), h.kernelRelease(), h.bootTimeUtcNs(),
                    h.hookTier(), h.bpfSha256(), h.startUtcNs(), h.startKtimeNs(), h.commandLine(), h.recorderPid(), h.overcommitMemory()));
        }
        JournalException e = assertThrows(JournalException.class, () -> JournalReader.open(dir));
        assertEquals("cannot read journal " + dir + ": it is format " + newer + ", written by mapscribe 9.9.9, and this mapscribe"
                + " reads formats up to " + (newer - 1) + ": read it with a newer mapscribe", e.getMessage());
    }

    @Test
    void aJournalWhoseFirstCycleFileIsGoneSaysSoInOneLine(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        Files.delete(threeCycles(dir).get(0)); // by hand: --max-disk deletes cycles through Chronicle's listing, and reads on
        JournalException e = assertThrows(JournalException.class, () -> JournalReader.open(dir));
        assertEquals("cannot read journal " + dir + ": it does not start with a header record (its first cycle file is"
                + " missing, emptied or damaged, or it is not a mapscribe journal)", e.getMessage());
    }

    @Test
    void aGarbledChronicleListingSaysWhatToDoAndACopyWithoutItReadsWhole(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        threeCycles(dir);
        Path listing = dir.resolve(JournalReader.METADATA_FILE);
        byte[] garbage = new byte[(int) Files.size(listing)];
        new Random(1).nextBytes(garbage);
        Files.write(listing, garbage);
        JournalException e = assertThrows(JournalException.class, () -> JournalReader.open(dir));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(Chronicle's metadata.cq4t may be damaged: a copy of the journal without it reads, as"
                + " Chronicle rebuilds it)"), e.getMessage());
        // What the message promises: the cycle files alone read whole.
        Path copy = Files.createDirectory(tmp.resolve("copy"));
        for (Path cycle : JournalWriter.cycleFiles(dir)) Files.copy(cycle, copy.resolve(cycle.getFileName()));
        ReadResult[] res = new ReadResult[1];
        assertEquals(List.of(header(), new Loss(1_000, 0, 5, 900, 950), new Loss(2_000, 1, 7, 1_900, 1_950),
                new Loss(3_000, 2, 9, 2_900, 2_950)), readAll(copy, new ArrayList<>(), res));
        assertNull(res[0].damage());
    }

    @Test
    void cycleFilesDeletedUnderAReadAreNamedAsSuchNotAsDamage(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        List<Path> cycles = threeCycles(dir);
        // As --max-disk does to a journal being recorded while it is read: the cycle being read and the next are
        // deleted under the reader (here by the reader's own sink, at the first cycle's first record).
        List<Record> got = new ArrayList<>();
        ReadResult res;
        try (JournalReader r = JournalReader.open(dir)) {
            res = r.read((rec, batch) -> {
                if (got.isEmpty()) {
                    try {
                        Files.delete(cycles.get(0));
                        Files.delete(cycles.get(1));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                got.add(rec);
            });
        }
        assertEquals(List.of(header(), new Loss(1_000, 0, 5, 900, 950)), got, "the first cycle, mapped before it was deleted");
        assertNotNull(res.damage());
        assertTrue(res.damage().message().matches("batch 5 follows batch 2: the cycle file being read \\(.*\\.cq4\\) was deleted"
                + " during the read, as --max-disk deletes the oldest cycles of a journal being recorded; read it again"),
                res.damage().message());
    }

    @Test
    void aCycleWhoseEndMarkerIsLostIsDamageNotTheJournalsEnd(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        Path first = threeCycles(dir).get(0);
        // The roll's "end of data" header (not complete | metadata, length 0) after the first cycle's last excerpt, zeroed:
        // Chronicle then reads the first cycle as unfinished and does not go on to the next
        byte[] all = Files.readAllBytes(first);
        int eod = -1;
        for (int i = excerptStarts(all).getLast(); i + 4 <= all.length; i += 4) {
            if (all[i] == 0 && all[i + 1] == 0 && all[i + 2] == 0 && (all[i + 3] & 0xFF) == 0xC0) { eod = i; break; }
        }
        assertTrue(eod > 0, "the first cycle ends with Chronicle's end-of-data header");
        try (RandomAccessFile f = new RandomAccessFile(first.toFile(), "rw")) {
            f.seek(eod);
            f.write(new byte[4]);
        }
        ReadResult[] res = new ReadResult[1];
        List<Record> recs = readAll(dir, new ArrayList<>(), res);
        assertEquals(List.of(header(), new Loss(1_000, 0, 5, 900, 950)), recs, "the first cycle's records");
        assertNotNull(res[0].damage(), "the two later cycles are not read: that must be reported");
        assertTrue(res[0].damage().message().matches(".*\\.cq4 ends at byte \\d+ without Chronicle's end-of-cycle mark, though a"
                + " later cycle file \\(.*\\.cq4\\) exists: Chronicle does not go on to it"), res[0].damage().message());
    }

    @Test
    void anUnknownRecordKindIsNamedAndStopsTheRead(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        try (Arena arena = Arena.ofConfined();
             JournalWriter w = JournalWriter.create(dir, header(), new JournalWriter.Options(0, false).withoutChecksums())) {
            RawRecords raw = new RawRecords(256).munmap(7, 100, 100, 0x5000, 4096, 0);
            w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count());
        }
        corruptFirst(dir, secondMunmapPattern(7), 0, new byte[] {42, 0});
        ReadResult[] res = new ReadResult[1];
        List<Record> recs = readAll(dir, new ArrayList<>(), res);
        assertEquals(1, recs.size());
        assertEquals("unknown kernel record kind 42", res[0].damage().message());
    }

    @Test
    void aTruncatedCycleFileYieldsEveryRecordBeforeTheCut(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        RawRecords raw = new RawRecords(1 << 16);
        try (Arena arena = Arena.ofConfined(); JournalWriter w = JournalWriter.create(dir, header(), new JournalWriter.Options(0, false))) {
            for (int i = 0; i < 100; i++) {
                raw.clear();
                for (int k = 0; k < 100; k++) raw.mprotect(i * 100L + k, 100, 100, 0x1000, 4096, 5, 0);
                w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count());
            }
        }
        Path cycle = cycleFile(dir);
        // Cut the file in the middle of the written data (well inside the 56 * 100 * 100 bytes of batches).
        long cut = 200_000;
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.setLength(cut);
        }
        ReadResult[] res = new ReadResult[1];
        List<Record> recs;
        recs = readAll(dir, new ArrayList<>(), res);
        long kernel = recs.stream().filter(r -> r instanceof MprotectRecord).count();
        assertTrue(kernel > 0 && kernel < 10_000 && kernel % 100 == 0, "records before the cut: " + kernel);
        // Every delivered record is intact and in order.
        long expect = 0;
        for (Record r : recs) if (r instanceof MprotectRecord m) assertEquals(expect++, m.h().ktimeNs());
        assertNotNull(res[0].damage(), "a cut file must be reported, not read as a clean end");
    }

    @Test
    void aDamagedChronicleHeaderGivesOneClearLine(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        try (JournalWriter w = JournalWriter.create(dir, header(), new JournalWriter.Options(0, false))) {
            w.append(new Loss(1, 0, 0, 0, 0));
        }
        // The cycle file's own header names its store class: damaged, Chronicle cannot even open the file.
        Path cycle = cycleFile(dir);
        byte[] all = Files.readAllBytes(cycle);
        byte[] name = "SCQStore".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int at = indexOf(all, name, 0); // in its first bytes
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.seek(at + 2);
            f.write('X');
        }
        JournalException e = assertThrows(JournalException.class, () -> JournalReader.open(dir));
        assertTrue(e.getMessage().startsWith("cannot read journal " + dir + ": journal damaged before excerpt 0: "
                + "chronicle cannot open the cycle file: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aDirectoryThatIsNotAJournalGivesOneClearLine(@TempDir Path tmp) throws Exception {
        JournalException e = assertThrows(JournalException.class, () -> JournalReader.open(tmp));
        assertEquals("no journal at " + tmp + ": it holds no .cq4 cycle files", e.getMessage());
        e = assertThrows(JournalException.class, () -> JournalReader.open(tmp.resolve("missing")));
        assertEquals("no journal at " + tmp.resolve("missing") + ": not a directory", e.getMessage());
    }

    @Test
    void smallBatchesAreStoredUncompressedBecauseLz4WouldCostMoreThanItSaves(@TempDir Path tmp) throws Exception {
        RawRecords raw = new RawRecords(4096).mmap(1, 100, 100, 0, 4096, 3, 0x22, -1, 0, 0x1000)
                .mprotect(2, 100, 100, 0x1000, 4096, 5, 0).munmap(3, 100, 100, 0x1000, 4096, 0);
        assertTrue(raw.length() < JournalWriter.MIN_COMPRESSED_BATCH);
        try (Arena arena = Arena.ofConfined(); JournalWriter w = JournalWriter.create(tmp.resolve("j"), header(), JournalWriter.Options.defaults())) {
            long before = w.bytesWritten();
            w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count());
            // Chronicle's 4-byte excerpt header, our 24-byte batch header and its checksum, the records verbatim,
            // the checksum of their one chunk.
            assertEquals(4 + 24 + 4 + raw.length() + 4, w.bytesWritten() - before);
        }
        ReadResult[] res = new ReadResult[1];
        List<Record> recs = readAll(tmp.resolve("j"), new ArrayList<>(), res);
        assertEquals(4, recs.size());
        assertEquals(0x1000, ((MunmapRecord) recs.get(3)).addr());
    }

    @Test
    void compressionShrinksRepetitiveBatchesAndRestoresThemExactly(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        RawRecords raw = new RawRecords(1 << 20);
        long written;
        try (Arena arena = Arena.ofConfined(); JournalWriter w = JournalWriter.create(dir, header(), JournalWriter.Options.defaults())) {
            for (int i = 0; i < 3000; i++) {
                long a = 0x7f0000000000L + 4096L * i;
                raw.mmap(1000L * i, 100, 100, 0, 4096, 3, 0x22, -1, 0, a).mprotect(1000L * i + 1, 100, 100, a, 4096, 5, 0)
                        .munmap(1000L * i + 2, 100, 100, a, 4096, 0);
            }
            w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count());
            written = w.bytesWritten();
        }
        assertTrue(written < raw.length() / 2, "compressed " + raw.length() + " to " + written);
        ReadResult[] res = new ReadResult[1];
        List<Record> recs = readAll(dir, new ArrayList<>(), res);
        assertEquals(9001, recs.size());
        assertEquals(0x7f0000000000L + 4096L * 2999, ((MunmapRecord) recs.get(9000)).addr());
    }

    /** Where {@code pattern} first occurs in {@code a} from {@code from} on, or -1. */
    static int indexOf(byte[] a, byte[] pattern, int from) {
        for (int i = from; i + pattern.length <= a.length; i++) {
            if (java.util.Arrays.equals(a, i, i + pattern.length, pattern, 0, pattern.length)) return i;
        }
        return -1;
    }

    /** Where each of our excerpts starts in a cycle file (its magic "MSJ1", which compression leaves alone), in order. */
    static List<Integer> excerptStarts(byte[] file) {
        byte[] magic = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(Excerpt.MAGIC).array();
        List<Integer> starts = new ArrayList<>();
        for (int i = indexOf(file, magic, 0); i >= 0; i = indexOf(file, magic, i + 4)) starts.add(i);
        return starts;
    }

    private static Path cycleFile(Path dir) {
        return JournalWriter.cycleFiles(dir).getLast();
    }

    /** Bytes of an ms_munmap record's ktime..pid with the given ktime: a pattern that locates it in the file. */
    private static byte[] secondMunmapPattern(long ktime) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(ktime).putInt(100);
        return b.array();
    }

    /** Finds the munmap record (kind 4) whose ktime matches the pattern and overwrites bytes at hdrOffset. */
    private static void corruptFirst(Path dir, byte[] ktimePid, int hdrOffset, byte[] with) throws Exception {
        Path cycle = cycleFile(dir);
        byte[] all = Files.readAllBytes(cycle);
        for (int i = 8; i + ktimePid.length < all.length; i++) {
            if (all[i - 8] == 4 && all[i - 7] == 0 && java.util.Arrays.equals(all, i, i + ktimePid.length, ktimePid, 0, ktimePid.length)) {
                try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
                    f.seek(i - 8 + hdrOffset);
                    f.write(with);
                }
                return;
            }
        }
        fail("pattern not found in " + cycle);
    }
}
