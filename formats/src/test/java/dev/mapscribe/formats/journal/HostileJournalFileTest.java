package dev.mapscribe.formats.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mapscribe.formats.raw.KernelRecord.MprotectRecord;
import dev.mapscribe.formats.raw.Layouts;
import dev.mapscribe.formats.raw.RawRecords;
import dev.mapscribe.formats.raw.Record;
import dev.mapscribe.formats.raw.UserRecord.Loss;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A journal whose cycle file was damaged anywhere (random bytes overwritten: in our excerpts, in Chronicle's own
 * headers and index, in the file's header) is read with a one-line {@link JournalException} or up to a reported
 * damage, never with another exception or a hang; a read that reports no damage delivers every record; every record
 * that lies in the file wholly before the first damaged byte comes back exactly as written, in order; and no record
 * is invented (each one delivered is one that was written, or one whose own bytes were hit: without checksums, a
 * damaged field inside a record is undetectable) -- and with the excerpts' checksums (the default) no damaged record
 * is delivered at all. An excerpt hidden from Chronicle's readers by its 4-byte header, or a cycle cut short or
 * without its end mark while a later one exists (half of the tries do one of these), is always reported (unless the
 * random overwrites took the hiding bit off again, or changed its magic and its length or header too: then it reads
 * as Chronicle's own metadata); so is a header that frames nothing (zeroed with the bytes after it, or into a
 * writer's claim) with a whole excerpt after it. Half of the journals span three cycle files, of which one is
 * damaged (the records of the cycles before it must all come back). Uncompressed and LZ4-compressed journals, with
 * and without checksums (a journal written before them).
 */
class HostileJournalFileTest {
    private static final int BATCHES = 40;
    private static final long PID = 4242;
    private static final int REC = (int) Layouts.MS_MPROTECT.byteSize();

    /**
     * Uncompressed, each record's bytes are found in the file, so the checks are per record. Compressed (LZ4, 60
     * records a batch: batches under 2 KiB are stored as they are), only the excerpts are found (by their magic,
     * which is not compressed): every batch wholly before the damage must come back as written, and the rest
     * may differ (a damaged literal inside an LZ4 block decompresses to other bytes of the same length).
     */
    @Property(tries = 200)
    void aDamagedCycleFileYieldsEveryRecordBeforeTheDamageAndNothingInvented(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int overwrites, @ForAll boolean compress,
            @ForAll boolean checksums, @ForAll boolean hideOne, @ForAll boolean rolls) throws Exception {
        int perBatch = compress ? 60 : 25;
        Path dir = Files.createTempDirectory("mapscribe-hostile-");
        try {
            write(dir, perBatch, compress, checksums, rolls);
            List<Path> cycles = JournalWriter.cycleFiles(dir);
            assertEquals(rolls ? ROLL_AT.length + 1 : 1, cycles.size(), "cycle files: " + cycles);
            Random r = new Random(seed);
            int c = r.nextInt(cycles.size()); // the cycle file damaged; the others are left whole
            int firstBatch = c == 0 ? 0 : ROLL_AT[c - 1];
            int batches = (c < cycles.size() - 1 ? ROLL_AT[c] : BATCHES) - firstBatch;
            int base = firstBatch * perBatch; // records of the cycles before it: all must come back
            Path cycle = cycles.get(c);
            byte[] file = Files.readAllBytes(cycle);
            List<Integer> excerpts = JournalTest.excerptStarts(file); // the header, then a batch and a Loss record in turn
            assertEquals(1 + 2 * batches, excerpts.size(), "excerpts found by their magic");
            long[] where = compress ? null : recordOffsets(file, base, batches * perBatch); // record base + k in the file
            int used = excerpts.getLast() + 64;
            int[] damaged = new int[overwrites + (hideOne ? 1 : 0)];
            int magic = -1, how = -1; // the excerpt hidden, and how
            try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
                if (hideOne) {
                    // One of the ways Chronicle's own 4-byte header can make its readers skip an excerpt or stop before
                    // it in silence: its "metadata" bit, its "not complete" bit (both in the top byte, just before our
                    // magic), the header zeroed, set to a writer's claim ("not complete", length 0), or zeroed with
                    // the excerpt header after it (a page lost in a crash); or, in a cycle that is not the last, its
                    // end-of-data mark zeroed or the file cut short anywhere
                    magic = excerpts.get(1 + r.nextInt(excerpts.size() - 1));
                    how = c < cycles.size() - 1 ? r.nextInt(7) : new int[] {0, 1, 2, 5, 6}[r.nextInt(5)];
                    damaged[overwrites] = switch (how) {
                        case 0, 1 -> magic - 1;
                        case 2, 5, 6 -> magic - 4;
                        case 3 -> endOfData(file, excerpts.getLast());
                        default -> r.nextInt(used);
                    };
                    f.seek(damaged[overwrites]);
                    switch (how) {
                        case 0, 1 -> f.write(file[magic - 1] | (how == 0 ? 0x40 : 0x80));
                        case 2, 3 -> f.write(new byte[4]);
                        case 4 -> f.setLength(damaged[overwrites]);
                        case 5 -> f.write(JournalTest.chronicleHeader(ChronicleTail.NOT_COMPLETE));
                        default -> f.write(new byte[4 + 32]);
                    }
                }
                for (int i = 0; i < overwrites; i++) {
                    // half of the hits near an excerpt's start (Chronicle's 4-byte header, our excerpt header), half anywhere
                    int at = r.nextBoolean() ? r.nextInt(used)
                            : Math.max(0, excerpts.get(r.nextInt(excerpts.size())) - 8 + r.nextInt(40));
                    damaged[i] = at;
                    f.seek(at);
                    f.write(r.nextInt(256));
                }
            }
            int firstDamage = Arrays.stream(damaged).min().orElseThrow();

            List<Record> got = new ArrayList<>();
            Object outcome = readWithTimeout(dir, got);
            if (outcome instanceof JournalException e) {
                assertFalse(e.getMessage().contains("\n"), "a one-line error: " + e.getMessage());
            }
            List<MprotectRecord> kernel = got.stream().filter(x -> x instanceof MprotectRecord).map(x -> (MprotectRecord) x).toList();
            int intact = 0; // records wholly before the first damaged byte
            if (compress || checksums) {
                // By batch: batch b is excerpt 2b + 1; it ends where the next excerpt's Chronicle header (4 bytes)
                // begins. (With checksums, a damaged KiB of a batch or its checksum loses the records from there on.)
                while (intact / perBatch < batches && excerpts.get(2 * (intact / perBatch) + 2) - 4 <= firstDamage) intact += perBatch;
            } else {
                while (intact < where.length && where[intact] + REC <= firstDamage) intact++;
            }
            intact += base;
            // A header that frames nothing is the journal's end when nothing of ours follows it whole: what a
            // writer killed in the middle of an excerpt leaves
            int hidden = magic;
            boolean followed = how < 5 || c < cycles.size() - 1 || excerpts.stream().anyMatch(e -> e > hidden
                    && Arrays.stream(damaged).noneMatch(d -> d >= e - 4 && d < e + 32));
            // Unless the hidden excerpt reads as a killed writer's last one, or as Chronicle's own metadata
            boolean mustReport = !hideOne || followed && !unrecognisable(how, magic, file, Files.readAllBytes(cycle));
            if (hideOne && mustReport && outcome instanceof ReadResult res) {
                assertNotNull(res.damage(), "an excerpt hidden from Chronicle's readers must be reported: " + res);
            }
            if (mustReport && outcome instanceof ReadResult res && res.damage() == null) {
                assertEquals(BATCHES * perBatch, kernel.size(), "a read that reports no damage delivers every record: "
                        + res + ", damaged at " + Arrays.toString(damaged) + " in cycle file " + c);
            }
            if (outcome instanceof ReadResult) {
                assertTrue(kernel.size() >= intact, "only " + kernel.size() + " of the " + intact
                        + " records before the damage at " + firstDamage + " came back (" + outcome + ")");
            }
            for (int k = 0; k < kernel.size(); k++) {
                if (!asWritten(kernel.get(k), k)) {
                    // with checksums no damaged record is ever delivered; without, only the ones whose bytes were hit
                    assertTrue(!checksums && k >= intact, "record " + k + " is not what was written: " + kernel.get(k));
                    assertTrue(compress || (k >= base && k - base < where.length && hit(damaged, where[k - base], REC)),
                            "record " + k + " is not what was written, and its bytes were not damaged: " + kernel.get(k));
                }
            }
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static boolean asWritten(MprotectRecord m, long k) {
        return m.h().ktimeNs() == k && m.h().pid() == PID && m.h().tid() == PID && m.h().size() == REC
                && m.addr() == 0x1000L * k && m.len() == 4096 && m.prot() == 5 && m.ret() == 0;
    }

    /**
     * Whether the excerpt hidden by a flag bit of its Chronicle header ({@code how} 0 or 1) is, after the random
     * overwrites, no longer hidden (they cleared the bit) or no longer recognisable as one of the journal's: a batch
     * marked as metadata is told from Chronicle's own by its magic, or by its header's fields framing its length;
     * with its magic changed and its length or its header's fields too, it reads as Chronicle's.
     */
    private static boolean unrecognisable(int how, int magic, byte[] before, byte[] after) {
        if (how > 1) return false;
        ByteBuffer a = ByteBuffer.wrap(after).order(ByteOrder.LITTLE_ENDIAN), b = ByteBuffer.wrap(before).order(ByteOrder.LITTLE_ENDIAN);
        int header = a.getInt(magic - 4);
        int length = header & ChronicleTail.LENGTH_MASK;
        if ((header & ChronicleTail.NOT_COMPLETE) != 0 && length != 0) return false; // "not complete" with a length: always reported
        if ((header & ChronicleTail.META_DATA) == 0) return true; // the overwrites took the hiding bit off
        boolean magicChanged = a.getInt(magic) != b.getInt(magic);
        boolean fieldsChanged = length != (b.getInt(magic - 4) & ChronicleTail.LENGTH_MASK)
                || !Arrays.equals(after, magic + 4, magic + Excerpt.HEADER_SIZE + 8, before, magic + 4, magic + Excerpt.HEADER_SIZE + 8);
        return magicChanged && fieldsChanged;
    }

    private static boolean hit(int[] damaged, long from, int len) {
        for (int d : damaged) if (d >= from && d < from + len) return true;
        return false;
    }

    /** With rolls, the batches that open a new cycle file (the writer's cycles are five minutes long). */
    private static final int[] ROLL_AT = {13, 26};

    /**
     * BATCHES batches of perBatch mprotect records (ktime k, address 0x1000 * k), a Loss record after each batch; with
     * rolls, in three cycle files (each starts with the journal's header again).
     */
    private static void write(Path dir, int perBatch, boolean compress, boolean checksums, boolean rolls) throws Exception {
        RawRecords raw = new RawRecords(1 << 14);
        JournalWriter.Options options = new JournalWriter.Options(0, compress);
        var clock = new net.openhft.chronicle.core.time.SetTimeProvider(java.time.Instant.parse("2026-11-23T18:31:00Z"));
        try (Arena arena = Arena.ofConfined();
             JournalWriter w = JournalWriter.create(dir, JournalTest.header(), checksums ? options : options.withoutChecksums(), clock)) {
            long k = 0;
            for (int b = 0; b < BATCHES; b++) {
                if (rolls && opensCycle(b)) clock.advanceMillis(300_000);
                raw.clear();
                for (int i = 0; i < perBatch; i++, k++) raw.mprotect(k, (int) PID, (int) PID, 0x1000L * k, 4096, 5, 0);
                w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count());
                w.append(new Loss(k, 0, 0, 0, 0));
            }
        }
    }

    /** Where the end-of-data header (not complete and metadata, length 0) follows the cycle's last excerpt. */
    private static int endOfData(byte[] file, int lastExcerpt) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = lastExcerpt & ~3; i + 4 <= file.length; i += 4) {
            if (b.getInt(i) == ChronicleTail.END_OF_DATA) return i;
        }
        return fail("no end-of-data header after the cycle's last excerpt");
    }

    private static boolean opensCycle(int batch) {
        for (int b : ROLL_AT) if (b == batch) return true;
        return false;
    }

    /** Where the header of each record from ktime {@code first} on starts in the file: its ktime and pid are a unique pattern. */
    private static long[] recordOffsets(byte[] file, int first, int records) {
        long[] at = new long[records];
        int from = 0;
        for (int k = 0; k < at.length; k++) {
            byte[] pattern = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(first + k).putInt((int) PID).array();
            int i = JournalTest.indexOf(file, pattern, from);
            if (i < 8) fail("record " + (first + k) + " not found in the cycle file");
            at[k] = i - 8; // ktime follows kind, size, cpu, flags (8 bytes)
            from = i + 12;
        }
        return at;
    }


    /** The ReadResult or the JournalException; anything else, or a read that takes over 30 s, fails. */
    private static Object readWithTimeout(Path dir, List<Record> got) throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            Future<Object> f = ex.submit(() -> {
                try (JournalReader reader = JournalReader.open(dir)) {
                    return reader.read((rec, batch) -> got.add(rec));
                } catch (JournalException e) {
                    return e;
                }
            });
            try {
                return f.get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                return fail("the read of a damaged journal did not end within 30 s");
            } catch (ExecutionException e) {
                throw new AssertionError("the read of a damaged journal threw " + e.getCause(), e.getCause());
            }
        } finally {
            ex.shutdownNow();
        }
    }
}
