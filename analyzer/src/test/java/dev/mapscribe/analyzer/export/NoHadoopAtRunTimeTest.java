package dev.mapscribe.analyzer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hadoop-common is only `provided` (compile time): the writer must work without it, as in the shaded
 * jar. The test's own class path has it, so this runs the writer in a child JVM whose class path is
 * the test's minus Hadoop, and reads the result with DuckDB.
 */
class NoHadoopAtRunTimeTest {
    @TempDir
    Path out;

    @Test
    void parquetIsWrittenWithoutHadoopOnTheClassPath() throws Exception {
        String full = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> entries = Arrays.asList(full.split(File.pathSeparator));
        assertTrue(entries.stream().anyMatch(e -> e.contains("parquet-hadoop")), "class path without parquet: " + full);
        assertTrue(entries.stream().anyMatch(e -> e.contains("/org/apache/hadoop/")), "Hadoop should be on the test class path, else this test proves nothing");
        String withoutHadoop = String.join(File.pathSeparator, entries.stream().filter(e -> !e.contains("/org/apache/hadoop/")).toList());

        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", withoutHadoop, ExportBenchmark.class.getName(), "0.02", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("hadoop on class path: no"), output);

        Path part = out.resolve("zstd1/syscalls/host=bench/part-00000.parquet");
        assertTrue(Files.exists(part), output);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT syscall), max(seq) FROM read_parquet('" + part + "')")) {
            assertTrue(rs.next());
            assertEquals(20_000, rs.getLong(1));
            assertEquals(3, rs.getLong(2));
            assertEquals(19_999, rs.getLong(3));
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT DISTINCT compression FROM parquet_metadata('" + part + "')")) {
            assertTrue(rs.next());
            assertEquals("ZSTD", rs.getString(1));
        }
    }
}
