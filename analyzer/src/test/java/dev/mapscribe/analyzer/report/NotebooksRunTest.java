package dev.mapscribe.analyzer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.report.NotebookRunner.CellRun;
import dev.mapscribe.analyzer.report.NotebookRunner.Run;
import dev.mapscribe.analyzer.report.NotebookRunner.Table;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Every SQL cell of every notebook runs against an export-shaped database; cells marked expect_rows return rows. */
class NotebooksRunTest {

    @ParameterizedTest
    @ValueSource(strings = {"triage", "process", "fleet"})
    void everySqlCellRunsAndExpectedRowsArePresent(String name) throws Exception {
        Notebook nb = Notebook.read(ExportFixture.notebook(name));
        Run run;
        try (Connection conn = ExportFixture.open()) {
            run = NotebookRunner.run(nb, conn);
        }
        assertTrue(run.sqlCells().size() >= 6, name + " has only " + run.sqlCells().size() + " SQL cells");
        List<String> problems = new ArrayList<>();
        for (CellRun c : run.sqlCells()) {
            if (c.failed()) problems.add("failed: " + c.error() + "\n" + c.sql());
            if (c.emptyButExpected()) problems.add("no rows where a recording gives some:\n" + c.sql());
        }
        assertEquals(List.of(), problems, name);
    }

    @Test
    void everyNotebookSkipsItsJupyterSetUpCells() throws Exception {
        for (String name : List.of("triage", "process", "fleet")) {
            Notebook nb = Notebook.read(ExportFixture.notebook(name));
            long setups = nb.cells().stream().filter(c -> c instanceof Notebook.Setup).count();
            assertEquals(2, setups, name + ": the %load_ext cell and the read_parquet views cell");
            assertTrue(nb.cells().get(1) instanceof Notebook.Setup, name + ": the first code cell is the jupysql set-up");
        }
    }

    /** In Jupyter the views come from the set-up cell's own list: a table added to the export must be in it. */
    @Test
    void everyNotebooksJupyterSetUpDefinesAViewOfEveryTable() throws Exception {
        List<String> tables = Tables.ALL.stream().map(TableSchema::name).sorted().toList();
        for (String name : List.of("triage", "process", "fleet")) {
            Notebook nb = Notebook.read(ExportFixture.notebook(name));
            String views = nb.cells().stream().filter(c -> c instanceof Notebook.Setup s && s.source().contains("read_parquet"))
                    .map(c -> ((Notebook.Setup) c).source()).findFirst().orElseThrow();
            Matcher list = Pattern.compile("for table in \\[([^\\]]*)\\]").matcher(views);
            assertTrue(list.find(), name + ": no 'for table in [...]' in the views cell");
            List<String> listed = Pattern.compile("\"(\\w+)\"").matcher(list.group(1)).results().map(r -> r.group(1)).sorted().toList();
            assertEquals(tables, listed, name + ": the tables its Jupyter set-up defines views of");
        }
    }

