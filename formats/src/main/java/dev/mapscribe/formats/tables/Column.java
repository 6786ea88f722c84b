package dev.mapscribe.formats.tables;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One column of an exported table.
 *
 * @param name     snake_case, never an SQL reserved word (analysts type these names unquoted)
 * @param type     value type
 * @param nullable whether a row may leave it empty
 * @param doc      one or two sentences for docs/TABLES.md and the query shell's {@code .schema}
 */
public record Column(String name, ColumnType type, boolean nullable, String doc) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    public Column {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(doc, "doc");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("column name must be snake_case: " + name);
        }
        if (doc.isBlank()) {
            throw new IllegalArgumentException("column " + name + " has no doc");
        }
    }
}
