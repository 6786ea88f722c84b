package dev.mapscribe.analyzer.replay;

import static dev.mapscribe.analyzer.replay.Recs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.derive.MemProtAlertEvent;
import dev.mapscribe.analyzer.derive.ProtAlerts;
import dev.mapscribe.formats.journal.JournalReader;
import dev.mapscribe.formats.journal.JournalWriter;
import dev.mapscribe.formats.journal.ReadResult;
import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import dev.mapscribe.formats.raw.RawRecords;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records written through the real journal writer, read back by the real reader, replayed. */
class JournalReplayTest {
    @TempDir
    Path dir;

    @Test
    void aJournalWrittenByTheWriterReplaysIntoAlertsAndMmapExec() throws Exception {
        long lib = 0x7f0000000000L;
        long t = 1_000_000_000L; // the snapshot runs 1 s after boot; the process started at 40 ms
        try (JournalWriter w = JournalWriter.create(dir.resolve("j"), HEADER, JournalWriter.Options.defaults());
             Arena arena = Arena.ofConfined()) {
            w.append(snap(t, 42, 1, 5, "jit", "/usr/bin/jit"));
            w.append(line(42, 0x400000, 0x401000, R | X, "/usr/bin/jit", 7, 0));
            RawRecords raw = new RawRecords(4096)
                    .task(t + 200, 42, 42, 1, 1000, 40_000_000L, "jit")
                    .mmapFile(t + 210, 42, 42, 0, 2 * P, R | X, MAP_PRIVATE, 3, 0, lib, 88, (8 << 20) | 1, "/usr/lib/libjit.so")
                    .mmap(t + 220, 42, 42, 0, P, R | W, MAP_PRIVATE | MAP_ANON, -1, 0, 0x60000)
                    .mprotect(t + 230, 42, 42, 0x60000, P, R | X, 0)
                    .mprotect(t + 240, 42, 42, 0x60000, 2 * P, R, -12);
            w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count());
            w.append(new FileInfo(t + 250, (8 << 20) | 1, 88, 1_700_000_000L, 5, 4096, "/usr/lib/libjit.so", "ELF", "m", "s1",
                    "beef", "s5", null, 0));
        }
        CollectingSink sink = new CollectingSink();
        ReadResult result;
        ReplayStats stats;
        try (JournalReader r = JournalReader.open(dir.resolve("j"))) {
            Replayer replayer = new Replayer(r.header(), sink);
            result = r.read(replayer::accept);
            stats = replayer.finish();
        }
        assertNull(result.damage());
        assertEquals(List.of("Protection changed to Executable!"), sink.alerts.stream().map(MemProtAlertEvent::alert).toList());
        assertEquals(0x60000, sink.alerts.getFirst().addr());
        assertEquals("beef", sink.mmapExec.getFirst().sha256());
        assertEquals(lib, sink.mmapExec.getFirst().addr());
        assertEquals("/usr/bin/jit", sink.mmapExec.getFirst().exe());
        assertEquals(List.of("mmap", "mmap", "mprotect", "mprotect"), sink.syscalls.stream().map(SyscallRow::name).toList());
        assertEquals(4, stats.syscalls());
        assertTrue(sink.regionsAt(42, t + 235).contains("60000-61000 r-xp"));
        assertTrue(sink.regionsAt(42, t + 245).contains("60000-61000 r--p"), "the failed call changed the page before the hole");
        assertEquals(ProtAlerts.MPROT_X_ADD, sink.alerts.getFirst().alert());
    }
}
