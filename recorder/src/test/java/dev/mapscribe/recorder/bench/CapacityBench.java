package dev.mapscribe.recorder.bench;

import dev.mapscribe.formats.journal.JournalWriter;
import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import dev.mapscribe.formats.raw.RawRecords;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Recorder capacity (issue 6, row 3): how many raw records per second reach the journal
 * through {@link JournalWriter#appendKernelBatch}, against the same bytes copied into a
 * plain memory-mapped file (the physical reference). The producer is synthetic: a pool
 * of pre-built batches of the storm's record mix (mmap 72 B, mprotect 56 B, munmap 48 B),
 * handed over as the recorder's ring drain would hand them over.
 *
 * <p>Rounds alternate journal / mapped file, after one untimed warm-up round of each.
 * One line per round on stdout:
 * {@code round=N batch=B compress=C journal_rps=R mapped_rps=R ratio=X journal_bytes_per_record=Y refused=Z}.
 * The producer waits for the journal (nothing is dropped on this path), so the rate is the
 * highest the journal sustains; refused counts records --max-disk turned away, which would be loss.
 *
 * <p>Usage: {@code CapacityBench --dir DIR [--batch 1024] [--rounds 5] [--seconds 3] [--compress true|false]}
 * (--compress defaults to the journal's default, LZ4 on).
 */
public final class CapacityBench {
    private static final int POOL_BATCHES = 64;        // distinct batches cycled through: defeats no cache, just avoids one buffer
    private static final long MAP_CHUNK = 64L << 20;   // the mapped reference grows in 64 MiB mappings, as Chronicle does

    public static void main(String[] args) throws IOException {
        Path dir = null;
        int batch = 1024, rounds = 5;
        double seconds = 3;
        boolean compress = JournalWriter.Options.defaults().compress();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--compress" -> compress = Boolean.parseBoolean(args[++i]);
                default -> usage("unknown option " + args[i]);
            }
        }
        if (dir == null || batch < 1 || rounds < 1 || seconds <= 0) usage("--dir is required; --batch, --rounds, --seconds > 0");
        Files.createDirectories(dir);

        try (Arena arena = Arena.ofConfined()) {
            Pool pool = Pool.build(arena, batch);
            JournalWriter.Options opts = new JournalWriter.Options(JournalWriter.Options.defaults().maxDiskBytes(), compress);
            long warm = (long) 1e9; // JIT warm-up of both paths, not reported
            runJournal(dir.resolve("warm-journal"), pool, warm, opts);
            runMapped(dir.resolve("warm-mapped"), pool, warm);
            long nanos = (long) (seconds * 1e9);
            for (int r = 1; r <= rounds; r++) {
                Result j = runJournal(dir.resolve("journal-" + r), pool, nanos, opts);
                Result m = runMapped(dir.resolve("mapped-" + r), pool, nanos);
                System.out.printf("round=%d batch=%d compress=%b journal_rps=%.0f mapped_rps=%.0f ratio=%.3f journal_bytes_per_record=%.1f refused=%d%n",
                        r, batch, compress, j.rate(), m.rate(), j.rate() / m.rate(), (double) j.bytes() / j.records(), j.refused());
            }
        }
    }

    private static void usage(String why) {
        System.err.println("CapacityBench: " + why);
        System.err.println("usage: CapacityBench --dir DIR [--batch 1024] [--rounds 5] [--seconds 3]");
        System.exit(2);
    }

    /** bytes: what the journal appended (framing + payloads); refused: records --max-disk turned away (a loss). */
    record Result(long records, long nanos, long bytes, long refused) {
        double rate() { return records * 1e9 / nanos; }
    }

    /** Pre-built batches: {@code lengths[i]} bytes of {@code batch} records at {@code offsets[i]} of {@code data}. */
    record Pool(MemorySegment data, long[] offsets, long[] lengths, int batch) {
        static Pool build(Arena arena, int batch) {
            long perBatch = (long) batch * 72; // upper bound: the largest record of the mix
            MemorySegment data = arena.allocate(perBatch * POOL_BATCHES, 8);
            long[] offsets = new long[POOL_BATCHES], lengths = new long[POOL_BATCHES];
            long t = 1_000_000_000L;
            int call = 0;
            for (int b = 0; b < POOL_BATCHES; b++) {
                RawRecords w = new RawRecords(data.asSlice(b * perBatch, perBatch));
                for (int i = 0; i < batch; i++, call++, t += 4_000) {
                    long addr = 0x5ca100000000L + (call / 3 % 16) * 0x100000L;
                    switch (call % 3) {
                        case 0 -> w.mmap(t, 0, 4242, 4242, 0, 4096, 3, 0x22, -1, 0, addr, null);
                        case 1 -> w.mprotect(t, 0, 4242, 4242, addr, 4096, 5, 0);
                        default -> w.munmap(t, 0, 4242, 4242, addr, 4096, 0);
                    }
                }
                offsets[b] = b * perBatch;
                lengths[b] = w.length();
            }
            return new Pool(data, offsets, lengths, batch);
        }
    }

    private static JournalHeader header() {
        long now = System.currentTimeMillis() * 1_000_000L;
        return new JournalHeader(1, "bench", "bench-host", "0".repeat(32), System.getProperty("os.version"),
                now - System.nanoTime(), "syscalls", "0".repeat(64), now, System.nanoTime(),
                List.of("CapacityBench"), (int) ProcessHandle.current().pid());
    }

    private static Result runJournal(Path dir, Pool pool, long nanos, JournalWriter.Options opts) throws IOException {
        deleteTree(dir);
        long records = 0, bytes = 0, refused = 0;
        long start = System.nanoTime(), deadline = start + nanos, end;
        JournalWriter w = JournalWriter.create(dir, header(), opts);
        try {
            int i = 0;
            do {
                int b = i++ & (POOL_BATCHES - 1);
                w.appendKernelBatch(pool.data().asSlice(pool.offsets()[b], pool.lengths()[b]), pool.lengths()[b], pool.batch());
                records += pool.batch();
            } while (System.nanoTime() < deadline);
            bytes = w.bytesWritten();
            refused = w.refusedRecords();
        } finally {
            w.close();
            end = System.nanoTime();
        }
        deleteTree(dir);
        return new Result(records, end - start, bytes, refused);
    }

    private static Result runMapped(Path file, Pool pool, long nanos) throws IOException {
        Files.deleteIfExists(file);
        long records = 0, written = 0;
        long start = System.nanoTime(), deadline = start + nanos, end;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofShared()) {
            MemorySegment map = ch.map(FileChannel.MapMode.READ_WRITE, 0, MAP_CHUNK, arena);
            long mapStart = 0;
            int i = 0;
            do {
                int b = i++ & (POOL_BATCHES - 1);
                long len = pool.lengths()[b];
                if (written + len > mapStart + MAP_CHUNK) { // the next 64 MiB, as an append-only log would do
                    mapStart = written;
                    map = ch.map(FileChannel.MapMode.READ_WRITE, mapStart, MAP_CHUNK, arena);
                }
                MemorySegment.copy(pool.data(), pool.offsets()[b], map, written - mapStart, len);
                written += len;
                records += pool.batch();
            } while (System.nanoTime() < deadline);
        }
        end = System.nanoTime();
        Files.deleteIfExists(file);
        return new Result(records, end - start, written, 0);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
