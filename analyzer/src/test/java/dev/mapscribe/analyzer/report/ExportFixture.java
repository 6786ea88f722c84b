package dev.mapscribe.analyzer.report;

import dev.mapscribe.analyzer.query.SqlScript;
import dev.mapscribe.formats.tables.Column;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
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
 * An in-memory DuckDB holding the export's tables (columns from formats' {@link Tables}, so a notebook cannot
 * use a column the export does not have), with rows that recordings of the
 * demo workload (host demo-a) and of a JIT-running JVM (host demo-b) produce. The lead swaps this for a
 * real recording's export once record and analyze are on main.
 */
public final class ExportFixture {
    private ExportFixture() {}

    public static Connection open() throws SQLException, IOException {
        Connection conn = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement st = conn.createStatement()) {
            for (TableSchema t : Tables.ALL) st.execute(createTable(t));
            for (String sql : SqlScript.split(resource("export-rows.sql"))) st.execute(sql);
        }
        return conn;
    }

    /** The table as the views show it: every column of formats' table definition, host (the partition) included. */
    private static String createTable(TableSchema t) {
        StringBuilder b = new StringBuilder("CREATE TABLE " + t.name() + " (");
        for (int i = 0; i < t.size(); i++) {
            Column c = t.column(i);
            if (i > 0) b.append(", ");
            b.append(c.name()).append(' ').append(c.type().duckDbType());
        }
        return b.append(')').toString();
    }

    /** Writes the fixture as a hive-partitioned Parquet export, OUT/<table>/host=<host>/*.parquet, as analyze does. */
    public static void writeParquetExport(Path out) throws SQLException, IOException {
        try (Connection conn = open(); Statement st = conn.createStatement()) {
            for (TableSchema t : Tables.ALL) {
                String table = t.name();
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
