package dev.mapscribe.analyzer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private static final long SECOND_NS = 1_000_000_000L;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    /** The clock the progress line reads, stepped by hand; like System.nanoTime's, its origin is arbitrary. */
    private final AtomicLong nanoTime = new AtomicLong(-5 * SECOND_NS);

    private Progress progress(boolean terminal) {
        return new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), terminal, "analyzing", nanoTime::get);
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalTheLineIsRewrittenInPlaceAtMostOnceASecondAndErasedAtTheEnd() {
        Progress p = progress(true);
        p.records(10);
        nanoTime.addAndGet(SECOND_NS - 1);
        p.records(20); // within the first second: nothing yet
        assertEquals("", printed());

        nanoTime.addAndGet(1);
        p.records(2_000_000);
        String first = "\ranalyzing: 2,000,000 records, 2,000,000/s, 1 s";
        assertEquals(first, printed());

        nanoTime.addAndGet(SECOND_NS - 1);
        p.records(2_500_000); // within a second of the last line: not rewritten yet
        assertEquals(first, printed());

        nanoTime.addAndGet(1);
        p.records(3_000_000);
        String second = "\ranalyzing: 3,000,000 records, 1,500,000/s, 2 s";
        assertEquals(first + second, printed());

        p.done();
        assertEquals(first + second + "\r\033[K", printed(), "erased, so the summary stands alone");
    }

    @Test
    void offATerminalNothingIsPrinted() {
        Progress p = progress(false);
        nanoTime.addAndGet(2 * SECOND_NS);
        p.records(2_000_000);
        p.done();
        assertEquals("", printed());
    }
}
