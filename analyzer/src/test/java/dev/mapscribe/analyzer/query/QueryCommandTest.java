package dev.mapscribe.analyzer.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.cli.QueryCommand;
import dev.mapscribe.analyzer.export.TableWriter;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import dev.mapscribe.recorder.cli.Cli;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mapscribe query} end to end over real Parquet written by TableWriter, read by real DuckDB. */
class QueryCommandTest {
    static final long UTC = 1_732_375_000_123_456_789L; // 2024-11-23 15:16:40.123456789 UTC

    @TempDir
    Path tmp;
    Path web1;
    Path db2;

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void twoHosts() throws Exception {
        web1 = Files.createDirectory(tmp.resolve("web1-out"));
        db2 = Files.createDirectory(tmp.resolve("db2-out"));
        writeAlerts(web1, "web1", List.<Object[]>of(
                new Object[] {100L, 42, "Protection changed to Executable!", 5, 3, "/usr/lib/libjit.so"},
                new Object[] {200L, 42, "Mmaped region with W+E permissions!", 7, null, null}));
        writeAlerts(db2, "db2", List.<Object[]>of(
                new Object[] {150L, 7, "Protection changed from W+E to E!", 5, 7, "a,\"b\""}));
    }

    private static void writeAlerts(Path out, String host, List<Object[]> rows) throws Exception {
        TableSchema t = Tables.MEM_PROT_ALERT;
        try (TableWriter w = TableWriter.open(out, t, host)) {
            for (Object[] r : rows) {
                long ts = (Long) r[0];
                w.row().setLong(t.col("ts_ns"), ts).setLong(t.col("utc_time"), UTC + ts)
                        .setInt(t.col("pid"), (Integer) r[1]).setInt(t.col("tid"), (Integer) r[1]).setString(t.col("comm"), "jit")
                        .setString(t.col("alert"), (String) r[2]).setInt(t.col("alert_id"), 1).setString(t.col("syscall"), "mprotect")
                        .setLong(t.col("addr"), 0x7f0000001000L).setLong(t.col("len"), 4096).setInt(t.col("prot"), (Integer) r[3])
                        .setString(t.col("pathname"), (String) r[5])
                        .setLong(t.col("syscall_addr"), 0x7f0000001000L).setLong(t.col("syscall_len"), 4096)
                        .setIntOrNull(t.col("prev_prot"), (Integer) r[4]).setBool(t.col("pathname_truncated"), false)
                        .setBool(t.col("exe_path_truncated"), false).end();
            }
        }
    }

    Run query(boolean terminal, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        StringWriter usage = new StringWriter();
        QueryCommand cmd = new QueryCommand(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), terminal);
        CommandLine cl = Cli.commandLine(cmd);
        cl.setErr(new PrintWriter(usage, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + usage);
    }

    static final String SQL = "SELECT host, pid, alert, prev_prot, pathname, utc_time FROM mem_prot_alert ORDER BY ts_ns";

