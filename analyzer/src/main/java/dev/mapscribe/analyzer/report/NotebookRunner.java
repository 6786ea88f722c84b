package dev.mapscribe.analyzer.report;

import dev.mapscribe.analyzer.query.SqlScript;
import dev.mapscribe.analyzer.report.Notebook.Cell;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a notebook headlessly, as Jupyter would with jupysql: the {@code %%sql} cells in order on one
 * connection, with {@code {{name}}} replaced by the parameter cell's values (or the caller's overrides).
 * A failing cell is recorded with its error and the run goes on, so one bad query does not hide the rest.
 */
public final class NotebookRunner {

    /** Rows kept per result: enough for any chart; the page shows fewer (see HtmlReport). */
    static final int MAX_ROWS = 5000;

    /** A result set, copied out of JDBC. Values are JDBC objects, LISTs and other composites as text. */
    public record Table(List<String> columns, List<String> types, List<List<Object>> rows, long totalRows) {
        public int column(String name) {
            return columns.indexOf(name);
        }
    }

    /**
     * One executed cell. {@code sql} is the text actually run (parameters substituted); {@code table} is the
     * last statement's result (null when it returned none); {@code error} is null when it succeeded.
     */
    public record CellRun(Cell cell, String sql, Table table, String error) {
        public boolean failed() {
            return error != null;
        }

        /** A cell whose metadata says a recording must give rows, and that gave none. */
        public boolean emptyButExpected() {
            return cell instanceof Notebook.Sql s && s.expectRows() && error == null && (table == null || table.totalRows() == 0);
        }
    }

    /** Every cell of the notebook in order (markdown too, so the page can be rendered from this alone). */
    public record Run(Notebook notebook, Map<String, String> parameters, List<CellRun> cells) {
        public List<CellRun> failures() {
            return cells.stream().filter(CellRun::failed).toList();
        }

        public List<CellRun> sqlCells() {
            return cells.stream().filter(c -> c.cell() instanceof Notebook.Sql).toList();
        }
    }

    private NotebookRunner() {}

    public static Run run(Notebook nb, Connection conn) {
        return run(nb, conn, Map.of());
    }

    /** @param overrides parameter values that win over the notebook's parameter cell (from --param) */
    public static Run run(Notebook nb, Connection conn, Map<String, String> overrides) {
        Map<String, String> params = new LinkedHashMap<>(overrides);
        List<CellRun> runs = new ArrayList<>();
        for (Cell cell : nb.cells()) {
            switch (cell) {
                case Notebook.Parameters p -> {
                    params.putAll(p.values());
                    params.putAll(overrides); // the caller's values win, as papermill's -p does
                    runs.add(new CellRun(cell, null, null, null));
                }
                case Notebook.Sql s -> runs.add(runSql(s, conn, params));
                case Notebook.Markdown m -> runs.add(new CellRun(m, null, null, null));
                case Notebook.Setup st -> runs.add(new CellRun(st, null, null, null));
                case Notebook.Other o -> runs.add(new CellRun(o, null, null, null));
            }
        }
        return new Run(nb, Collections.unmodifiableMap(params), List.copyOf(runs));
    }

    /** The names the notebook's parameter cells define: what {@code --param} may set. */
    public static Set<String> parameterNames(Notebook nb) {
        Set<String> names = new LinkedHashSet<>();
        for (Cell c : nb.cells()) if (c instanceof Notebook.Parameters p) names.addAll(p.values().keySet());
        return names;
    }

    private static CellRun runSql(Notebook.Sql cell, Connection conn, Map<String, String> params) {
        String sql;
        try {
            sql = substitute(cell.sql(), params);
        } catch (IllegalArgumentException e) {
            return new CellRun(cell, cell.sql(), null, e.getMessage());
        }
        Table last = null;
        try (Statement st = conn.createStatement()) {
            for (String one : SqlScript.split(sql)) {
                if (st.execute(one)) {
                    try (ResultSet rs = st.getResultSet()) {
                        last = copy(rs);
                    }
                }
            }
            return new CellRun(cell, sql, last, null);
        } catch (SQLException e) {
            return new CellRun(cell, sql, last, oneLine(e.getMessage()));
        }
    }

    private static final Pattern PARAM = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

    /** Replaces {@code {{name}}} as jupysql's template does; an unknown name is an error, not an empty string. */
    static String substitute(String sql, Map<String, String> values) {
        Matcher m = PARAM.matcher(sql);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            if (v == null) throw new IllegalArgumentException("unknown parameter {{" + m.group(1) + "}} (no parameter cell sets it)");
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static Table copy(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<String> columns = new ArrayList<>(n);
        List<String> types = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            columns.add(md.getColumnLabel(i));
            types.add(md.getColumnTypeName(i));
        }
        List<List<Object>> rows = new ArrayList<>();
        long total = 0;
        while (rs.next()) {
            total++;
            if (rows.size() >= MAX_ROWS) continue; // count the rest, keep none of it
            List<Object> row = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) row.add(value(rs.getObject(i)));
            rows.add(row);
        }
        return new Table(List.copyOf(columns), List.copyOf(types), rows, total);
    }

    // JDBC arrays and structs are only valid until the cursor moves: turn them into text now.
    private static Object value(Object o) throws SQLException {
        if (o instanceof Array a) {
            Object[] items = (Object[]) a.getArray();
            List<String> parts = new ArrayList<>(items.length);
            for (Object item : items) parts.add(String.valueOf(value(item)));
            return "[" + String.join(", ", parts) + "]";
        }
        if (o == null || o instanceof Number || o instanceof String || o instanceof Boolean
            || o instanceof java.sql.Timestamp || o instanceof java.time.temporal.Temporal) return o;
        if (o instanceof byte[] b) return java.util.HexFormat.of().formatHex(b);
        return o.toString();
    }

    private static String oneLine(String message) {
        if (message == null) return "SQL error";
        return message.strip().replaceAll("\\s*\\n\\s*", " ");
    }
}
