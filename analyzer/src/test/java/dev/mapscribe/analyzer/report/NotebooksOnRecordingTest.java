package dev.mapscribe.analyzer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.cli.AnalyzerMain;
import dev.mapscribe.analyzer.query.ExportCatalog;
import dev.mapscribe.analyzer.report.NotebookRunner.CellRun;
import dev.mapscribe.analyzer.report.NotebookRunner.Run;
import dev.mapscribe.analyzer.report.NotebookRunner.Table;
import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.formats.testkit.CWorkloads;
import dev.mapscribe.recorder.Recorder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notebooks over an export of a real recording: the demo workload (scripts/workloads/demo.c) runs under
 * the real recorder (eBPF), the journal goes through the real analyzer, and every SQL cell of every notebook
 * must run without error, with rows wherever the notebook expects them. Needs root and BPF (skipped
 * otherwise, unless MAPSCRIBE_REQUIRE_BPF=1).
 */
class NotebooksOnRecordingTest {

    // One recording for all the tests: recording and analyzing take most of the time.
    @TempDir
    static Path tmp;

    static Path export;
    static int demoPid;

    @BeforeAll
    static void recordAndAnalyzeTheDemo() throws Exception {
        BpfRequirement.assumeRootAndBpf();
        Path demo = CWorkloads.build("demo");
        Path journal = tmp.resolve("journal");
        Recorder.Config config = new Recorder.Config(journal, Recorder.Hooks.AUTO, Recorder.Config.DEFAULT_MAX_DISK,
            Recorder.Config.DEFAULT_RING, true, true, List.of("NotebooksOnRecordingTest"), System.err);
        List<String> lines;
        try (Recorder recorder = Recorder.start(config)) {
            Process p = new ProcessBuilder(demo.toString()).redirectErrorStream(true).start();
            lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertEquals(0, p.waitFor(), "the demo workload failed:\n" + String.join("\n", lines));
            demoPid = (int) p.pid();
            // The notebooks need the demo's files hashed: on a busy machine the niced enricher needs more than the
            // 10 s a stop grants it.
            assertTrue(recorder.awaitEnricherCaughtUp(java.time.Duration.ofSeconds(120)), "the enricher did not catch up");
            recorder.stop();
            recorder.awaitStopped();
        }
        export = tmp.resolve("out");
        assertEquals(0, AnalyzerMain.run("analyze", journal.toString(), "--out", export.toString()), "mapscribe analyze");
    }

