package dev.mapscribe.analyzer.query;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints a JDBC result in one of the {@link ResultFormat}s. Values keep their kind: numbers and
 * booleans stay numbers and booleans in JSON, NULL is JSON null / an empty CSV field / "NULL" in a
 * table, lists are JSON arrays; everything else is DuckDB's text for the value.
 */
public final class ResultPrinter {
    private static final JsonFactory JSON = new JsonFactory();

    private final ResultFormat format;
    private final PrintStream out;
    private final int maxCellWidth;

    /**
     * @param maxCellWidth longest cell of a table before it is cut with an ellipsis (a terminal is
     *                     narrow); 0 for no limit
     */
    public ResultPrinter(ResultFormat format, PrintStream out, int maxCellWidth) {
        this.format = format;
        this.out = out;
        this.maxCellWidth = maxCellWidth;
    }

    /** Prints every row; returns the number of rows. */
    public long print(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            names.add(md.getColumnLabel(i));
        }
        try {
            return switch (format) {
                case TABLE -> table(rs, names);
                case CSV -> csv(rs, names);
                case JSON -> json(rs, names, false);
                case JSONL -> json(rs, names, true);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            out.flush();
        }
    }

    /** The value of a cell: null, Boolean, a Number, a List of values, or text. */
    static Object value(ResultSet rs, int i) throws SQLException {
        Object o = rs.getObject(i);
        if (o == null || o instanceof Boolean || o instanceof Number) {
            return o;
        }
        if (o instanceof Array a) {
            List<Object> list = new ArrayList<>();
            for (Object e : (Object[]) a.getArray()) {
                list.add(e == null || e instanceof Boolean || e instanceof Number ? e : String.valueOf(e));
            }
            return list;
        }
        return rs.getString(i);
    }

    private static String text(Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (Object e : l) {
                parts.add(text(e));
            }
            return "[" + String.join(", ", parts) + "]";
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return v.toString();
    }

    private long table(ResultSet rs, List<String> names) throws SQLException {
        int n = names.size();
        List<String[]> rows = new ArrayList<>();
        boolean[] numeric = new boolean[n];
        boolean[] seen = new boolean[n];
        int[] width = new int[n];
        for (int c = 0; c < n; c++) {
            width[c] = names.get(c).length();
        }
        while (rs.next()) {
            String[] cells = new String[n];
            for (int c = 0; c < n; c++) {
                Object v = value(rs, c + 1);
                if (v != null) {
                    numeric[c] = seen[c] ? numeric[c] && v instanceof Number : v instanceof Number;
                    seen[c] = true;
                }
                cells[c] = cut(text(v));
                width[c] = Math.max(width[c], cells[c].length());
            }
            rows.add(cells);
        }
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < n; c++) {
            line.append(c == 0 ? " " : " | ").append(pad(names.get(c), width[c], false));
        }
        out.println(line.toString().stripTrailing());
        line.setLength(0);
        for (int c = 0; c < n; c++) {
            line.append(c == 0 ? "-" : "-+-").append("-".repeat(width[c]));
        }
        out.println(line.append('-'));
        for (String[] cells : rows) {
            line.setLength(0);
            for (int c = 0; c < n; c++) {
                line.append(c == 0 ? " " : " | ").append(pad(cells[c], width[c], numeric[c]));
            }
            out.println(line.toString().stripTrailing());
        }
        out.println("(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)"));
        return rows.size();
    }

    private String cut(String s) {
        String oneLine = s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
        if (maxCellWidth > 0 && oneLine.length() > maxCellWidth) {
            return oneLine.substring(0, maxCellWidth - 1) + "…";
        }
        return oneLine;
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }

    private long csv(ResultSet rs, List<String> names) throws SQLException {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < names.size(); c++) {
            line.append(c == 0 ? "" : ",").append(csvField(names.get(c)));
        }
        out.print(line.append("\r\n"));
        long count = 0;
        while (rs.next()) {
            line.setLength(0);
            for (int c = 0; c < names.size(); c++) {
                Object v = value(rs, c + 1);
                line.append(c == 0 ? "" : ",").append(v == null ? "" : csvField(text(v)));
            }
            out.print(line.append("\r\n"));
            count++;
        }
        return count;
    }

    /** RFC 4180: quoted when it holds a comma, quote, line break or edge blanks; quotes doubled. */
    static String csvField(String s) {
        boolean quote = s.isEmpty() ? false
                : s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0
                        || Character.isWhitespace(s.charAt(0)) || Character.isWhitespace(s.charAt(s.length() - 1));
        return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    private long json(ResultSet rs, List<String> names, boolean lines) throws SQLException, IOException {
        long count = 0;
        // The generator writes into the stream we flush; it must not close System.out.
        JsonGenerator g = JSON.createGenerator(new NonClosing(out));
        g.setRootValueSeparator(null); // objects are separated by our own newlines, not Jackson's blank
        if (!lines) {
            g.writeRaw('[');
        }
        while (rs.next()) {
            if (!lines && count > 0) {
                g.writeRaw(',');
            }
            if (!lines) {
                g.writeRaw('\n');
            }
            g.writeStartObject();
            for (int c = 0; c < names.size(); c++) {
                g.writeFieldName(names.get(c));
                writeJson(g, value(rs, c + 1));
            }
            g.writeEndObject();
            if (lines) {
                g.writeRaw('\n');
            }
            count++;
        }
        if (!lines) {
            g.writeRaw(count > 0 ? "\n]\n" : "]\n");
        }
        g.close();
        return count;
    }

    private static void writeJson(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case Boolean b -> g.writeBoolean(b);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Short s -> g.writeNumber(s);
            case Byte b -> g.writeNumber(b);
            case BigInteger b -> g.writeNumber(b);
            case BigDecimal d -> g.writeNumber(d);
            case Double d when Double.isFinite(d) -> g.writeNumber(d);
            case Float f when Float.isFinite(f) -> g.writeNumber(f);
            case List<?> l -> {
                g.writeStartArray();
                for (Object e : l) {
                    writeJson(g, e);
                }
                g.writeEndArray();
            }
            default -> g.writeString(v.toString()); // text, and NaN/Infinity which JSON has no numbers for
        }
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(PrintStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
