package dev.mapscribe.analyzer.query;

import dev.mapscribe.formats.tables.Column;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The DuckDB views over one or more exports (OUT directories, e.g. one per host): one view per
 * table of {@link Tables}, reading every {@code OUT/<table>/**}{@code /*.parquet} of every directory
 * with hive partitioning. A table that no directory has becomes an empty view with the table's
 * columns, so queries over a partial export still run (a glob that matches nothing would fail).
 * Used by {@code mapscribe query}, the notebooks and the report.
 */
public final class ExportCatalog {
    private final List<Path> exports;

    public ExportCatalog(List<Path> exports) {
        if (exports.isEmpty()) {
            throw new IllegalArgumentException("no export directory given");
        }
        this.exports = List.copyOf(exports);
    }

    public List<Path> exports() {
        return exports;
    }

    /** Defines (or redefines) every view on {@code connection}. */
    public void defineViews(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            for (String sql : viewStatements()) {
                s.execute(sql);
            }
        }
    }

    /** The CREATE VIEW statements, one per table, in {@link Tables#ALL} order. */
    public List<String> viewStatements() {
        List<String> out = new ArrayList<>();
        for (TableSchema t : Tables.ALL) {
            out.add("CREATE OR REPLACE VIEW " + t.name() + " AS " + viewQuery(t));
        }
        return out;
    }

    /** The directories among the exports that hold at least one Parquet file of {@code table}. */
    public List<Path> directoriesWith(TableSchema table) {
        List<Path> out = new ArrayList<>();
        for (Path export : exports) {
            Path dir = export.resolve(table.name());
            if (hasParquet(dir)) {
                out.add(dir);
            }
        }
        return out;
    }

    private String viewQuery(TableSchema t) {
        List<Path> dirs = directoriesWith(t);
        if (dirs.isEmpty()) {
            return emptyQuery(t);
        }
        StringBuilder globs = new StringBuilder();
        for (Path dir : dirs) {
            if (!globs.isEmpty()) {
                globs.append(", ");
            }
            globs.append(literal(dir.toAbsolutePath().normalize() + "/**/*.parquet"));
        }
        // host first, as in the table definition; the host partition is always text (a host named
        // "2024" must not turn the column into a number); union_by_name lets older exports with
        // fewer columns be read with newer ones.
        return "SELECT " + Tables.PARTITION_COLUMN + ", * EXCLUDE (" + Tables.PARTITION_COLUMN + ") FROM read_parquet(["
                + globs + "], hive_partitioning = true, union_by_name = true, hive_types = {'"
                + Tables.PARTITION_COLUMN + "': VARCHAR})";
    }

    private static String emptyQuery(TableSchema t) {
        StringBuilder b = new StringBuilder("SELECT ");
        List<Column> columns = t.columns();
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append("CAST(NULL AS ").append(columns.get(i).type().duckDbType()).append(") AS ").append(columns.get(i).name());
        }
        return b.append(" WHERE false").toString();
    }

    private static boolean hasParquet(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".parquet") && Files.isRegularFile(p));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** An SQL string literal. */
    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
