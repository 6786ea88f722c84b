package dev.mapscribe.formats.tables;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One exported table: its name (the directory under the export and the DuckDB view name), what a
 * row is, and its columns in file order.
 */
public record TableSchema(String name, String doc, List<Column> columns) {

    public TableSchema {
        columns = List.copyOf(columns);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            if (seen.put(columns.get(i).name(), i) != null) {
                throw new IllegalArgumentException("table " + name + " has column " + columns.get(i).name() + " twice");
            }
        }
    }

    /** The position of the named column; writers look positions up once and keep them. */
    public int col(String columnName) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(columnName)) {
                return i;
            }
        }
        throw new IllegalArgumentException("table " + name + " has no column " + columnName);
    }

    public boolean has(String columnName) {
        return columns.stream().anyMatch(c -> c.name().equals(columnName));
    }

    public Column column(int index) {
        return columns.get(index);
    }

    public int size() {
        return columns.size();
    }
}
