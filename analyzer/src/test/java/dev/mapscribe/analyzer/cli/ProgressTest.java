package dev.mapscribe.analyzer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void onATerminalTheLineIsRewrittenInPlaceAndErasedAtTheEnd() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, "analyzing");
        p.records(10); // within the first second: nothing yet
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
        Thread.sleep(1100);
        p.records(2_000_000);
        String shown = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(shown.startsWith("\ranalyzing: 2,000,000 records, ") && !shown.contains("\n"), shown);
        p.done();
        assertTrue(bytes.toString(StandardCharsets.UTF_8).endsWith("\r\033[K"), "erased, so the summary stands alone");
    }

    @Test
    void offATerminalNothingIsPrinted() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, "analyzing");
        Thread.sleep(1100);
        p.records(2_000_000);
        p.done();
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
    }
}
