package dev.mapscribe.analyzer.query;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** An embedded, in-memory DuckDB with the {@link ExportCatalog} views of some exports defined. */
public final class QuerySession implements AutoCloseable {
    private final Connection connection;
    private final ExportCatalog catalog;

    private QuerySession(Connection connection, ExportCatalog catalog) {
        this.connection = connection;
        this.catalog = catalog;
    }

    public static QuerySession open(List<Path> exports) throws SQLException {
        ExportCatalog catalog = new ExportCatalog(exports);
        Connection c = DriverManager.getConnection("jdbc:duckdb:");
        try {
            offline(c);
            catalog.defineViews(c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return new QuerySession(c, catalog);
    }

    /**
     * No network behind the analyst's back: DuckDB would otherwise download an extension it does not carry the
     * first time a query needs one (httpfs for an https:// path: DNS lookups, then a download from the internet).
     * The ones the JDBC jar links in (parquet, json, icu) are loaded already; an explicit INSTALL is still the
     * user's to type.
     */
    private static void offline(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET autoinstall_known_extensions = false");
            s.execute("SET autoload_known_extensions = false");
        }
    }

    public Connection connection() {
        return connection;
    }

    public ExportCatalog catalog() {
        return catalog;
    }

    /** Runs one statement and prints its rows, if it returns any. */
    public void run(String statement, ResultPrinter printer) throws SQLException {
        try (Statement s = connection.createStatement()) {
            if (s.execute(statement)) {
                printer.print(s.getResultSet());
            }
        }
    }

    /** Runs every statement of a script in order; stops at the first error. */
    public void runScript(String script, ResultPrinter printer) throws SQLException {
        for (String statement : SqlScript.split(script)) {
            run(statement, printer);
        }
    }

    /** The first line of a DuckDB error: the part a user reads ("Catalog Error: Table with name x does not exist!"). */
    public static String firstLine(SQLException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        return m.lines().findFirst().orElse(m);
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
