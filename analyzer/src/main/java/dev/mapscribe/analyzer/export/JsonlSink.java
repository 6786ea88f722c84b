package dev.mapscribe.analyzer.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Base of the JSONL writers: one JSON object per row and line, written with Jackson's streaming generator. */
abstract class JsonlSink implements RowSink {
    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private final Path file;
    private final OutputStream stream;
    protected final JsonGenerator g;

    JsonlSink(Path file) throws IOException {
        this.file = file;
        this.stream = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        this.g = JSON.createGenerator(stream);
        g.setRootValueSeparator(null);
    }

    @Override
    public final void accept(RowView row) throws IOException {
        writeObject(row);
        g.writeRaw('\n');
    }

    abstract void writeObject(RowView row) throws IOException;

    @Override
    public void close() throws IOException {
        g.close();
        stream.close();
    }

    @Override
    public void discard() throws IOException {
        try {
            close();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** UTC with all nine fraction digits and a Z, as kunai prints utc_time. */
    static String utc(long epochNs) {
        Instant t = Instant.ofEpochSecond(Math.floorDiv(epochNs, 1_000_000_000L), Math.floorMod(epochNs, 1_000_000_000L));
        return SECONDS.format(t) + String.format(".%09dZ", t.getNano());
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    void stringOrEmpty(String field, RowView row, int col) throws IOException {
        g.writeStringField(field, row.isNull(col) ? "" : row.getString(col));
    }

    void stringOrNull(String field, RowView row, int col) throws IOException {
        if (row.isNull(col)) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, row.getString(col));
        }
    }

    void numberOrNull(String field, RowView row, int col) throws IOException {
        if (row.isNull(col)) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, row.getLong(col));
        }
    }
}
