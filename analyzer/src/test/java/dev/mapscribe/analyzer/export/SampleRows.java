package dev.mapscribe.analyzer.export;

import dev.mapscribe.formats.tables.Column;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Deterministic rows for any table: every column gets a value derived from its position and the
 * row number, nullable columns are null on every third row, and {@code ts_ns} = 1000 + row orders
 * the rows. {@link #expected} renders what DuckDB must give back for a cell, as
 * {@link #selectList} selects it.
 */
public final class SampleRows {
    private SampleRows() {}

    public static final long UTC_BASE = 1_700_000_000_123_456_789L;

    public static void write(Path out, TableSchema table, String host, int rows) throws IOException {
        try (TableWriter w = TableWriter.open(out, table, host)) {
            write(w, rows);
        }
    }

    public static void write(TableWriter w, int rows) {
        TableSchema table = w.table();
        for (int r = 0; r < rows; r++) {
            RowWriter row = w.row();
            for (int c = 0; c < table.size(); c++) {
                Column col = table.column(c);
                if (col.name().equals(Tables.PARTITION_COLUMN)) {
                    continue;
                }
                set(row, c, value(table, c, r));
            }
            row.end();
        }
    }

    /** Sets column {@code c} of the row to {@code v}: Boolean, Integer, Long, String, List or null, as {@link #value} gives. */
    public static void set(RowWriter row, int c, Object v) {
        switch (v) {
            case null -> row.setNull(c);
            case Boolean b -> row.setBool(c, b);
            case Integer i -> row.setInt(c, i);
            case Long l -> row.setLong(c, l);
            case String s -> row.setString(c, s);
            case List<?> l -> row.setStrings(c, l.stream().map(String.class::cast).toList());
            default -> throw new AssertionError(v);
        }
    }

    /** The value of column {@code c} in row {@code r}: Boolean, Integer, Long, String, List or null. */
    public static Object value(TableSchema table, int c, int r) {
        Column col = table.column(c);
        if (col.name().equals("ts_ns")) {
            return 1000L + r;
        }
        if (col.nullable() && (r + c) % 3 == 0) {
            return null;
        }
        return switch (col.type()) {
            case BOOL -> (r + c) % 2 == 0;
            case INT32 -> (c % 4 == 0 ? -1 : 1) * (r * 1000 + c);
            case INT64 -> c % 5 == 0 ? -1L - r : 0x7f00_0000_0000L + r * 4096L + c;
            case STRING -> "v" + c + "-" + r + (r % 2 == 0 ? " ü€ 'quote' \"dq\"" : "");
            case TIMESTAMP_NS -> UTC_BASE + r * 1_000_000_007L + c;
            case LIST_STRING -> r % 2 == 0 ? List.of("a" + r, "b c", "") : List.of();
        };
    }

    /** DuckDB select expression per column giving text or numbers comparable with {@link #expected}. */
    public static String selectList(TableSchema table) {
        StringBuilder b = new StringBuilder();
        for (Column c : table.columns()) {
            if (!b.isEmpty()) {
                b.append(", ");
            }
            switch (c.type()) {
                case TIMESTAMP_NS -> b.append("epoch_ns(").append(c.name()).append(")");
                case LIST_STRING -> b.append("CAST(to_json(").append(c.name()).append(") AS VARCHAR)");
                default -> b.append(c.name());
            }
        }
        return b.toString();
    }

    /** What JDBC's getObject returns for the cell as {@link #selectList} selects it. */
    public static Object expected(TableSchema table, int c, int r, String host) {
        Column col = table.column(c);
        if (col.name().equals(Tables.PARTITION_COLUMN)) {
            return host;
        }
        Object v = value(table, c, r);
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                b.append(i > 0 ? "," : "").append('"').append(l.get(i)).append('"');
            }
            return b.append(']').toString();
        }
        return v;
    }
}
