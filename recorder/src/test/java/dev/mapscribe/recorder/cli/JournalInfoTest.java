package dev.mapscribe.recorder.cli;

import dev.mapscribe.formats.journal.JournalWriter;
import dev.mapscribe.formats.journal.RollingJournal;
import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import dev.mapscribe.formats.raw.UserRecord.Loss;
import dev.mapscribe.formats.raw.UserRecord.RecorderStatus;
import dev.mapscribe.formats.raw.RawRecords;
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
                "syscalls", "beef", 1_700_000_001_000_000_000L, 1_000_000_000L, List.of("mapscribe", "record"), 99, 1,
                5_400_250_000_000L); // suspended 1.5 h before the recording
        try (Arena arena = Arena.ofConfined(); JournalWriter w = JournalWriter.create(dir, h, JournalWriter.Options.defaults())) {
            RawRecords raw = new RawRecords(4096)
                    .mmap(2_000_000_000L, 10, 10, 0, 4096, 7, 0x22, -1, 0, 0x10000)
                    .mprotect(2_500_000_000L, 10, 10, 0x10000, 4096, 5, 0)
                    .munmap(3_000_000_000L, 10, 10, 0x10000, 4096, 0);
            w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count());
            w.append(new Loss(3_000_000_001L, 1, 7, 2_900_000_000L, 3_000_000_000L));
            w.append(new Loss(3_000_000_002L, Loss.DISK_FULL, 5, 2_900_000_000L, 3_000_000_000L)); // refusals: not "lost"
            w.append(new Loss(3_000_000_002L, Loss.RECURSION, 2, 2_900_000_000L, 3_000_000_000L)); // runs skipped: lost
            w.append(new Loss(3_000_000_002L, Loss.COMPAT, 4, 2_900_000_000L, 3_000_000_000L)); // 32-bit calls: neither
            w.append(new FileInfo(3_000_000_003L, 8 << 20, 12, 0, 0, 100, "/tmp/gone", null, null, null, null, null,
                    "cannot open: open /tmp/gone: No such file or directory", 0));
            w.append(new FileInfo(3_000_000_004L, 8 << 20, 13, 0, 0, 100, "/bin/x", "ELF", "m", "s1", "s256", "s512", null, 0));
        }
        String json = run("journal", "info", dir.toString(), "--format", "json");
        assertTrue(json.startsWith("0\n"), json);
        assertTrue(json.contains("\"host\":\"web-7\""), json);
        assertTrue(json.contains("\"overcommit_memory\":1,\"suspended_ns\":5400250000000,"), json);
        assertTrue(json.contains("\"counts\":{\"mmap\":1,\"mprotect\":1,\"munmap\":1,\"journal_header\":1,\"file_info\":2,\"loss\":4}"), json);
        assertTrue(json.contains("\"first_ktime_ns\":2000000000,\"last_ktime_ns\":3000000000"), json);
        assertTrue(json.contains("\"lost\":9,\"refused\":5,\"compat_calls\":4,\"unhashed_files\":1"), json);
        assertTrue(json.contains("\"batches_without_checksums\":0,\"stopped_utc\":null,\"note\":null,\"damage\":null"), json);

        String text = run("journal", "info", dir.toString());
        assertTrue(text.contains("host            web-7 (machine-id m-1), kernel 6.18.44, vm.overcommit_memory 1\n"), text);
        assertTrue(text.contains("time span       2023-11-14T22:13:22Z .. 2023-11-14T22:13:23Z (1.000 s)"), text);
        assertTrue(text.contains("suspended       5400.250 s in all since boot, before the recording (/proc start times count it)\n"), text);
        assertTrue(text.contains("lost            9 records (in the kernel)"), text);
        assertTrue(text.contains("refused         5 kernel records (the journal at --max-disk, or its file system nearly full)"), text);
        assertTrue(text.contains("32-bit calls    4 not recorded (a 32-bit process, or int 0x80"), text);
        assertTrue(text.contains("unhashed        1 files without hashes (gone, unreadable or over the size cap: their file_info records say which)"), text);
        assertTrue(text.contains("integrity       CRC-32C checksums on every batch"), text);
        assertTrue(text.contains("stopped         no final record from the recorder: it was still recording, or it was killed or"
                + " crashed, or the journal's end is lost"), text);
    }

    @Test
    void infoSaysWhenTheRecorderStopped(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        JournalHeader h = new JournalHeader(1, "0.1.0", "web-7", "m-1", "6.18.44", 1_700_000_000_000_000_000L,
                "syscalls", "beef", 1_700_000_001_000_000_000L, 1_000_000_000L, List.of("mapscribe", "record"), 99);
        try (JournalWriter w = JournalWriter.create(dir, h, JournalWriter.Options.defaults())) {
            w.append(new RecorderStatus(3_000_000_000L, 0, 0, 0, 0, 0, 0, "")); // a periodic one: not the end
            w.append(new RecorderStatus(3_500_000_000L, 0, 0, 0, 0, 0, 0, "io_uring requests not watched (--no-io-uring)", true)); // written as the recorder stops
        }
        String text = run("journal", "info", dir.toString());
        assertTrue(!text.contains("suspended"), "a header that does not say prints nothing of it: " + text);
        assertTrue(text.contains("stopped         by the recorder at 2023-11-14T22:13:23.500Z"), text);
        assertTrue(text.contains("note            io_uring requests not watched (--no-io-uring)\n"), text);
        String json = run("journal", "info", dir.toString(), "--format", "json");
        assertTrue(json.contains("\"stopped_utc\":\"2023-11-14T22:13:23.500Z\",\"note\":\"io_uring requests not watched (--no-io-uring)\""), json);
    }

    @Test
    void infoSaysWhenAJournalHasNoChecksums(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("j");
        JournalHeader h = new JournalHeader(1, "0.1.0", "web-7", "m-1", "6.18.44", 1_700_000_000_000_000_000L,
                "syscalls", "beef", 1_700_000_001_000_000_000L, 1_000_000_000L, List.of("mapscribe", "record"), 99);
        // as journals were written before the checksums
        try (JournalWriter w = JournalWriter.create(dir, h, JournalWriter.Options.defaults().withoutChecksums())) {
            w.append(new Loss(3_000_000_001L, 1, 7, 2_900_000_000L, 3_000_000_000L));
        }
        String text = run("journal", "info", dir.toString());
        assertTrue(text.contains("integrity       2 of 2 batches without checksums (written before them): damage inside their"
                + " records cannot be seen"), text);
        assertTrue(run("journal", "info", dir.toString(), "--format", "json").contains("\"batches_without_checksums\":2,"), text);
    }

    @Test
    void infoReportsTheCycleFilesMaxDiskDeletedAsAGap(@TempDir Path tmp) throws Exception {
        JournalHeader h = new JournalHeader(1, "0.1.0", "web-7", "m-1", "6.18.44", 1_700_000_000_000_000_000L,
                "syscalls", "beef", 1_700_000_001_000_000_000L, 1_000_000_000L, List.of("mapscribe", "record"), 99);
        // Six cycles under 50 MiB (two 20 MiB cycle files): the four oldest are deleted.
        RollingJournal.Written w = RollingJournal.write(tmp.resolve("j"), h, 50L << 20, 6);
        long deletedBytes = w.fileBytes().subList(0, 4).stream().mapToLong(Long::longValue).sum();
        String json = run("journal", "info", w.dir().toString(), "--format", "json");
        assertTrue(json.startsWith("0\n"), json);
        assertTrue(json.contains("\"rolled_cycles\":4,\"rolled_bytes\":" + deletedBytes + ",\"rolled_kernel_records\":"
                + 4 * RollingJournal.PER_CYCLE + ",\"rolled_before_ktime_ns\":"), json);
        assertTrue(json.contains("\"kernel_records\":" + 2 * RollingJournal.PER_CYCLE), json);
        assertTrue(json.contains("\"damage\":null"), json);
        String text = run("journal", "info", w.dir().toString());
        assertTrue(text.contains("deleted         4 oldest cycle files (" + deletedBytes + " bytes, " + 4 * RollingJournal.PER_CYCLE
                + " kernel records) to stay under --max-disk: the records from 2023-11-14T22:13:21Z to "), text);
        assertTrue(text.contains("damage          none"), text);
    }

    @Test
    void infoOnADirectoryThatIsNotAJournalFailsWithExitCode1(@TempDir Path tmp) {
        assertEquals("1\n", run("journal", "info", tmp.toString()));
        assertEquals("2\n", run("journal", "info", tmp.toString(), "--format", "xml"));
    }
}
