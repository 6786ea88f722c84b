package dev.mapscribe.analyzer.export;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where an export keeps its files: {@code OUT/<table>/host=<host>/part-NNNNN.parquet} (hive
 * partitioning, so exports of many hosts can be copied into one tree and read together), and the
 * JSONL files of {@code --jsonl} next to the Parquet parts of their table and host.
 */
public final class ExportLayout {
    private ExportLayout() {}

    public static Path tableDir(Path out, String table) {
        return out.resolve(table);
    }

    public static Path hostDir(Path out, String table, String host) {
        return tableDir(out, table).resolve("host=" + partitionValue(host));
    }

    public static String partFileName(int index) {
        return String.format(Locale.ROOT, "part-%05d.parquet", index);
    }

    /**
     * The host as it appears in the directory name. Hive partition values are not escaped by every
     * reader, so anything outside [A-Za-z0-9._-] becomes '_' (host names normally need nothing).
     */
    public static String partitionValue(String host) {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("an export needs a host name");
        }
        StringBuilder b = new StringBuilder(host.length());
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            b.append(plain ? c : '_');
        }
        return b.toString();
    }
}
