package dev.mapscribe.formats.tables;

/**
 * The value types an exported column can have. Plain Java on purpose: the recorder depends on
 * formats and must not pull Arrow or Parquet in; the analyzer maps each type to Arrow and Parquet.
 *
 * <p>Unsigned 64-bit kernel values (addresses, raw syscall arguments) are stored as INT64 with the
 * same bit pattern: user-space addresses stay below 2^63, and raw arguments keep every bit.
 */
public enum ColumnType {
    /** true/false. Parquet BOOLEAN, DuckDB BOOLEAN. */
    BOOL("BOOLEAN"),
    /** 32-bit signed. Parquet INT32, DuckDB INTEGER. */
    INT32("INTEGER"),
    /** 64-bit signed. Parquet INT64, DuckDB BIGINT. */
    INT64("BIGINT"),
    /** UTF-8 text. Parquet BINARY (STRING), DuckDB VARCHAR. */
    STRING("VARCHAR"),
    /** UTC wall-clock time in nanoseconds since the epoch. Parquet INT64 TIMESTAMP(NANOS), DuckDB TIMESTAMP_NS. */
    TIMESTAMP_NS("TIMESTAMP_NS"),
    /** A list of strings (e.g. argv). Parquet LIST of STRING, DuckDB VARCHAR[]. */
    LIST_STRING("VARCHAR[]");

    private final String duckDbType;

    ColumnType(String duckDbType) {
        this.duckDbType = duckDbType;
    }

    /** The SQL type DuckDB gives this column when it reads our Parquet files. */
    public String duckDbType() {
        return duckDbType;
    }
}
