package dev.mapscribe.analyzer.cli;

import dev.mapscribe.analyzer.query.QueryRows;
import dev.mapscribe.analyzer.query.QuerySession;
import dev.mapscribe.formats.journal.JournalWriter;
import dev.mapscribe.formats.journal.RollingJournal;
import dev.mapscribe.formats.raw.UserRecord;
import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import dev.mapscribe.formats.raw.UserRecord.Loss;
import dev.mapscribe.formats.raw.UserRecord.RecorderStatus;
import dev.mapscribe.formats.raw.UserRecord.ProcSnapshot;
import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.formats.raw.RawRecords;
import dev.mapscribe.formats.testkit.Tmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Journal (through the real writer) → analyze → Parquet → real DuckDB. */
class AnalyzeCommandTest {
    static final long BOOT = 1_700_000_000_000_000_000L;
    static final int PROT_RW = 3, PROT_RX = 5, PROT_RWX = 7, MAP_PRIVATE_ANON = 0x22;

    static JournalHeader header(String host) {
        return new JournalHeader(1, "test", host, "m", "6.18", BOOT, "syscalls", "x", BOOT + 1_000, 1_000,
                List.of("mapscribe", "record"), 1);
    }

    static Path journal(Path dir, String host) throws Exception {
        JournalHeader h = header(host);
        try (Arena arena = Arena.ofConfined(); JournalWriter w = JournalWriter.create(dir, h, JournalWriter.Options.defaults())) {
            // pid 500 ran before the recording: the snapshot gives its whole map.
            w.appendAll(List.of(
                    new ProcSnapshot(1_000, 500, 1, 100, 0, 0, 0, 0, 4026531841L, "jit", "/usr/bin/jit", List.of("jit", "-x"), null),
                    new SnapshotRegion(500, 0x400000, 0x401000, PROT_RX, false, 0, 8, 1, 77, "/usr/bin/jit"),
                    // smaps' flags: MADV_DONTDUMP'd ("dd"); "ac" is not taken for anonymous memory
                    new SnapshotRegion(500, 0x10000000, 0x10004000, PROT_RW, false, 0, 0, 0, 0, "", "rd wr mr mw me ac dd")));
            RawRecords raw = new RawRecords(4096)
                    .task(2_000, 500, 500, 1, 0, 100, "jit")
                    // RW -> RX over two of the snapshot's four pages: one alert for the one region touched.
                    .mprotect(3_000, 500, 500, 0x10000000, 0x2000, PROT_RX, 0)
                    // a fresh RWX mapping
                    .mmap(4_000, 500, 500, 0, 4096, PROT_RWX, MAP_PRIVATE_ANON, -1, 0, 0x20000000)
                    // a failed mprotect: no alert, but a syscalls row
                    .mprotect(5_000, 500, 500, 0x30000000, 4096, PROT_RWX, -12)
                    // a library mapped executable: mmap_exec
                    .mmapFile(6_000, 500, 500, 0, 8192, PROT_RX, 0x2, 3, 0, 0x7f0000000000L, 99, (8 << 20) | 1, "/usr/lib/libz.so.1");
            w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count());
            // The recorder's hashes of the snapshot's executable: only the files table carries them.
            w.append(new FileInfo(6_800, (8 << 20) | 1, 77, 1_700_000_000L, 5, 4096, "/usr/bin/jit", "ELF 64-bit",
                    "md5-jit", "sha1-jit", "sha256-jit", "sha512-jit", null, 0));
            w.append(new Loss(7_000, 1, 3, 6_500, 6_900));
            w.append(new Loss(7_500, Loss.JOURNAL_FULL, 9, 7_000, 7_500)); // refused at --max-disk
            w.append(stopped(8_000));
        }
        return dir;
    }

    /** The recorder's final record, as it writes it when it stops: a journal without one ends in a gap. */
    static RecorderStatus stopped(long ktimeNs) {
        return new RecorderStatus(ktimeNs, 0, 0, 0, 0, 0, 0, "", true);
    }

    /** A journal of host's header, one kernel batch of {@code raw}'s records, then {@code after} (user records). */
    static Path kernelJournal(Path dir, String host, RawRecords raw, UserRecord... after) throws Exception {
        try (Arena arena = Arena.ofConfined(); JournalWriter w = JournalWriter.create(dir, header(host), JournalWriter.Options.defaults())) {
            w.appendKernelBatch(raw.segment(arena), raw.length(), raw.count());
            for (UserRecord u : after) w.append(u);
        }
        return dir;
    }

    static List<String> rows(QuerySession q, String sql) throws Exception {
        return QueryRows.of(q, sql);
    }

    /** Overwrites the magic of the journal's {@code n}-th excerpt (1: the header) in its cycle file: damage from there on. */
    static void damageExcerpt(Path journal, int n) throws IOException {
        Path cycle;
        try (var s = Files.list(journal)) {
            cycle = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        byte[] all = Files.readAllBytes(cycle);
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.seek(nthIndexOf(all, new byte[] {0x4d, 0x53, 0x4a, 0x31}, n));
            f.write(new byte[] {0, 0, 0, 0});
        }
    }

    @Test
    void analyzeExportsEveryTableThatDuckDbReadsBack(@TempDir Path tmp) throws Exception {
        Path j = journal(tmp.resolve("j"), "host-a");
        Path out = tmp.resolve("out");
        assertEquals(0, AnalyzerMain.run("analyze", j.toString(), "--out", out.toString(), "--jsonl"));
        assertTrue(Files.exists(out.resolve("mem_prot_alert/host=host-a/part-00000.parquet")));
        assertTrue(Files.exists(out.resolve("mmap_exec/host=host-a/mmap_exec.jsonl")));
        try (QuerySession q = QuerySession.open(List.of(out))) {
            assertEquals(List.of(
                    "3000|Protection changed to Executable!|268435456|8192|5|3|mprotect",
                    "4000|Mmaped region with W+E permissions!|536870912|4096|7|null|mmap"),
                    rows(q, "select ts_ns, alert, addr, len, prot, prev_prot, syscall from mem_prot_alert order by ts_ns"));
            assertEquals(List.of("/usr/lib/libz.so.1|139637976727552|false|41|jit|/usr/bin/jit|jit -x|mmap"),
                    rows(q, "select mapped_path, addr, failed, event_id, comm, exe_path, command_line, syscall from mmap_exec"));
            assertEquals(List.of("mprotect|-12|12|true"),
                    rows(q, "select syscall, ret, errno, failed from syscalls where ts_ns = 5000"));
            assertEquals("4", rows(q, "select count(*) from syscalls").get(0));
            assertEquals(List.of("ringbuf|1|3", "max_disk|null|9"), rows(q, "select source, cpu, lost from losses order by ts_ns"));
            assertEquals(List.of("/usr/bin/jit|8388609|77|1700000000000000005|4096|sha256-jit|null|null"),
                    rows(q, "select path, dev, inode, ctime, size, sha256, error, via_pid from files"));
            // Joined with the regions of a process that ran before the recording: what it ran, with its hashes.
            assertEquals(List.of("4194304|sha256-jit"), rows(q, "select r.start_addr, f.sha256 from regions r join files f "
                    + "on r.dev = f.dev and r.inode = f.inode where r.pid = 500"));
            // The temporal regions table: at t=3500 the heap is split into RX and RW halves.
            assertEquals(List.of("268435456|268443648|5", "268443648|268451840|3"),
                    rows(q, "select start_addr, end_addr, prot from regions where pid = 500 and start_addr >= 268435456 "
                            + "and start_addr < 268451840 and valid_from_ns <= 3500 and (valid_to_ns is null or valid_to_ns > 3500) order by start_addr"));
            // The hidden VMA flags from smaps, kept through the split: VM_DONTDUMP (0x4000000), not VM_ACCOUNT
            assertEquals(List.of("4000000|false", "4000000|false"), rows(q, "select printf('%x', vm_flags), accounted from regions "
                    + "where pid = 500 and start_addr >= 268435456 and start_addr < 268451840 and valid_to_ns is null order by start_addr"));
            // From the snapshot, its exact start then given by its task record; alive at the end; memory known; losses seen
            // while it lived (the loss records above).
            assertEquals(List.of("500|true|/usr/bin/jit|true|false|false|true|12"), rows(q,
                    "select pid, from_snapshot, exe_path, start_exact, exit_recorded, argv_truncated, memory_known, "
                            + "records_lost_while_alive from processes"));
        }
    }

    @Test
    void analyzingTwiceGivesByteIdenticalTables(@TempDir Path tmp) throws Exception {
        Path j = journal(tmp.resolve("j"), "host-a");
        assertEquals(0, AnalyzerMain.run("analyze", j.toString(), "--out", tmp.resolve("o1").toString()));
        assertEquals(0, AnalyzerMain.run("analyze", j.toString(), "--out", tmp.resolve("o2").toString()));
        for (String t : List.of("syscalls", "mmap_exec", "mem_prot_alert", "regions", "processes", "losses")) {
            Path a = tmp.resolve("o1/" + t + "/host=host-a/part-00000.parquet");
            Path b = tmp.resolve("o2/" + t + "/host=host-a/part-00000.parquet");
            assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), t);
        }
    }

    @Test
    void twoHostsLandInTwoPartitions(@TempDir Path tmp) throws Exception {
        Path a = journal(tmp.resolve("a"), "host-a");
        Path b = journal(tmp.resolve("b"), "host-b");
        Path out = tmp.resolve("out");
        assertEquals(0, AnalyzerMain.run("analyze", a.toString(), b.toString(), "--out", out.toString()));
        try (QuerySession q = QuerySession.open(List.of(out))) {
            assertEquals(List.of("host-a|2", "host-b|2"), rows(q, "select host, count(*) from mem_prot_alert group by host order by host"));
        }
    }

    @Test
    void aDamagedJournalExportsWhatCameBeforeAndFails(@TempDir Path tmp) throws Exception {
        Path j = journal(tmp.resolve("j"), "host-a");
        damageExcerpt(j, 3); // the kernel batch, after the header and the snapshot
        Path out = tmp.resolve("out");
        assertEquals(1, AnalyzerMain.run("analyze", j.toString(), "--out", out.toString()));
        try (QuerySession q = QuerySession.open(List.of(out))) {
            assertEquals(List.of("500|true"), rows(q, "select pid, from_snapshot from processes"));
            List<String> damage = rows(q, "select source, message from losses");
            assertEquals(1, damage.size());
            assertTrue(damage.get(0).startsWith("journal|journal damaged at excerpt 2"), damage.get(0));
        }
    }

    @Test
    void pidKeepsTheWritesOtherProcessesMadeIntoIt(@TempDir Path tmp) throws Exception {
        Path j = kernelJournal(tmp.resolve("j"), "host-a", new RawRecords(4096)
                .task(1_000, 500, 500, 1, 0, 100, "target")
                .mmap(2_000, 500, 500, 0, 4096, PROT_RW, MAP_PRIVATE_ANON, -1, 0, 0x20000000)
                .task(3_000, 600, 600, 1, 0, 100, "injector")
                // process_vm_writev(500, local, 1, remote, 2, 0) = 16 into two ranges of 500's page, by 600, whose
                // array the recorder read as the call began and found rewritten as it returned
                .syscallWithRanges(4_000, 0, 600, 600, 311, new long[] {500, 0x7ffd0000, 1, 0x7ffd1000, 2, 0}, 16,
                        new long[] {0x20000000, 8, 0x20000100, 8}, 3)
                .mmap(5_000, 600, 600, 0, 4096, PROT_RW, MAP_PRIVATE_ANON, -1, 0, 0x30000000), stopped(6_000));
        for (String pid : List.of("500", "600")) {
            Path out = tmp.resolve("out" + pid);
            assertEquals(0, AnalyzerMain.run("analyze", j.toString(), "--out", out.toString(), "--pid", pid));
            try (QuerySession q = QuerySession.open(List.of(out))) {
                assertEquals(List.of("600|500|0|536870912|8|entry|true", "600|500|1|536871168|8|entry|true"),
                        rows(q, "select pid, target_pid, part, addr, written, iovecs_read, iovecs_changed from memory_writes order by part"),
                        "--pid " + pid);
                assertEquals(List.of(pid.equals("500") ? "mmap|500|null" : "mmap|600|null", "process_vm_writev|600|500"),
                        rows(q, "select syscall, pid, target_pid from syscalls order by syscall"), "--pid " + pid);
            }
        }
    }

    @Test
    void exitCodeGivesOneWhenAlertsWereExportedAndZeroWhenNone(@TempDir Path tmp) throws Exception {
        Path j = journal(tmp.resolve("j"), "host-a"); // two alerts (see journal())
        assertEquals(1, AnalyzerMain.run("analyze", j.toString(), "--out", tmp.resolve("o1").toString(), "--exit-code"));
        assertEquals(0, AnalyzerMain.run("analyze", j.toString(), "--out", tmp.resolve("o2").toString()), "only with --exit-code");
        // The alerts the user asked for: --pid of another process exports none.
        assertEquals(0, AnalyzerMain.run("analyze", j.toString(), "--out", tmp.resolve("o3").toString(), "--exit-code", "--pid", "501"));

        // An RW mapping unmapped again: no alert.
        Path quiet = kernelJournal(tmp.resolve("quiet"), "host-b", new RawRecords(4096)
                .mmap(2_000, 600, 600, 0, 4096, PROT_RW, MAP_PRIVATE_ANON, -1, 0, 0x20000000)
                .munmap(3_000, 600, 600, 0x20000000, 4096, 0));
        assertEquals(0, AnalyzerMain.run("analyze", quiet.toString(), "--out", tmp.resolve("o4").toString(), "--exit-code"));
    }

    @Test
    void aDamagedJournalWithAlertsExportsThemAndRecordsTheDamage(@TempDir Path tmp) throws Exception {
        Path j = journal(tmp.resolve("j"), "host-a");
        damageExcerpt(j, 4); // the first loss record, after the kernel batch with the two alerts
        Path out = tmp.resolve("out");
        // Findings and damage both exit 1: the losses row is what tells the damage apart.
        assertEquals(1, AnalyzerMain.run("analyze", j.toString(), "--out", out.toString(), "--exit-code"));
        try (QuerySession q = QuerySession.open(List.of(out))) {
            assertEquals("2", rows(q, "select count(*) from mem_prot_alert").get(0), "the alerts before the damage are exported");
            assertEquals(List.of("journal"), rows(q, "select source from losses where source = 'journal'"), "the damage is recorded");
        }
    }

    /** Runs the analyzer with System.err captured (picocli's error writer wraps System.err when the command line is built). */
    static String stderrOf(int expectedExit, String... args) {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertEquals(expectedExit, AnalyzerMain.run(args));
        } finally {
            System.setErr(saved);
        }
        return buf.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aTimeThatIsNoNumberNorInstantIsOneClearLine(@TempDir Path tmp) throws Exception {
        Path j = journal(tmp.resolve("j"), "host-a");
        for (String bad : List.of("", "99999999999999999999", "+1000000000-01-01T00:00:00Z", "yesterday")) {
            String err = stderrOf(1, "analyze", j.toString(), "--out", tmp.resolve("out").toString(), "--from", bad);
            assertEquals("mapscribe: --from " + bad + " is neither an ISO-8601 instant (2026-11-23T16:00:00Z) nor CLOCK_MONOTONIC ns\n",
                    err, "for --from '" + bad + "'");
        }
    }

    @Test
    void anOutThatIsAFileIsOneClearLine(@TempDir Path tmp) throws Exception {
        Path j = journal(tmp.resolve("j"), "host-a");
        Path file = Files.writeString(tmp.resolve("out"), "not a directory");
        assertEquals("mapscribe: cannot create --out " + file + ": a file of that name is in the way\n",
                stderrOf(1, "analyze", j.toString(), "--out", file.toString()));
    }

    /**
     * A run that fails midway leaves no file behind: a table cut off partway would read as a whole one. The disk
     * filling up is the failure here: the export goes to a tmpfs (root, to mount it) with room for about half of
     * what the same analysis writes elsewhere, so some files are complete when the first write fails.
     */
    @Test
    void aRunThatFailsMidwayLeavesNoFileAndSaysWhyInOneLine(@TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRoot();
        Path j = journal(tmp.resolve("j"), "host-a");
        Path whole = tmp.resolve("whole");
        assertEquals(0, AnalyzerMain.run("analyze", j.toString(), "--out", whole.toString(), "--jsonl"));
        List<Path> wholeFiles = filesUnder(whole);
        long pages = 0;
        for (Path f : wholeFiles) pages += (Files.size(f) + 4095) / 4096; // tmpfs gives each file whole pages
        assertTrue(wholeFiles.size() >= 8, "6 tables and 2 JSONL files: " + wholeFiles);

        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("out"), "1m")) {
            Path out = fs.dir();
            // Fill the file system up to room for half the export's pages.
            long room = Files.getFileStore(out).getUsableSpace();
            Files.write(out.resolve("filler"), new byte[(int) (room - pages / 2 * 4096)]);
            String err = stderrOf(1, "analyze", j.toString(), "--out", out.toString(), "--jsonl");
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.startsWith("mapscribe: ") && err.contains("No space left on device")
                    && err.contains("(nothing exported: the run's files in " + out + " are removed)"), err);
            assertEquals(List.of(out.resolve("filler")), filesUnder(out), "only the filler stays");
        }
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /**
     * Batches the journal refused are no kernel loss: each cause is its own source in losses and the summary. Runs
     * of a program the kernel skipped are a kernel loss, of their own source.
     */
    @Test
    void refusedBatchesAreTheirOwnLossesAndNotLostInTheKernel(@TempDir Path tmp) throws Exception {
        Path j = tmp.resolve("j");
        JournalHeader h = header("host-a");
        try (JournalWriter w = JournalWriter.create(j, h, JournalWriter.Options.defaults())) {
            w.append(new Loss(2_000, 0, 3, 1_500, 1_900));
            w.append(new Loss(3_000, Loss.JOURNAL_FULL, 9, 2_000, 3_000));
            w.append(new Loss(4_000, Loss.DISK_FULL, 5, 3_000, 4_000));
            w.append(new Loss(5_000, -7, 2, 4_000, 5_000)); // a cause from a newer recorder
            w.append(new Loss(5_500, Loss.RECURSION, 4, 5_000, 5_500));
            w.append(new Loss(5_800, Loss.COMPAT, 6, 5_500, 5_700)); // 32-bit calls left out: neither lost nor refused
            w.append(stopped(6_000));
        }
        Path out = tmp.resolve("out");
        String err = stderrOf(0, "analyze", j.toString(), "--out", out.toString());
        assertTrue(err.contains("records lost in the kernel: 7; refused by the journal (--max-disk, or its disk nearly full): 16\n"), err);
        assertTrue(err.contains(j + ": 6 syscalls made in 32-bit mode (a 32-bit process, or int 0x80), or x32's own versions of watched calls, were not recorded"), err);
        try (QuerySession q = QuerySession.open(List.of(out))) {
            assertEquals(List.of("ringbuf|0|3", "max_disk|null|9", "disk_full|null|5", "refused|null|2", "recursion|null|4",
                            "compat|null|6"), rows(q, "select source, cpu, lost from losses order by ts_ns"));
        }
    }

    @Test
    void theSummarySaysWhatTheRecorderNotedItDidNotDo(@TempDir Path tmp) throws Exception {
        Path j = tmp.resolve("j");
        try (JournalWriter w = JournalWriter.create(j, header("host-a"), JournalWriter.Options.defaults())) {
            w.append(new RecorderStatus(5_000, 0, 0, 0, 0, 0, 0, "a periodic note is not the last word"));
            w.append(new RecorderStatus(6_000, 0, 0, 0, 0, 0, 0, "io_uring requests not watched (--no-io-uring)", true));
        }
        Path out = tmp.resolve("out");
        String err = stderrOf(0, "analyze", j.toString(), "--out", out.toString());
        assertTrue(err.contains(j + ": the recorder noted: io_uring requests not watched (--no-io-uring)\n"), err);
        assertFalse(err.contains("periodic"), err);
        try (QuerySession q = QuerySession.open(List.of(out))) { // and a gap in what was watched, with the others
            assertEquals(List.of("recorder_note|io_uring requests not watched (--no-io-uring)"),
                    rows(q, "select source, message from losses where source = 'recorder_note'"));
        }
    }

    @Test
    void theSummarySaysHowManyMmapExecRowsHaveNoHashes(@TempDir Path tmp) throws Exception {
        Path j = journal(tmp.resolve("j"), "host-a"); // libz mapped executable, and no file info for it
        String err = stderrOf(0, "analyze", j.toString(), "--out", tmp.resolve("out").toString());
        assertTrue(err.contains("mmap_exec 1 (1 without hashes: mapped_error says why),"), err);
    }

    @Test
    void snapshotLinesWithoutTheirProcessAreReported(@TempDir Path tmp) throws Exception {
        Path j = tmp.resolve("j");
        JournalHeader h = header("host-a");
        try (JournalWriter w = JournalWriter.create(j, h, JournalWriter.Options.defaults())) {
            w.appendAll(List.of(
                    new SnapshotRegion(500, 0x400000, 0x401000, PROT_RX, false, 0, 8, 1, 77, "/usr/bin/jit"),
                    // smaps' flags: MADV_DONTDUMP'd ("dd"); "ac" is not taken for anonymous memory
                    new SnapshotRegion(500, 0x10000000, 0x10004000, PROT_RW, false, 0, 0, 0, 0, "", "rd wr mr mw me ac dd")));
        }
        String err = stderrOf(0, "analyze", j.toString(), "--out", tmp.resolve("out").toString());
        assertTrue(err.contains(j + ": 2 snapshot region lines without their process line were skipped"), err);
    }

    @Test
    void recordsNoKernelWritesAreReportedAndStillExported(@TempDir Path tmp) throws Exception {
        Path j = kernelJournal(tmp.resolve("j"), "host-a", new RawRecords(4096)
                .task(2_000, 500, 500, 1, 0, 100, "jit")
                // "succeeded" with a length that wraps around the address space: a damaged or forged record
                .mmap(3_000, 500, 500, 0, Long.MAX_VALUE, PROT_RW, MAP_PRIVATE_ANON, -1, 0, 0x20000000)
                .mmap(4_000, 500, 500, 0, 4096, PROT_RW, MAP_PRIVATE_ANON, -1, 0, 0x30000000));
        Path out = tmp.resolve("out");
        String err = stderrOf(0, "analyze", j.toString(), "--out", out.toString());
        assertTrue(err.contains(j + ": 1 records say the kernel changed a range it cannot have (a damaged or forged journal): "
                + "in the syscalls table, left out of the region state"), err);
        // This journal has no final record from the recorder: its end is a gap of unknown length, said and exported.
        String end = "no final record from the recorder: it was still recording, or it was killed or crashed, or the"
                + " journal's end is lost; nothing after its last record is known";
        assertTrue(err.contains("mapscribe: " + j + ": " + end), err);
        try (QuerySession q = QuerySession.open(List.of(out))) {
            assertEquals(List.of("2"), rows(q, "select count(*) from syscalls where syscall = 'mmap'"));
            assertEquals(List.of("30000000"), rows(q, "select printf('%x', start_addr) from regions where pid = 500 and known"));
            assertEquals(List.of("journal|4000|" + end), rows(q, "select source, ts_ns, message from losses"));
        }
    }

    @Test
    void cycleFilesDeletedAtMaxDiskAreOneJournalRolledRowInLosses(@TempDir Path tmp) throws Exception {
        JournalHeader h = header("host-a");
        // Six five-minute cycles under 50 MiB (two 20 MiB cycle files): the four oldest are deleted.
        RollingJournal.Written w = RollingJournal.write(tmp.resolve("j"), h, 50L << 20, 6);
        Path out = tmp.resolve("out");
        String err = stderrOf(0, "analyze", w.dir().toString(), "--out", out.toString());
        assertTrue(err.contains("the recorder deleted the 4 oldest cycle files to stay under --max-disk"), err);
        long deletedBytes = w.fileBytes().subList(0, 4).stream().mapToLong(Long::longValue).sum();
        try (QuerySession q = QuerySession.open(List.of(out))) {
            // (the test journal's final record notes "stopped": a recorder_note row beside it)
            List<String> losses = rows(q, "select source, cpu, lost, first_ns, last_ns, message from losses where source <> 'recorder_note'");
            assertEquals(1, losses.size(), losses.toString());
            String[] row = losses.get(0).split("\\|");
            assertEquals(List.of("journal_rolled", "null", String.valueOf(4 * RollingJournal.PER_CYCLE), "1000"),
                    List.of(row).subList(0, 4), "the gap runs from the recording's start");
            long keptFrom = Long.parseLong(row[4]);
            assertTrue(keptFrom >= w.openedAfterNs().get(4) && keptFrom <= w.openedBeforeNs().get(4), "ends when cycle 4 was opened: " + keptFrom);
            assertEquals("the recorder deleted the 4 oldest cycle files (" + deletedBytes
                    + " bytes) to stay under --max-disk: what was recorded before last_ns is gone", row[5]);
            // What is left is exported: the mprotect calls of the two kept cycles.
            assertEquals(String.valueOf(2 * RollingJournal.PER_CYCLE), rows(q, "select count(*) from syscalls").get(0));
            assertEquals(List.of(RollingJournal.ktime(h, 4, 0) + "|" + RollingJournal.ktime(h, 5, RollingJournal.PER_CYCLE - 1)),
                    rows(q, "select min(ts_ns), max(ts_ns) from syscalls"));
        }
    }

    static int nthIndexOf(byte[] a, byte[] p, int n) {
        outer:
        for (int i = 0; i + p.length <= a.length; i++) {
            for (int k = 0; k < p.length; k++) if (a[i + k] != p[k]) continue outer;
            if (--n == 0) return i;
        }
        return -1;
    }
}