    @Test
    void tableOnATerminalIsAligned() {
        Run r = query(true, "", web1.toString(), db2.toString(), SQL);
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                 host | pid | alert                               | prev_prot | pathname           | utc_time
                ------+-----+-------------------------------------+-----------+--------------------+-------------------------------
                 web1 |  42 | Protection changed to Executable!   |         3 | /usr/lib/libjit.so | 2024-11-23 15:16:40.123456889
                 db2  |   7 | Protection changed from W+E to E!   |         7 | a,"b"              | 2024-11-23 15:16:40.123456939
                 web1 |  42 | Mmaped region with W+E permissions! |      NULL | NULL               | 2024-11-23 15:16:40.123456989
                (3 rows)
                """, r.out());
    }

    @Test
    void csvForPipes() {
        Run r = query(false, "", web1.toString(), db2.toString(), SQL);
        assertEquals(0, r.exit(), r.err());
        assertEquals("host,pid,alert,prev_prot,pathname,utc_time\r\n"
                + "web1,42,Protection changed to Executable!,3,/usr/lib/libjit.so,2024-11-23 15:16:40.123456889\r\n"
                + "db2,7,Protection changed from W+E to E!,7,\"a,\"\"b\"\"\",2024-11-23 15:16:40.123456939\r\n"
                + "web1,42,Mmaped region with W+E permissions!,,,2024-11-23 15:16:40.123456989\r\n", r.out());
    }

    @Test
    void jsonKeepsNumbersAndNulls() {
        Run r = query(false, "", "--format", "json", web1.toString(), db2.toString(), SQL + " LIMIT 2 OFFSET 1");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                [
                {"host":"db2","pid":7,"alert":"Protection changed from W+E to E!","prev_prot":7,"pathname":"a,\\"b\\"","utc_time":"2024-11-23 15:16:40.123456939"},
                {"host":"web1","pid":42,"alert":"Mmaped region with W+E permissions!","prev_prot":null,"pathname":null,"utc_time":"2024-11-23 15:16:40.123456989"}
                ]
                """, r.out());
    }

    @Test
    void jsonlIsOneObjectPerLine() {
        Run r = query(false, "", "--format", "jsonl", web1.toString(), "SELECT pid, [1, 2] AS l, true AS b FROM mem_prot_alert ORDER BY ts_ns");
        assertEquals(0, r.exit(), r.err());
        assertEquals("{\"pid\":42,\"l\":[1,2],\"b\":true}\n{\"pid\":42,\"l\":[1,2],\"b\":true}\n", r.out());
    }

    @Test
    void anSqlErrorIsOneLineAndExitCodeOne() {
        Run r = query(false, "", web1.toString(), "SELECT nope FROM mem_prot_alert");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("mapscribe: SQL error: Binder Error: Referenced column \"nope\" not found"), r.err());
    }

    /** Offline: DuckDB does not fetch an extension from the internet for a query that needs one (httpfs here). */
    @Test
    void aQueryThatNeedsAnExtensionFromTheInternetFailsWithoutTryingToDownloadIt() {
        Run r = query(false, "", web1.toString(), "SELECT * FROM read_csv('https://example.com/x.csv')");
        assertEquals(1, r.exit());
        assertEquals("mapscribe: SQL error: Missing Extension Error: File https://example.com/x.csv requires the extension "
                + "httpfs to be loaded\n", r.err(), "autoinstall would have said it tried to install httpfs");
    }

    @Test
    void aScriptFileRunsEveryStatement() throws Exception {
        Path file = tmp.resolve("q.sql");
        Files.writeString(file, """
                -- counts; per host
                CREATE TEMP TABLE c AS SELECT host, count(*) AS n FROM mem_prot_alert GROUP BY host;
                SELECT host || ';' AS h, n FROM c ORDER BY host;
                """);
        Run r = query(false, "", web1.toString(), db2.toString(), "--file", file.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("h,n\r\ndb2;,1\r\nweb1;,2\r\n", r.out());
    }

    @Test
    void sqlFromStandardInputWhenPiped() {
        Run r = query(false, "SELECT count(*) AS n FROM mem_prot_alert;", web1.toString(), db2.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("n\r\n3\r\n", r.out());
    }

    @Test
    void absentTablesAreEmptyNotErrors() {
        Run r = query(false, "", web1.toString(), "SELECT count(*) AS n, min(valid_to_ns) AS m FROM regions");
        assertEquals(0, r.exit(), r.err());
        assertEquals("n,m\r\n0,\r\n", r.out());
    }

    @Test
    void usageErrorsExitTwo() {
        Run r = query(false, "", "/no/such/dir", web1.toString(), "SELECT 1");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("not an export directory: /no/such/dir"), r.err());
        Run bad = query(false, "", "--format", "xml", web1.toString(), "SELECT 1");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("unknown format 'xml'"), bad.err());
    }

    @Test
    void theHelpAndTheShellsHelpNameEveryTable() {
        String help = Cli.commandLine(new QueryCommand(System.out, System.err, new ByteArrayInputStream(new byte[0]), false))
                .getUsageMessage().replaceAll("\\s+", " ");
        Run shell = query(true, ".help\n.quit\n", web1.toString());
        for (TableSchema t : Tables.ALL) {
            assertTrue(help.contains(t.name() + ",") || help.contains(t.name() + ")"), t.name() + " in " + help);
            assertTrue(shell.out().contains(t.name()), t.name() + " in " + shell.out());
        }
    }

    @Test
    void theShellRunsMultiLineStatementsDotCommandsAndHistory() {
        String input = String.join("\n",
                ".tables",
                "SELECT host, count(*) AS n",
                "FROM mem_prot_alert",
                "GROUP BY host ORDER BY host;",
                "SELEC 1;",
                ".schema losses",
                ".format csv",
                "!1",
                ".history",
                ".quit",
                "SELECT 'not reached';") + "\n";
        Run r = query(true, input, web1.toString(), db2.toString());
        assertEquals(0, r.exit(), r.err());
        String out = r.out();
        assertTrue(out.contains("regions          (no files: empty)"), out);
        assertTrue(out.contains("\nmem_prot_alert\n"), out);
        assertTrue(out.contains(" db2  | 1\n web1 | 2\n(2 rows)"), out);
        assertTrue(out.contains("  source                 VARCHAR       NOT NULL"), out);
        assertTrue(out.contains("host,n\r\ndb2,1\r\nweb1,2\r\n"), out); // !1 again, now as csv
        assertTrue(out.contains("   2  SELEC 1;"), out);
        assertTrue(!out.contains("not reached"), out);
        assertEquals(List.of("Error: Parser Error: syntax error at or near \"SELEC\""), new ArrayList<>(r.err().lines().toList()));
    }

    @Test
    void aMissingSqlFileIsOneClearLine() {
        Path missing = web1.resolveSibling("nope.sql");
        Run r = query(false, "", web1.toString(), "--file", missing.toString());
        assertEquals(1, r.exit());
        assertEquals("mapscribe: cannot read " + missing + ": no such file", r.err().strip());
    }

    @Test
    void aHistoryNumberTooLargeForAnIntIsAnErrorNotTheEndOfTheShell() {
        Run r = query(true, "!99999999999999999999\n!0\nSELECT 41 + 1 AS answer;\n", web1.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("Error: no history entry 99999999999999999999 (.history lists them)",
                "Error: no history entry 0 (.history lists them)"), r.err().lines().toList());
        assertTrue(r.out().contains("42"), r.out());
    }
}
