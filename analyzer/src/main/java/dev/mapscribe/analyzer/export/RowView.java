package dev.mapscribe.analyzer.export;

import dev.mapscribe.formats.tables.TableSchema;
import java.util.List;

/** Read access to the row just completed, for the sinks that write the same row elsewhere (JSONL). */
public interface RowView {
    TableSchema schema();

    boolean isNull(int col);

    boolean getBool(int col);

    int getInt(int col);

    /** INT64 and TIMESTAMP_NS columns (and INT32, widened). */
    long getLong(int col);

    /** STRING columns; the host column returns the writer's host. */
    String getString(int col);

    List<String> getStrings(int col);

    default String stringOrNull(int col) {
        return isNull(col) ? null : getString(col);
    }
}
