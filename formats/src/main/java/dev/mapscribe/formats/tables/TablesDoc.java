package dev.mapscribe.formats.tables;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Renders docs/TABLES.md from {@link Tables}, so the documentation cannot drift from the schemas
 * (TablesDocTest fails when the file in the tree differs from this rendering).
 * Run {@code main} with the path of docs/TABLES.md to regenerate it.
 */
public final class TablesDoc {
    private TablesDoc() {}

    public static String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Exported tables\n\n");
        b.append("Generated from `formats/src/main/java/dev/mapscribe/formats/tables/Tables.java` by `TablesDoc`; do not edit by hand.\n\n");
        b.append("Layout: `OUT/<table>/host=<host>/part-NNNNN.parquet` (hive partitioning, ZSTD, row groups of about 1M rows). ");
        b.append("`host` lives in the directory name, not in the files. `mapscribe query OUT...` defines one DuckDB view per table; ");
        b.append("a table with no files is an empty view with these columns. Schema version ").append(Tables.SCHEMA_VERSION).append(".\n\n");
        b.append("Times: `ts_ns` is the kernel's CLOCK_MONOTONIC in nanoseconds as recorded; `utc_time` is the same instant in UTC. ");
        b.append("Unsigned 64-bit kernel values (addresses, raw arguments) are stored as BIGINT with the same bits. ");
        b.append("Names the kernel hands over as bytes (paths, `comm`, command lines) are UTF-8; a byte that is not part of ");
        b.append("valid UTF-8 reads `\\xNN` (`lib\\xff.so`), so names that differ only there stay distinct.\n\n");
        for (TableSchema t : Tables.ALL) {
            b.append("## ").append(t.name()).append("\n\n").append(t.doc()).append("\n\n");
            b.append("| column | type | null | meaning |\n| --- | --- | --- | --- |\n");
            for (Column c : t.columns()) {
                b.append("| `").append(c.name()).append("` | ").append(c.type().duckDbType()).append(" | ")
                        .append(c.nullable() ? "yes" : "no").append(" | ").append(c.doc().replace("|", "\\|")).append(" |\n");
            }
            b.append('\n');
        }
        return b.toString();
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: TablesDoc docs/TABLES.md");
            System.exit(2);
        }
        Files.writeString(Path.of(args[0]), markdown(), StandardCharsets.UTF_8);
    }
}
