package dev.mapscribe.recorder.cli;

import dev.mapscribe.formats.journal.JournalWriter;
import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import dev.mapscribe.formats.raw.UserRecord.Loss;
import dev.mapscribe.formats.testkit.RawRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalInfoTest {

    private static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int rc = RecorderMain.run(args);
            return rc + "\n" + buf.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void infoCountsRecordsPerKindTheTimeSpanAndLosses(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        JournalHeader h = new JournalHeader(1, "0.1.0", "web-7", "m-1", "6.18.44", 1_700_000_000_000_000_000L,
                "syscalls", "beef", 1_700_000_001_000_000_000L, 1_000_000_000L, List.of("mapscribe", "record"), 99);
        try (Arena arena = Arena.ofConfined(); JournalWriter w = JournalWriter.create(dir, h, JournalWriter.Options.defaults())) {
            RawRecords raw = new RawRecords(4096)
                    .mmap(2_000_000_000L, 10, 10, 0, 4096, 7, 0x22, -1, 0, 0x10000)
                    .mprotect(2_500_000_000L, 10, 10, 0x10000, 4096, 5, 0)
                    .munmap(3_000_000_000L, 10, 10, 0x10000, 4096, 0);
            w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count());
            w.append(new Loss(3_000_000_001L, 1, 7, 2_900_000_000L, 3_000_000_000L));
        }
        String json = run("journal", "info", dir.toString(), "--format", "json");
        assertTrue(json.startsWith("0\n"), json);
        assertTrue(json.contains("\"host\":\"web-7\""), json);
        assertTrue(json.contains("\"counts\":{\"mmap\":1,\"mprotect\":1,\"munmap\":1,\"journal_header\":1,\"loss\":1}"), json);
        assertTrue(json.contains("\"first_ktime_ns\":2000000000,\"last_ktime_ns\":3000000000"), json);
        assertTrue(json.contains("\"lost\":7"), json);
        assertTrue(json.contains("\"damage\":null"), json);

        String text = run("journal", "info", dir.toString());
        assertTrue(text.contains("time span       2023-11-14T22:13:22Z .. 2023-11-14T22:13:23Z (1.000 s)"), text);
        assertTrue(text.contains("lost            7 records"), text);
    }

    @Test
    void infoOnADirectoryThatIsNotAJournalFailsWithExitCode1(@TempDir Path tmp) {
        assertEquals("1\n", run("journal", "info", tmp.toString()));
        assertEquals("2\n", run("journal", "info", tmp.toString(), "--format", "xml"));
    }
}