    @Test
    void triageFindsTheMemfdAndTheDeletedFileAndAllFourAlerts() throws Exception {
        Run run = run("triage", Map.of());
        // The child that hid behind its exited first thread, with the alert its other thread raised after
        Table hiders = tableWithColumn(run, "first_thread_exited_ns", "alerts_after");
        assertEquals(Set.of(List.of(7960, 7736, 1L)), rows(hiders, "pid", "ppid", "alerts_after"));
        // prctl(PR_SET_MM): the refused attempt to make /proc/PID/exe name another file, and the moved argv area
        // a program named like a kernel thread (kernel threads have no exe)
        Table kname = tableWithColumn(run, "named", "exe_path");
        assertEquals(Set.of(List.of(5200, "/dev/shm/.m", "kworker/0:2")), rows(kname, "pid", "exe_path", "named"));
        Table setMm = tableWithColumn(run, "what", "new_value");
        assertEquals(Set.of(List.of(7736, "EXE_FILE", "/usr/bin/true", true), List.of(7736, "ARG_START", "0x7ffc64d283a0", false)),
                rows(setMm, "pid", "what", "new_value", "failed"));
        Table notOnDisk = tableWithColumn(run, "mapped_path", "mapped_error");
        Set<Object> paths = column(notOnDisk, "mapped_path");
        assertEquals(Set.of("/memfd:mapscribe-demo-jit (deleted)", "/tmp/mapscribe-demo-A4y7sf (deleted)", "/dev/shm/.x (deleted)",
                "/SYSV00000000 (deleted)", "/memfd:cleaned (deleted)"), paths);
        // A memfd overwritten after it was mapped: no hashes as mapped, its hashes as it is now beside them
        Table rewritten = tableWithColumn(run, "sha256_now");
        assertEquals(Set.of(List.of(7736, "/memfd:cleaned (deleted)", "rewritten-now-sha256")),
                rows(rewritten, "pid", "mapped_path", "sha256_now"));
        // The System V segment attached executable, and kept out of core dumps, has its own section
        Table hidden = tableWithColumn(run, "what", "backed_by");
        assertEquals(Set.of("shmat with SHM_EXEC", "executable, MADV_DONTDUMP", "MADV_DONTDUMP through an io_uring, its result not recorded"),
                column(hidden, "what"));

        // The demo's memfd, mapped shared RW at one address and RX at another: its code writable through the other mapping
        Table dual = tableWithColumn(run, "exec_addr", "writable_addr");
        assertEquals(Set.of(List.of(7736, "/memfd:mapscribe-demo-jit (deleted)", "0x7f7a7f28b000", "r-x", 7736, "0x7f7a7f28c000", "rw-")),
                rows(dual, "pid", "file", "exec_addr", "exec_prot", "writer_pid", "writable_addr", "writable_prot"));

        // The demo's writes into its child's r-x page, by ptrace and through the child's memory file, and its staged copy
        // in two ranges of the child's writable data: each range, and the region it landed in, from the temporal regions table
        Table pokes = tableWithColumn(run, "how", "target_prot");
        assertEquals(Set.of(List.of(7736, "ptrace POKETEXT", 7950, 0, "0x7f7a7f2ea000", 8L, "r-x", "[anonymous]", "fork"),
                        List.of(7736, "pwrite64 /proc/PID/mem", 7950, 0, "0x7f7a7f2ea000", 40L, "r-x", "[anonymous]", "fork"),
                        // the ring's request with its completion's 40 bytes; the write recorded only as it completed: the same row
                        List.of(7736, "io_uring_write /proc/PID/mem", 7950, 0, "0x7f7a7f2ea000", 40L, "r-x", "[anonymous]", "fork"),
                        List.of(7736, "process_vm_writev", 7950, 0, "0x7f7a7f30a000", 4L, "rw-", "[anonymous]", "fork"),
                        List.of(7736, "process_vm_writev", 7950, 1, "0x7f7a7f30a040", 2L, "rw-", "[anonymous]", "fork"),
                        // a write from just before the r-x page into it: both regions it overlapped
                        List.of(7736, "pwrite64 /proc/PID/mem", 7950, 0, "0x7f7a7f2e9ffc", 8L, "rw-", "[anonymous]", "fork"),
                        List.of(7736, "pwrite64 /proc/PID/mem", 7950, 0, "0x7f7a7f2e9ffc", 8L, "r-x", "[anonymous]", "fork")),
                rows(pokes, "pid", "how", "target_pid", "part", "addr", "bytes", "target_prot", "target_region", "region_made_by"));
        Table tracing = tableWithColumn(run, "what", "target_pid");
        assertEquals(Set.of(Arrays.asList(7950, "ptrace TRACEME", null), List.of(7736, "ptrace POKETEXT", 7950),
                        List.of(7736, "open /proc/PID/mem for writing", 7950), List.of(7736, "pwrite64 /proc/PID/mem", 7950),
                        List.of(7736, "io_uring_write /proc/PID/mem", 7950), List.of(7736, "process_vm_writev", 7950)),
                rows(tracing, "pid", "what", "target_pid"));
        // the ring's writes: a request (its completion not counted again) and a write recorded only as it completed
        assertEquals(List.of(List.of(2L, 0L)), tracing.rows().stream()
                .filter(r -> "io_uring_write /proc/PID/mem".equals(r.get(tracing.column("what"))))
                .map(r -> List.of(r.get(tracing.column("calls")), r.get(tracing.column("failed")))).toList());

        // READ_IMPLIES_EXEC: the personality call, and the mmap that asked for rw- and got rwx
        Table rie = tableWithColumn(run, "asked", "got");
        assertEquals(Set.of(Arrays.asList(7736, "personality", "persona 0x400000", null),
                        Arrays.asList(7736, "mmap", "rw-", "rwx")),
                rows(rie, "pid", "syscall", "asked", "got"));

        // the 32-bit call, per process
        Table compat = tableWithColumn(run, "calls", "syscalls", "exe_path");
        assertEquals(Set.of(List.of(7736, "32-bit", 1L, 0L, "mmap"), List.of(7736, "x32", 1L, 1L, "mprotect")),
                rows(compat, "pid", "mode", "calls", "failed", "syscalls"));

        Table timeline = tableWithColumn(run, "alert", "prev_prot");
        assertEquals(Set.of("Mmaped region with W+E permissions!", "Protection changed to Executable!",
            "Protection changed from E to W+E!", "Protection changed from W+E to E!"), column(timeline, "alert"));
        assertEquals(10, timeline.totalRows()); // the demo's nine, and its hidden child's

        // The staged memfd's alert finds its files row although the recorder hashed it with a later ctime; the file
        // mapped private and writable before its flip (no files row) is flagged: what ran may differ from the file.
        Table staged = tableWithColumn(run, "staged_sha256");
        assertEquals(Set.of(List.of("/memfd:mapscribe-demo-staged (deleted)", "staged-sha256", false),
                        Arrays.asList("/tmp/patched.so", null, true)),
                rows(staged, "pathname", "staged_sha256", "private_pages_written"));

        Table wx = tableWithColumn(run, "wx_region_versions");
        assertEquals(Set.of(7736, 5100), column(wx, "pid"), "the demo's RWX page and flip, the JVM's snapshot RWX code cache");
    }

