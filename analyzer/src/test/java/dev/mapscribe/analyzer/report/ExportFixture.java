package dev.mapscribe.analyzer.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * An in-memory DuckDB holding tables shaped like the export's views, with rows that recordings of the
 * demo workload (host demo-a) and of a JIT-running JVM (host demo-b) produce. The lead swaps this for a
 * real recording's export once record and analyze are on main.
 */
public final class ExportFixture {
    private ExportFixture() {}

    public static Connection open() throws SQLException, IOException {
        Connection conn = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement st = conn.createStatement()) {
            for (String resource : new String[] {"export-schema.sql", "export-rows.sql"}) {
                for (String sql : SqlStatements.split(resource(resource))) st.execute(sql);
            }
        }
        return conn;
    }

    /** Writes the fixture as a hive-partitioned Parquet export, OUT/<table>/host=<host>/*.parquet, as analyze does. */
    public static void writeParquetExport(Path out) throws SQLException, IOException {
        try (Connection conn = open(); Statement st = conn.createStatement()) {
            for (String table : new String[] {"mmap_exec", "mem_prot_alert", "syscalls", "processes", "regions", "losses"}) {
                Path dir = out.resolve(table);
                Files.createDirectories(dir);
                st.execute("COPY " + table + " TO '" + dir + "' (FORMAT PARQUET, PARTITION_BY (host), OVERWRITE_OR_IGNORE true)");
            }
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = ExportFixture.class.getResourceAsStream("/report/" + name)) {
            if (in == null) throw new IOException("test resource /report/" + name + " is missing");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The project root: env MAPSCRIBE_ROOT (surefire sets it), else the nearest parent holding bpf/mapscribe.h. */
    public static Path projectRoot() {
        String env = System.getenv("MAPSCRIBE_ROOT");
        if (env != null && Files.exists(Path.of(env, "bpf", "mapscribe.h"))) return Path.of(env);
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("bpf/mapscribe.h"))) return p;
        }
        throw new IllegalStateException("cannot find the project root (no bpf/mapscribe.h above " + Path.of("").toAbsolutePath() + ")");
    }

    public static Path notebook(String name) {
        return projectRoot().resolve("notebooks").resolve(name + ".ipynb");
    }
}