    private Run run(String name, Map<String, String> params) throws Exception {
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:")) {
            new ExportCatalog(List.of(export)).defineViews(conn);
            return NotebookRunner.run(Notebook.read(ExportFixture.notebook(name)), conn, params);
        }
    }

    /**
     * What no export of a real recording may hold, whatever else ran on the machine: a region version that ends before
     * it began; two versions of one address space on the same pages at the same time; two lifetimes of one pid at the
     * same time (the start-up snapshot taken for a second process: a process that ended during the /proc walk, or a
     * pid gone before its read), or two rows of one; a region still mapped at the end in a pid with no running lifetime; events of no
     * process. Each query counts what breaks its rule.
     */
    static final Map<String, String> INVARIANTS = Map.of(
            "backwards versions", "SELECT count(*) FROM regions WHERE valid_to_ns < valid_from_ns",
            "overlapping versions", """
                    SELECT count(*) FROM regions a JOIN regions b ON a.pid = b.pid
                      AND a.start_addr < b.end_addr AND b.start_addr < a.end_addr
                      AND (a.start_addr, a.valid_from_ns, a.end_addr) < (b.start_addr, b.valid_from_ns, b.end_addr)
                      AND a.valid_from_ns < coalesce(b.valid_to_ns, 9223372036854775807)
                      AND b.valid_from_ns < coalesce(a.valid_to_ns, 9223372036854775807)
                      AND a.valid_from_ns <> coalesce(a.valid_to_ns, -1) AND b.valid_from_ns <> coalesce(b.valid_to_ns, -1)""",
            "two rows of one lifetime",
            "SELECT count(*) FROM (SELECT pid, start_ns FROM processes GROUP BY ALL HAVING count(*) > 1)",
            "overlapping lifetimes of one pid", """
                    SELECT count(*) FROM processes a JOIN processes b ON a.pid = b.pid AND a.start_ns < b.start_ns
                      AND b.start_ns < coalesce(a.exit_ns, 9223372036854775807)""",
            "regions open at the end in a pid that ended", """
                    SELECT count(*) FROM regions r WHERE r.valid_to_ns IS NULL
                      AND NOT EXISTS (SELECT 1 FROM processes p WHERE p.pid = r.pid AND p.exit_ns IS NULL)""",
            "mmap_exec rows of no process",
            "SELECT count(*) FROM mmap_exec m WHERE NOT EXISTS (SELECT 1 FROM processes p WHERE p.pid = m.pid)",
            "alerts of no process",
            "SELECT count(*) FROM mem_prot_alert m WHERE NOT EXISTS (SELECT 1 FROM processes p WHERE p.pid = m.pid)");

    @Test
    void theExportOfTheWholeMachineKeepsTheTablesInvariants() throws Exception {
        Map<String, Long> broken = new java.util.TreeMap<>();
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:")) {
            new ExportCatalog(List.of(export)).defineViews(conn);
            for (Map.Entry<String, String> rule : INVARIANTS.entrySet()) {
                try (var st = conn.createStatement(); var rs = st.executeQuery(rule.getValue())) {
                    rs.next();
                    if (rs.getLong(1) != 0) broken.put(rule.getKey(), rs.getLong(1));
                }
            }
        }
        assertEquals(Map.of(), broken);
    }

    private static List<String> problems(Run run) {
        List<String> problems = new ArrayList<>();
        for (CellRun c : run.sqlCells()) {
            if (c.failed()) problems.add("failed: " + c.error() + "\n" + c.sql());
            if (c.emptyButExpected()) problems.add("no rows where the recording must give some:\n" + c.sql());
        }
        return problems;
    }

    @Test
    void triageRunsAndShowsTheDemosMemfdsAndItsFourAlerts() throws Exception {
        Run run = run("triage", Map.of());
        assertEquals(List.of(), problems(run));
        Table notOnDisk = NotebooksRunTest.tableWithColumn(run, "mapped_path", "mapped_error");
        assertTrue(NotebooksRunTest.rows(notOnDisk, "pid", "mapped_path").contains(List.of(demoPid, "/memfd:mapscribe-demo-jit"))
            || NotebooksRunTest.rows(notOnDisk, "pid", "mapped_path").contains(List.of(demoPid, "/memfd:mapscribe-demo-jit (deleted)")),
            "the memfd the demo ran code from: " + notOnDisk.rows());
        // The memfd the demo staged code in and made executable by mprotect: no mmap_exec row, but the alert and its hash.
        Table staged = NotebooksRunTest.tableWithColumn(run, "staged_sha256");
        assertTrue(staged.rows().stream().anyMatch(r -> Integer.valueOf(demoPid).equals(r.get(staged.column("pid")))
                && "/memfd:mapscribe-demo-staged (deleted)".equals(r.get(staged.column("pathname")))
                && r.get(staged.column("staged_sha256")) != null
                && Boolean.FALSE.equals(r.get(staged.column("private_pages_written")))), // mapped shared: what ran is the file
            "the staged memfd and its hash: " + staged.rows());
        // The System V segment the demo attached with SHM_EXEC and kept out of core dumps, with the segment's hash.
        Table hidden = NotebooksRunTest.tableWithColumn(run, "what", "backed_by");
        assertTrue(hidden.rows().stream().anyMatch(r -> Integer.valueOf(demoPid).equals(r.get(hidden.column("pid")))
                && "shmat with SHM_EXEC".equals(r.get(hidden.column("what")))
                && String.valueOf(r.get(hidden.column("backed_by"))).startsWith("/SYSV")
                && r.get(hidden.column("sha256")) != null), "the demo's segment: " + hidden.rows());
        assertTrue(hidden.rows().stream().anyMatch(r -> Integer.valueOf(demoPid).equals(r.get(hidden.column("pid")))
                && "executable, MADV_DONTDUMP".equals(r.get(hidden.column("what")))), "the demo's MADV_DONTDUMP: " + hidden.rows());
        // The demo's child that ended its first thread with exit(2) and mapped a page RWX from its second thread after
        Table hiders = NotebooksRunTest.tableWithColumn(run, "first_thread_exited_ns", "alerts_after");
        assertTrue(hiders.rows().stream().anyMatch(r -> Integer.valueOf(demoPid).equals(r.get(hiders.column("ppid")))
                && !"before the recording".equals(r.get(hiders.column("first_thread_exited_ns")))
                && ((Number) r.get(hiders.column("alerts_after"))).longValue() >= 1), "the demo's hidden child: " + hiders.rows());
        // The memfd the demo cleaned after its code ran (overwritten, its times set back): no hashes as mapped, the
        // ctime that moved says why (after the mapping, or during the enricher's read when it came first: the holder
        // thread can hold it and the worker read it within the demo's few microseconds), and the file as it is now is
        // hashed (the zeros)
        Table rewritten = NotebooksRunTest.tableWithColumn(run, "mapped_error", "sha256_now");
        assertTrue(rewritten.rows().stream().anyMatch(r -> Integer.valueOf(demoPid).equals(r.get(rewritten.column("pid")))
                && "/memfd:mapscribe-demo-cleaned (deleted)".equals(r.get(rewritten.column("mapped_path")))
                && String.valueOf(r.get(rewritten.column("mapped_error"))).matches("changed (after it was mapped \\(its ctime moved|while it was hashed).*")
                && r.get(rewritten.column("sha256_now")) != null), "the demo's cleaned memfd: " + rewritten.rows());
        // The demo's memfd mapped shared RW and, at another address, RX: code writable through the other mapping
        Table dual = NotebooksRunTest.tableWithColumn(run, "exec_addr", "writable_addr");
        assertTrue(dual.rows().stream().anyMatch(r -> Integer.valueOf(demoPid).equals(r.get(dual.column("pid")))
                && "/memfd:mapscribe-demo-jit (deleted)".equals(r.get(dual.column("file"))) && "r-x".equals(r.get(dual.column("exec_prot")))
                && Integer.valueOf(demoPid).equals(r.get(dual.column("writer_pid"))) && "rw-".equals(r.get(dual.column("writable_prot")))),
                "the demo's memfd mapped twice: " + dual.rows());
        // The demo's injection: its POKETEXT, and its pwrite and io_uring write request through the child's memory file,
        // landed in the r-x page its child had from the fork.
        Table pokes = NotebooksRunTest.tableWithColumn(run, "how", "target_prot");
        for (String how : List.of("ptrace POKETEXT", "pwrite64 /proc/PID/mem", "io_uring_write /proc/PID/mem")) {
            assertTrue(pokes.rows().stream().anyMatch(r -> Integer.valueOf(demoPid).equals(r.get(pokes.column("pid")))
                    && how.equals(r.get(pokes.column("how"))) && "r-x".equals(r.get(pokes.column("target_prot")))
                    && "[anonymous]".equals(r.get(pokes.column("target_region"))) && "fork".equals(r.get(pokes.column("region_made_by")))
                    && Boolean.FALSE.equals(r.get(pokes.column("failed")))), "the demo's " + how + ": " + pokes.rows());
        }
        // ... the io_uring request with what its completion reports written
        assertTrue(pokes.rows().stream().anyMatch(r -> Integer.valueOf(demoPid).equals(r.get(pokes.column("pid")))
                && "io_uring_write /proc/PID/mem".equals(r.get(pokes.column("how"))) && r.get(pokes.column("bytes")) instanceof Long n
                && n > 0 && n.equals(r.get(pokes.column("len")))), "the demo's io_uring write, with its result: " + pokes.rows());
        // ... and its copy staged with process_vm_writev in two ranges of the child's writable data: a row for each range,
        // with the bytes written there (4, and the rest of the code)
        for (int part : List.of(0, 1)) {
            assertTrue(pokes.rows().stream().anyMatch(r -> Integer.valueOf(demoPid).equals(r.get(pokes.column("pid")))
                    && "process_vm_writev".equals(r.get(pokes.column("how"))) && Integer.valueOf(part).equals(r.get(pokes.column("part")))
                    && "rw-".equals(r.get(pokes.column("target_prot"))) && r.get(pokes.column("bytes")) instanceof Long n
                    && (part == 0 ? n == 4 : n > 0)), "the demo's process_vm_writev, range " + part + ": " + pokes.rows());
        }
        // ... and the same code written again through its child's memory file: the open, with the child as target
        Table tracing = NotebooksRunTest.tableWithColumn(run, "what", "target_pid");
        assertTrue(tracing.rows().stream().anyMatch(r -> Integer.valueOf(demoPid).equals(r.get(tracing.column("pid")))
                && "open /proc/PID/mem for writing".equals(r.get(tracing.column("what"))) && r.get(tracing.column("target_pid")) != null),
                "the demo's open of its child's memory file: " + tracing.rows());
        // The demo's child under READ_IMPLIES_EXEC: an mmap that asked for rw- and got rwx
        Table rie = NotebooksRunTest.tableWithColumn(run, "asked", "got");
        assertTrue(rie.rows().stream().anyMatch(r -> "mmap".equals(r.get(rie.column("syscall")))
                && "rw-".equals(r.get(rie.column("asked"))) && "rwx".equals(r.get(rie.column("got")))
                && "[anonymous]".equals(r.get(rie.column("backed_by")))), "the demo's RWX page without PROT_EXEC: " + rie.rows());
        // ... and the personality call that set it (named so in the export: it was "syscall_135" until 2026-12-08)
        assertTrue(rie.rows().stream().anyMatch(r -> "personality".equals(r.get(rie.column("syscall")))
                && "persona 0x400000".equals(r.get(rie.column("asked")))), "the demo's personality call: " + rie.rows());
        // Other processes on the machine may raise thousands of alerts (the page keeps the first rows): ask for the demo's.
        assertEquals(Set.of(List.of("Mmaped region with W+E permissions!"), List.of("Protection changed to Executable!"),
                List.of("Protection changed from E to W+E!"), List.of("Protection changed from W+E to E!")),
            query("SELECT DISTINCT alert FROM mem_prot_alert WHERE pid = " + demoPid));
        // the page renders from real data too (the browser test covers the fixture)
        String html = HtmlReport.render(run, List.of(export.toString()), Instant.now());
        assertTrue(html.contains("<svg class=\"chart\""));
    }

    @Test
    void processRunsForTheDemoPid() throws Exception {
        Run run = run("process", Map.of("pid", Integer.toString(demoPid)));
        assertEquals(List.of(), problems(run));
        Table tree = NotebooksRunTest.tableWithColumn(run, "pid_tree");
        assertTrue(tree.totalRows() >= 3, "the demo, its child and the shell: " + tree.rows());
        Table map = NotebooksRunTest.tableWithColumn(run, "alert_region");
        assertTrue(map.rows().stream().anyMatch(r -> Boolean.TRUE.equals(r.get(map.column("alert_region")))),
            "each alert's own region is in the map at its time");
        // The map at the first alert spells the hidden flags as smaps does: libc's RELRO part is charged ("ac")
        Table first = NotebooksRunTest.tableWithColumn(run, "vm_flags", "sharing");
        assertTrue(first.rows().stream().anyMatch(r -> "ac".equals(r.get(first.column("vm_flags")))
                && String.valueOf(r.get(first.column("path"))).contains("libc")), "libc's RELRO part: " + first.rows());
        // Its writes into its child: PTRACE_POKETEXT (4) into r-x memory, and pwrite64 through its memory file
        Table writes = NotebooksRunTest.tableWithColumn(run, "writer", "ptrace_request");
        assertTrue(writes.rows().stream().anyMatch(r -> Integer.valueOf(demoPid).equals(r.get(writes.column("writer")))
                && Long.valueOf(4).equals(r.get(writes.column("ptrace_request"))) && "r-x".equals(r.get(writes.column("target_prot")))),
                "the demo's writes into its child: " + writes.rows());
        for (String call : List.of("pwrite64", "io_uring_write")) {
            assertTrue(writes.rows().stream().anyMatch(r -> Integer.valueOf(demoPid).equals(r.get(writes.column("writer")))
                    && call.equals(r.get(writes.column("syscall"))) && "r-x".equals(r.get(writes.column("target_prot")))),
                    "the demo's " + call + " through its child's memory file: " + writes.rows());
        }
    }

    @Test
    void fleetRunsOnOneHost() throws Exception {
        assertEquals(List.of(), problems(run("fleet", Map.of())));
    }

    private static Set<List<Object>> query(String sql) throws Exception {
        Set<List<Object>> out = new HashSet<>();
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:")) {
            new ExportCatalog(List.of(export)).defineViews(conn);
            try (var st = conn.createStatement(); var rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) row.add(rs.getObject(i));
                    out.add(row);
                }
            }
        }
        return out;
    }
}
