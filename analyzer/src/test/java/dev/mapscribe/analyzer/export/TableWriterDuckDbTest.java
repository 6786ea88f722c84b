package dev.mapscribe.analyzer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.query.ExportCatalog;
import dev.mapscribe.formats.tables.Column;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows written through TableWriter and read back by real DuckDB through the ExportCatalog views. */
class TableWriterDuckDbTest {
    @TempDir
    Path out;

    static Connection duckdb(List<Path> exports) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:duckdb:");
        new ExportCatalog(exports).defineViews(c);
        return c;
    }

    @Test
    void everyTableRoundTripsEveryValueAndNull() throws Exception {
        roundTrip(TableWriter.Options.defaults(), 50);
    }

    @Test
    void valuesSurviveReusedBatchesRowGroupsAndParts() throws Exception {
        // 7-row batches are refilled many times with shifting null patterns; groups of 20, parts of 45.
        roundTrip(new TableWriter.Options(20, 7, 45, 1, true, true), 200);
    }

    private void roundTrip(TableWriter.Options options, int rows) throws Exception {
        for (TableSchema t : Tables.ALL) {
            try (TableWriter w = TableWriter.open(out, t, "web1", options)) {
                SampleRows.write(w, rows);
            }
        }
        try (Connection c = duckdb(List.of(out)); Statement s = c.createStatement()) {
            for (TableSchema t : Tables.ALL) {
                try (ResultSet rs = s.executeQuery("SELECT " + SampleRows.selectList(t) + " FROM " + t.name() + " ORDER BY ts_ns")) {
                    int r = 0;
                    while (rs.next()) {
                        for (int col = 0; col < t.size(); col++) {
                            Object expected = SampleRows.expected(t, col, r, "web1");
                            Object actual = rs.getObject(col + 1);
                            assertEquals(expected, actual, t.name() + "." + t.column(col).name() + " row " + r);
                        }
                        r++;
                    }
                    assertEquals(rows, r, t.name() + " row count");
                }
            }
        }
    }

    @Test
    void stringObjectsThatTakeTurnsComeBackAsWritten() throws Exception {
        // ArrowBatch keeps each string column's distinct values once per batch and an index per row, found by the
        // String object or by an equal one: objects taking turns (3 of them, and 7), equal copies that are other
        // objects, and nulls between them must each come back as the row's own value, across batches of 16 rows.
        String[] three = {"mmap", "mprotect", "munmap"};
        String[] seven = new String[7];
        for (int i = 0; i < seven.length; i++) seven[i] = "comm-" + i + (i % 2 == 0 ? "-ü" : "");
        TableSchema t = Tables.SYSCALLS;
        int name = t.col("syscall"), comm = t.col("comm"), path = t.col("path");
        int rows = 300;
        try (TableWriter w = TableWriter.open(out, t, "web1", new TableWriter.Options(64, 16, 1000, 1, true, true))) {
            for (int r = 0; r < rows; r++) {
                RowWriter row = w.row();
                for (int c = 0; c < t.size(); c++) {
                    if (!t.column(c).name().equals(Tables.PARTITION_COLUMN)) SampleRows.set(row, c, SampleRows.value(t, c, r));
                }
                row.setString(name, three[r % 3]).setString(comm, seven[r * 5 % 7])
                        .setString(path, r % 4 == 3 ? null : r % 4 == 0 ? new String(seven[r % 7]) : seven[r % 7]);
                row.end();
            }
        }
        try (Connection c = duckdb(List.of(out)); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT syscall, comm, path FROM syscalls ORDER BY ts_ns")) {
            for (int r = 0; r < rows; r++) {
                assertTrue(rs.next(), "row " + r);
                assertEquals(three[r % 3], rs.getString(1), "syscall of row " + r);
                assertEquals(seven[r * 5 % 7], rs.getString(2), "comm of row " + r);
                assertEquals(r % 4 == 3 ? null : seven[r % 7], rs.getString(3), "path of row " + r);
            }
            assertFalse(rs.next());
        }
    }

    @Test
    void duckDbSeesTheDeclaredTypesInTheDeclaredOrder() throws Exception {
        for (TableSchema t : Tables.ALL) {
            SampleRows.write(out, t, "web1", 3);
        }
        try (Connection c = duckdb(List.of(out)); Statement s = c.createStatement()) {
            for (TableSchema t : Tables.ALL) {
                List<String> actual = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("DESCRIBE " + t.name())) {
                    while (rs.next()) {
                        actual.add(rs.getString("column_name") + " " + rs.getString("column_type"));
                    }
                }
                List<String> expected = t.columns().stream().map(col -> col.name() + " " + col.type().duckDbType()).toList();
                assertEquals(expected, actual, t.name());
            }
        }
    }

    @Test
    void timestampsKeepTheirNanosecondsAndNullsStayNull() throws Exception {
        TableSchema t = Tables.PROCESSES;
        long utc = 1_732_375_000_123_456_789L; // 2024-11-23T15:16:40.123456789Z
        try (TableWriter w = TableWriter.open(out, t, "web1")) {
            w.row().setLong(t.col("ts_ns"), 5_000_000_001L).setLong(t.col("utc_time"), utc)
                    .setInt(t.col("pid"), 42).setInt(t.col("tid"), 42).setInt(t.col("execs"), 0)
                    .setBool(t.col("from_snapshot"), false).setLong(t.col("exit_utc"), utc + 1)
                    .setBool(t.col("start_exact"), true).setBool(t.col("exit_recorded"), true)
                    .setBool(t.col("argv_truncated"), false).setBool(t.col("memory_known"), true)
                    .setLong(t.col("records_lost_while_alive"), 0).setBool(t.col("exe_path_truncated"), false)
                    .setBool(t.col("ancestors_truncated"), false).setBool(t.col("leader_exited"), false)
                    .setStrings(t.col("argv"), List.of("/bin/sh", "-c", "echo hi")).end();
        }
        try (Connection c = duckdb(List.of(out)); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT epoch_ns(utc_time), CAST(utc_time AS VARCHAR), epoch_ns(exit_utc), comm, ppid, exe_path, argv[3], len(argv) FROM processes")) {
            assertTrue(rs.next());
            assertEquals(utc, rs.getLong(1));
            assertEquals("2024-11-23 15:16:40.123456789", rs.getString(2));
            assertEquals(utc + 1, rs.getLong(3));
            assertNull(rs.getObject(4));
            assertNull(rs.getObject(5));
            assertNull(rs.getObject(6));
            assertEquals("echo hi", rs.getString(7));
            assertEquals(3, rs.getInt(8));
            assertFalse(rs.next());
        }
    }

    @Test
    void twoHostsExportsAreQueriedTogether() throws Exception {
        Path a = Files.createDirectory(out.resolve("a"));
        Path b = Files.createDirectory(out.resolve("b"));
        SampleRows.write(a, Tables.SYSCALLS, "web1", 10);
        SampleRows.write(b, Tables.SYSCALLS, "db-2", 7);
        SampleRows.write(b, Tables.MEM_PROT_ALERT, "2024", 4); // a numeric-looking host stays text
        try (Connection c = duckdb(List.of(a, b)); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT host, count(*) FROM syscalls GROUP BY host ORDER BY host")) {
                assertTrue(rs.next());
                assertEquals("db-2", rs.getString(1));
                assertEquals(7, rs.getLong(2));
                assertTrue(rs.next());
                assertEquals("web1", rs.getString(1));
                assertEquals(10, rs.getLong(2));
                assertFalse(rs.next());
            }
            try (ResultSet rs = s.executeQuery("SELECT host, count(*) FROM mem_prot_alert WHERE host = '2024' GROUP BY host")) {
                assertTrue(rs.next());
                assertEquals("2024", rs.getString(1));
                assertEquals(4, rs.getLong(2));
            }
        }
    }

    @Test
    void anOlderExportWithFewerColumnsIsReadWithANewerOne() throws Exception {
        Path older = Files.createDirectory(out.resolve("older"));
        Path newer = Files.createDirectory(out.resolve("newer"));
        List<Column> fewer = Tables.LOSSES.columns().stream().filter(c -> !c.name().equals("message")).toList();
        SampleRows.write(older, new TableSchema("losses", "an older schema without message", fewer), "old-host", 4);
        SampleRows.write(newer, Tables.LOSSES, "new-host", 6);
        try (Connection c = duckdb(List.of(older, newer)); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT host, count(*), count(message) FROM losses GROUP BY host ORDER BY host")) {
            assertTrue(rs.next());
            assertEquals("new-host", rs.getString(1));
            assertEquals(6, rs.getLong(2));
            assertEquals(4, rs.getLong(3)); // every third message is null
            assertTrue(rs.next());
            assertEquals("old-host", rs.getString(1));
            assertEquals(4, rs.getLong(2));
            assertEquals(0, rs.getLong(3));
        }
    }

    @Test
    void absentTablesAreEmptyViewsWithTheirColumns() throws Exception {
        SampleRows.write(out, Tables.SYSCALLS, "web1", 2);
        try (Connection c = duckdb(List.of(out)); Statement s = c.createStatement()) {
            for (TableSchema t : Tables.ALL) {
                if (t == Tables.SYSCALLS) {
                    continue;
                }
                try (ResultSet rs = s.executeQuery("SELECT " + SampleRows.selectList(t) + " FROM " + t.name())) {
                    assertEquals(t.size(), rs.getMetaData().getColumnCount());
                    assertFalse(rs.next(), t.name() + " must be empty");
                }
                try (ResultSet rs = s.executeQuery("DESCRIBE " + t.name())) {
                    int i = 0;
                    while (rs.next()) {
                        Column col = t.column(i++);
                        assertEquals(col.name() + " " + col.type().duckDbType(), rs.getString("column_name") + " " + rs.getString("column_type"));
                    }
                    assertEquals(t.size(), i);
                }
            }
        }
    }

    @Test
    void sameRowsGiveIdenticalBytes() throws Exception {
        Path a = out.resolve("a");
        Path b = out.resolve("b");
        for (TableSchema t : Tables.ALL) {
            SampleRows.write(a, t, "web1", 1000);
        }
        Thread.sleep(5); // a clock that leaked into the files would now differ
        for (TableSchema t : Tables.ALL) {
            SampleRows.write(b, t, "web1", 1000);
        }
        List<Path> filesA = parquetFiles(a);
        assertEquals(Tables.ALL.size(), filesA.size());
        for (Path f : filesA) {
            Path other = b.resolve(a.relativize(f));
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(other), f.toString());
        }
    }

    @Test
    void backgroundAndForegroundEncodingGiveTheSameBytes() throws Exception {
        TableWriter.Options small = new TableWriter.Options(300, 128, 700, 1, true, true);
        for (boolean background : new boolean[] {true, false}) {
            Path dir = out.resolve(background ? "bg" : "fg");
            for (TableSchema t : Tables.ALL) {
                TableWriter w = TableWriter.open(dir, t, "web1", small.withBackground(background));
                SampleRows.write(w, 1500);
                w.close();
                assertEquals(3, w.files().size(), t.name());
            }
        }
        List<Path> bg = parquetFiles(out.resolve("bg"));
        assertEquals(3 * Tables.ALL.size(), bg.size());
        for (Path f : bg) {
            Path fg = out.resolve("fg").resolve(out.resolve("bg").relativize(f));
            assertArrayEquals(Files.readAllBytes(fg), Files.readAllBytes(f), f.toString());
        }
    }

    @Test
    void rowGroupsAndPartsRollOverAtTheConfiguredCounts() throws Exception {
        TableWriter.Options small = new TableWriter.Options(100, 64, 250, 1, true, true);
        try (TableWriter w = TableWriter.open(out, Tables.LOSSES, "web1", small)) {
            SampleRows.write(w, 600);
            assertEquals(600, w.rowsWritten());
        }
        Path dir = out.resolve("losses/host=web1");
        assertEquals(List.of("part-00000.parquet", "part-00001.parquet", "part-00002.parquet"), names(dir));
        try (Connection c = duckdb(List.of(out)); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT ts_ns), max(ts_ns) FROM losses")) {
            assertTrue(rs.next());
            assertEquals(600, rs.getLong(1));
            assertEquals(600, rs.getLong(2));
            assertEquals(1599, rs.getLong(3));
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(DISTINCT row_group_id) FROM parquet_metadata('" + dir.resolve("part-00000.parquet") + "')")) {
            assertTrue(rs.next());
            assertEquals(3, rs.getLong(1)); // 250 rows in groups of at most 100
        }
    }

    @Test
    void reopeningReplacesTheHostsPartsButNotOtherHosts() throws Exception {
        SampleRows.write(out, Tables.SYSCALLS, "web1", 10);
        SampleRows.write(out, Tables.SYSCALLS, "web2", 10);
        SampleRows.write(out, Tables.SYSCALLS, "web1", 3);
        try (Connection c = duckdb(List.of(out)); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FILTER (host = 'web1'), count(*) FILTER (host = 'web2') FROM syscalls")) {
            assertTrue(rs.next());
            assertEquals(3, rs.getLong(1));
            assertEquals(10, rs.getLong(2));
        }
    }

    @Test
    void aValueSetAndThenNulledInTheSameRowIsNull() throws Exception {
        // setNull on an untouched cell is a no-op (cells start null); on a cell set earlier in the row it must clear it.
        TableSchema t = Tables.LOSSES;
        try (TableWriter w = TableWriter.open(out, t, "web1", new TableWriter.Options(20, 2, 45, 1, true, true))) {
            for (int i = 0; i < 5; i++) {
                RowWriter r = w.row().setLong(t.col("ts_ns"), i).setLong(t.col("utc_time"), i).setString(t.col("source"), "ringbuf")
                        .setInt(t.col("cpu"), 3).setString(t.col("message"), "gone " + i);
                if (i % 2 == 1) r.setNull(t.col("cpu")).setNull(t.col("message"));
                r.end();
            }
        }
        try (Connection c = duckdb(List.of(out)); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT cpu, message FROM losses ORDER BY ts_ns")) {
            for (int i = 0; i < 5; i++) {
                assertTrue(rs.next());
                assertEquals(i % 2 == 1 ? null : 3, rs.getObject(1), "cpu of row " + i);
                assertEquals(i % 2 == 1 ? null : "gone " + i, rs.getObject(2), "message of row " + i);
            }
            assertFalse(rs.next());
        }
    }

    @Test
    void longStringsGrowTheBatchAndKeepEveryByteAroundNullsAndDroppedRows() throws Exception {
        // Strings far past the batch's first allocation (its data buffer grows while rows are filled), null
        // cells between them, and a dropped row whose string was set before it was refused: its bytes must not
        // leak into the next row.
        TableSchema t = Tables.LOSSES;
        int rows = 300;
        try (TableWriter w = TableWriter.open(out, t, "web1", new TableWriter.Options(1000, 64, 1000, 1, true, true))) {
            for (int i = 0; i < rows; i++) {
                if (i == 100) {
                    RowWriter dropped = w.row().setLong(t.col("ts_ns"), -1).setString(t.col("message"), "dropped".repeat(500));
                    assertThrows(IllegalStateException.class, dropped::end);
                }
                RowWriter r = w.row().setLong(t.col("ts_ns"), i).setLong(t.col("utc_time"), i).setString(t.col("source"), "ringbuf");
                if (i % 3 != 0) {
                    r.setString(t.col("message"), longMessage(i));
                }
                r.end();
            }
        }
        try (Connection c = duckdb(List.of(out)); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT ts_ns, message FROM losses ORDER BY ts_ns")) {
            for (int i = 0; i < rows; i++) {
                assertTrue(rs.next());
                assertEquals(i, rs.getLong(1));
                assertEquals(i % 3 != 0 ? longMessage(i) : null, rs.getString(2), "message of row " + i);
            }
            assertFalse(rs.next());
        }
    }

    private static String longMessage(int i) {
        return (i + ":" + (char) ('a' + i % 26)).repeat(300 + 37 * i);
    }

    @Test
    void aStringSetTwiceInTheSameRowKeepsTheLastValue() throws Exception {
        TableSchema t = Tables.LOSSES;
        try (TableWriter w = TableWriter.open(out, t, "web1")) {
            for (int i = 0; i < 3; i++) {
                w.row().setLong(t.col("ts_ns"), i).setLong(t.col("utc_time"), i).setString(t.col("source"), "ringbuf")
                        .setString(t.col("message"), "first, longer " + i).setString(t.col("message"), "second " + i).end();
            }
        }
        try (Connection c = duckdb(List.of(out)); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT message FROM losses ORDER BY ts_ns")) {
            for (int i = 0; i < 3; i++) {
                assertTrue(rs.next());
                assertEquals("second " + i, rs.getString(1));
            }
            assertFalse(rs.next());
        }
    }

    @Test
    void aRowWithoutARequiredColumnIsRefused() throws Exception {
        TableSchema t = Tables.LOSSES;
        try (TableWriter w = TableWriter.open(out, t, "web1")) {
            RowWriter r = w.row().setLong(t.col("ts_ns"), 1).setLong(t.col("utc_time"), 2);
            IllegalStateException e = assertThrows(IllegalStateException.class, r::end);
            assertTrue(e.getMessage().contains("source"), e.getMessage());
            RowWriter next = w.row();
            assertThrows(IllegalArgumentException.class, () -> next.setString(t.col("cpu"), "x"));
            assertThrows(IllegalArgumentException.class, () -> next.setNull(t.col("source")));
            next.setLong(t.col("ts_ns"), 7).setLong(t.col("utc_time"), 8).setString(t.col("source"), "ringbuf").end();
            assertEquals(1, w.rowsWritten());
        }
        try (Connection c = duckdb(List.of(out)); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT ts_ns, source, cpu FROM losses")) {
            assertTrue(rs.next());
            assertEquals(7, rs.getLong(1));
            assertEquals("ringbuf", rs.getString(2));
            assertNull(rs.getObject(3));
            assertFalse(rs.next());
        }
    }

    @Test
    void noRowsWritesNoFile() throws Exception {
        try (TableWriter w = TableWriter.open(out, Tables.REGIONS, "web1")) {
            assertEquals(0, w.rowsWritten());
        }
        assertEquals(List.of(), names(out.resolve("regions/host=web1")));
    }

    private static List<Path> parquetFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
        }
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
