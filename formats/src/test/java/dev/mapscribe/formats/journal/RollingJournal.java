package dev.mapscribe.formats.journal;

import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import dev.mapscribe.formats.raw.UserRecord.RecorderStatus;
import dev.mapscribe.formats.raw.RawRecords;
import net.openhft.chronicle.core.time.SetTimeProvider;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a real journal through the JournalWriter across several five-minute cycles, with a small --max-disk, so
 * that the writer deletes the oldest cycle files. Chronicle's clock (which picks the cycle file) is moved by the
 * test; the kernel's clock in the records is made up. Shared with the recorder's and analyzer's tests (test-jar).
 */
public final class RollingJournal {
    /** Records per kernel batch, batches per cycle. */
    public static final int PER_BATCH = 100, BATCHES = 10, PER_CYCLE = PER_BATCH * BATCHES;
    public static final int PROT_RX = 5;

    /**
     * What was written.
     *
     * @param files            the cycle file each cycle went to, oldest first
     * @param fileBytes        that file's size once its cycle was over
     * @param onDiskAfterCycle the journal's cycle files in total, at the end of each cycle
     * @param openedAfterNs    System.nanoTime() just before each cycle's first append
     * @param openedBeforeNs   System.nanoTime() just after it
     */
    public record Written(Path dir, List<String> files, List<Long> fileBytes, List<Long> onDiskAfterCycle,
                          List<Long> openedAfterNs, List<Long> openedBeforeNs, int rolledCycles) {}

    private RollingJournal() {}

    /** The kernel time of record k of cycle c: cycle c's records lie in [cycleStart(c), cycleStart(c + 1)). */
    public static long ktime(JournalHeader h, int cycle, int k) {
        return h.startKtimeNs() + (cycle + 1) * 1_000_000_000L + k;
    }

    /**
     * Each cycle: a RecorderStatus noting "cycle N", then {@link #PER_CYCLE} successful mprotect(RX) calls of pid
     * 100 in {@link #BATCHES} uncompressed batches.
     */
    public static Written write(Path dir, JournalHeader header, long maxDiskBytes, int cycles) throws Exception {
        SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-11-23T18:30:00Z"));
        List<String> files = new ArrayList<>();
        List<Long> fileBytes = new ArrayList<>(), onDisk = new ArrayList<>(), after = new ArrayList<>(), before = new ArrayList<>();
        int rolled;
        RawRecords raw = new RawRecords(1 << 16);
        try (Arena arena = Arena.ofConfined();
             JournalWriter w = JournalWriter.create(dir, header, new JournalWriter.Options(maxDiskBytes, false), clock)) {
            for (int c = 0; c < cycles; c++) {
                if (c > 0) clock.advanceMillis(5 * 60_000);
                after.add(System.nanoTime());
                w.append(new RecorderStatus(ktime(header, c, 0), 0, 0, 0, 0, 0, 0, "cycle " + c));
                before.add(System.nanoTime());
                for (int b = 0; b < BATCHES; b++) {
                    raw.clear();
                    for (int i = 0; i < PER_BATCH; i++) {
                        int k = b * PER_BATCH + i;
                        raw.mprotect(ktime(header, c, k), 100, 100, 0x10000L + 0x1000L * k, 4096, PROT_RX, 0);
                    }
                    if (w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count()) < 0) {
                        throw new IllegalStateException("the journal refused a batch: --max-disk " + maxDiskBytes + " is too small for one cycle");
                    }
                }
                Path newest = JournalWriter.cycleFiles(dir).getLast();
                files.add(newest.getFileName().toString());
                fileBytes.add(Files.size(newest));
                onDisk.add(w.bytesOnDisk());
            }
            rolled = w.rolledCycles();
            w.append(new RecorderStatus(ktime(header, cycles, 0), 0, 0, 0, 0, 0, 0, "stopped", true)); // as a recorder stops
        }
        return new Written(dir, files, fileBytes, onDisk, after, before, rolled);
    }
}
