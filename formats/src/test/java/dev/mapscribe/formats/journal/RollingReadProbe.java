package dev.mapscribe.formats.journal;

import dev.mapscribe.formats.raw.UserRecord.Loss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A by-hand probe, not a test (it asserts nothing): reads of a journal while its writer rolls to a new cycle every
 * few milliseconds at --max-disk (so the oldest cycle is deleted at each roll), counting the reads that report
 * damage and the opens that fail. Real cycles are five minutes long; this is that race thousands of times a minute.
 *
 * <p>{@code bash -c '. scripts/lib.sh && find_jdk >/dev/null && "$JAVA_HOME/bin/java" "${MAPSCRIBE_JVM_FLAGS[@]}"
 * -cp "formats/target/test-classes:$RECORDER_JAR" dev.mapscribe.formats.journal.RollingReadProbe 60'}
 * prints each damage and failure, then {@code reads R damaged D failed F rolls N}.
 */
public final class RollingReadProbe {
    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 60;
        Path base = Files.createTempDirectory("mapscribe-rolling-read-");
        Path dir = base.resolve("j");
        var clock = new net.openhft.chronicle.core.time.SetTimeProvider(java.time.Instant.parse("2026-11-23T18:30:00Z"));
        AtomicBoolean started = new AtomicBoolean(), done = new AtomicBoolean();
        AtomicLong rolls = new AtomicLong();
        // Chronicle's appender belongs to the thread that made it: the writer is made on its own thread.
        Thread writer = new Thread(() -> {
            try (JournalWriter w = JournalWriter.create(dir, JournalTest.header(), new JournalWriter.Options(200L << 20, false), clock)) {
                started.set(true);
                long k = 0;
                while (!done.get()) {
                    for (int i = 0; i < 50; i++) w.append(new Loss(++k, 0, 1, k, k));
                    clock.advanceMillis(300_000); // the next five-minute cycle
                    rolls.incrementAndGet();
                    Thread.sleep(2);
                }
            } catch (Exception e) {
                e.printStackTrace();
            }
        });
        writer.start();
        while (!started.get()) Thread.sleep(10);
        int reads = 0, damaged = 0, failed = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            try (JournalReader r = JournalReader.open(dir)) {
                ReadResult res = r.read((rec, batch) -> { });
                reads++;
                if (res.damage() != null) {
                    damaged++;
                    System.out.println("damage: " + res.damage().describe());
                }
            } catch (JournalException e) {
                failed++;
                System.out.println("failed: " + e.getMessage());
            }
        }
        done.set(true);
        writer.join();
        System.out.println("reads " + reads + " damaged " + damaged + " failed " + failed + " rolls " + rolls.get());
        try (Stream<Path> s = Files.walk(base)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
