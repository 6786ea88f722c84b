package dev.mapscribe.analyzer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.report.ExportFixture;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.mapscribe.recorder.cli.Cli;
import picocli.CommandLine;

/** The command end to end over a real Parquet export (hive-partitioned by host, as analyze writes it). */
class ReportCommandTest {

    @TempDir
    Path tmp;

    record Outcome(int code, String err) {}

    private Outcome report(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = Cli.commandLine(new ReportCommand());
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Outcome(code, err.toString());
    }

    private Path export() throws Exception {
        Path out = tmp.resolve("out");
        ExportFixture.writeParquetExport(out);
        return out;
    }

    private static Path notebook(String name) {
        return ExportFixture.notebook(name);
    }

    @Test
    void writesTheTriagePageFromAParquetExport() throws Exception {
        Path out = export();
        assertTrue(Files.exists(out.resolve("mmap_exec/host=demo-a")), "the export is hive-partitioned by host");
        Path html = tmp.resolve("pages/triage.html");
        Outcome o = report(notebook("triage").toString(), "--data", out.toString(), "--html", html.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.err().contains("24 queries, 0 failed, 0 empty"), o.err());
        String page = Files.readString(html);
        assertTrue(page.contains("/memfd:mapscribe-demo-jit (deleted)"));
        assertTrue(page.contains("bash-sha256"), "the hashes of what already ran (the files table)");
        assertTrue(page.contains("Protection changed from W+E to E!"));
        assertTrue(page.contains("staged-sha256"), "the hash of the file made executable by mprotect");
        assertTrue(page.contains("rewritten-now-sha256"), "a file overwritten after it was mapped, as it is now");
        assertTrue(page.contains("POKETEXT") && page.contains("/proc/PID/mem"), "the writes into another process");
        assertTrue(page.contains("Processes hidden behind an exited first thread"), "the section of such processes");
    }

    @Test
    void readsSeveralExportsAtOnceAndTakesParameters() throws Exception {
        Path out = export();
        // Split the one export into one directory per host, as two hosts' exports would arrive.
        Path a = tmp.resolve("host-a");
        Path b = tmp.resolve("host-b");
        for (String table : Tables.ALL.stream().map(TableSchema::name).toList()) {
            for (var e : java.util.Map.of("demo-a", a, "demo-b", b).entrySet()) {
                Path from = out.resolve(table).resolve("host=" + e.getKey());
                if (!Files.exists(from)) continue;
                Files.createDirectories(e.getValue().resolve(table));
                Files.move(from, e.getValue().resolve(table).resolve("host=" + e.getKey()));
            }
        }
        Path html = tmp.resolve("p.html");
        Outcome o = report(notebook("process").toString(), "--data", a + "," + b, "--param", "pid=5100", "--html", html.toString());
        assertEquals(0, o.code(), o.err());
        String page = Files.readString(html);
        assertTrue(page.contains("/opt/jdk/bin/java -jar app.jar"), "pid 5100 of host-b was investigated");
        assertTrue(page.contains("pid = 5100"));
    }

    @Test
    void aTableMissingFromTheExportIsEmptyNotAnError() throws Exception {
        Path out = export();
        // A recording without losses may have no losses files at all.
        try (var files = Files.walk(out.resolve("losses"))) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        Outcome o = report(notebook("triage").toString(), "--data", out.toString(), "--html", tmp.resolve("t.html").toString());
        assertEquals(0, o.code(), o.err());
    }

    @Test
    void aMissingDataDirectoryIsOneClearLine() throws Exception {
        Outcome o = report(notebook("triage").toString(), "--data", tmp.resolve("nope").toString(), "--html", tmp.resolve("x.html").toString());
        assertEquals(1, o.code());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().contains("is not a directory"), o.err());
    }

    @Test
    void aMissingNotebookIsOneClearLine() throws Exception {
        Files.createDirectories(tmp.resolve("d"));
        Path missing = tmp.resolve("nope.ipynb");
        Outcome o = report(missing.toString(), "--data", tmp.resolve("d").toString(), "--html", tmp.resolve("x.html").toString());
        assertEquals(1, o.code());
        assertEquals("mapscribe report: no notebook at " + missing, o.err().strip());
    }

    @Test
    void aFileThatIsNotANotebookIsOneClearLine() throws Exception {
        Path bad = tmp.resolve("bad.ipynb");
        Files.writeString(bad, "{ not json");
        Files.createDirectories(tmp.resolve("d"));
        Outcome o = report(bad.toString(), "--data", tmp.resolve("d").toString(), "--html", tmp.resolve("x.html").toString());
        assertEquals(1, o.code());
        assertTrue(o.err().contains("is not a Jupyter notebook: JSON error at line 1"), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
    }

    @Test
    void aParameterTheNotebookDoesNotHaveIsAUsageError() throws Exception {
        Path out = export();
        Outcome o = report(notebook("process").toString(), "--data", out.toString(), "--param", "pdi=5100",
            "--html", tmp.resolve("p.html").toString());
        assertEquals(2, o.code());
        assertEquals("mapscribe report: process.ipynb has no parameter 'pdi' (it has: pid, host, window_ms, max_alerts)", o.err().strip());
    }

    @Test
    void missingOptionsAreAUsageError() throws Exception {
        assertEquals(2, report(notebook("triage").toString()).code());
    }
}