    @Test
    void processDefaultsToTheProcessWithTheMostAlerts() throws Exception {
        Run run = run("process", Map.of());
        assertEquals("0", run.parameters().get("pid"));
        Table who = tableWithColumn(run, "from_snapshot");
        assertEquals(Set.of(7736), column(who, "pid"));
        Table ancestry = tableWithColumn(run, "depth", "command_line");
        assertEquals(List.of(1, 7723, 7736), columnList(ancestry, "pid"), "oldest first");
        Table map = tableWithColumn(run, "alert_region");
        assertTrue(map.rows().stream().anyMatch(r -> Boolean.TRUE.equals(r.get(map.column("alert_region")))));
        // what it wrote into its child: the POKETEXT into r-x memory, the open of the child's memory file, the writes
        // through it into the same r-x memory, the copy staged in its writable data
        Table writes = tableWithColumn(run, "writer", "ptrace_request");
        String code = "0x7f7a7f2ea000", spill = "0x7f7a7f2e9ffc", staged = "0x7f7a7f30a000";
        assertEquals(Set.of(Arrays.asList(7736, "ptrace", 4L, 7950, code, "r-x", null),
                        Arrays.asList(7736, "openat", null, 7950, null, null, "/proc/7950/mem"),
                        Arrays.asList(7736, "pwrite64", null, 7950, code, "r-x", "/proc/7950/mem"),
                        Arrays.asList(7736, "io_uring_write", null, 7950, code, "r-x", "/proc/7950/mem"),
                        // the request's completion: a row of its own, its range the submission's row
                        Arrays.asList(7736, "io_uring_write", null, 7950, code, null, "/proc/7950/mem"),
                        Arrays.asList(7736, "process_vm_writev", null, 7950, staged, "rw-", null),
                        Arrays.asList(7736, "process_vm_writev", null, 7950, "0x7f7a7f30a040", "rw-", null),
                        // the write from just before the code into it: both regions
                        Arrays.asList(7736, "pwrite64", null, 7950, spill, "rw-", "/proc/7950/mem"),
                        Arrays.asList(7736, "pwrite64", null, 7950, spill, "r-x", "/proc/7950/mem")),
                rows(writes, "writer", "syscall", "ptrace_request", "target_pid", "addr", "target_prot", "path"));
    }

    @Test
    void processTakesThePidParameter() throws Exception {
        Run run = run("process", Map.of("pid", "5100"));
        Table who = tableWithColumn(run, "from_snapshot");
        assertEquals(Set.of(5100), column(who, "pid"));
        Table alerts = tableWithColumn(run, "syscall_addr");
        assertEquals(3, alerts.totalRows());
    }

    @Test
    void fleetFindsTheHashSeenOnOneHostOnly() throws Exception {
        Run run = run("fleet", Map.of());
        Table rare = tableWithColumn(run, "example_path");
        Set<Object> rarePaths = column(rare, "example_path");
        assertTrue(rarePaths.contains("/usr/lib/x86_64-linux-gnu/libz.so.1.2.11"), rarePaths.toString());
        assertFalse(rarePaths.contains("/usr/lib/x86_64-linux-gnu/libc.so.6"), "libc has one hash on both hosts: not rare");
        Table perHost = tableWithColumn(run, "wx_mmaps");
        assertEquals(List.of("demo-a", "demo-b"), columnList(perHost, "host"));
    }

    private static Run run(String name, Map<String, String> params) throws Exception {
        try (Connection conn = ExportFixture.open()) {
            return NotebookRunner.run(Notebook.read(ExportFixture.notebook(name)), conn, params);
        }
    }

    /** The first result table having all these columns (the notebooks' cells are told apart by their columns). */
    static Table tableWithColumn(Run run, String... columns) {
        for (CellRun c : run.sqlCells()) {
            if (c.table() != null && c.table().columns().containsAll(List.of(columns))) return c.table();
        }
        throw new AssertionError("no result with columns " + List.of(columns));
    }

    /** The rows of these columns, as lists (nulls kept). */
    static Set<List<Object>> rows(Table t, String... columns) {
        Set<List<Object>> out = new HashSet<>();
        for (List<Object> r : t.rows()) {
            List<Object> v = new ArrayList<>();
            for (String c : columns) v.add(r.get(t.column(c)));
            out.add(v);
        }
        return out;
    }

    private static Set<Object> column(Table t, String name) {
        return new HashSet<>(columnList(t, name));
    }

    private static List<Object> columnList(Table t, String name) {
        int i = t.column(name);
        return t.rows().stream().map(r -> r.get(i)).toList();
    }
}
