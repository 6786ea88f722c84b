package dev.mapscribe.analyzer.export;

import dev.mapscribe.formats.tables.Column;
import dev.mapscribe.formats.tables.ColumnType;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * One Parquet part file, written column by column straight from Arrow vectors into parquet-java's
 * column writers: no per-row record assembly (parquet-java's record consumer took a third of the
 * encoding time in the profile, and reading the vectors row by row across columns another quarter).
 * parquet-java still does the encodings, statistics, column indexes, pages, compression and footer.
 *
 * <p>Rows are written in chunks of {@link #CHUNK} per column, then the chunk's records are ended, so
 * parquet-java's page-size checks still run every few thousand rows as with row-by-row writing.
 */
final class ParquetPartWriter implements AutoCloseable {
    static final int CHUNK = 4096;

    private final List<Column> columns;
    private final MessageType schema;
    private final ParquetProperties props;
    private final ParquetFileWriter file;
    private final BytesInputCompressor compressor;
    private final Map<String, String> metadata;
    private final int rowGroupRows;
    private final ColumnDescriptor[] descriptors;

    private ColumnChunkPageWriteStore pages;
    private ColumnWriteStore store;
    private ColumnWriter[] writers;
    private int rowGroupOrdinal;
    private long rowsInGroup;
    private byte[] scratch = new byte[256];

    ParquetPartWriter(Path path, TableSchema table, int rowGroupRows, ZstdCodecFactory codecs) throws IOException {
        this.columns = ParquetSchemas.fileColumns(table);
        this.schema = ParquetSchemas.messageType(table);
        this.rowGroupRows = rowGroupRows;
        // Format v2 pages: 64-bit columns are DELTA_BINARY_PACKED (times, sequence numbers and addresses
        // run on in small steps), which cut the bytes ZSTD must compress by half and the encoding CPU by a
        // quarter (scripts/bench-export). Size statistics (level histograms per value, Parquet 2.10) cost
        // another quarter of the encoding CPU and no reader here uses them.
        ParquetProperties.Builder b = ParquetProperties.builder()
                .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_2_0)
                .withDictionaryEncoding(true)
                .withSizeStatisticsEnabled(false);
        for (Column c : columns) {
            // 64-bit columns are mostly times, sequence numbers and addresses: a dictionary of them
            // never pays off, and testing whether it does cost most of the write time. ZSTD still
            // squeezes the repetitive ones (dev, inode, len). 32-bit columns (pids, protections, flags,
            // syscall numbers) without a dictionary are DELTA_BINARY_PACKED: the dictionary's hash lookup
            // per value cost 1.5-4.7 s of CPU per 10M records, for 0.2 % smaller files (bench-analyze-ab).
            if (c.type() == ColumnType.INT64 || c.type() == ColumnType.TIMESTAMP_NS || c.type() == ColumnType.INT32) {
                b.withDictionaryEncoding(c.name(), false);
            }
        }
        this.props = b.build();
        this.compressor = codecs.getCompressor(CompressionCodecName.ZSTD);
        this.file = new ParquetFileWriter(new LocalOutputFile(path), schema, ParquetFileWriter.Mode.OVERWRITE,
                Long.MAX_VALUE, 0, null, props);
        file.start();
        this.descriptors = schema.getColumns().toArray(new ColumnDescriptor[0]);
        // Fixed metadata only: nothing about the time or the machine of the write, so the same rows
        // give the same bytes (DESIGN.md: the analyzer is deterministic).
        this.metadata = new LinkedHashMap<>();
        metadata.put("writer.model.name", "mapscribe");
        metadata.put("mapscribe.table", table.name());
        metadata.put("mapscribe.schema_version", Integer.toString(Tables.SCHEMA_VERSION));
    }

    /** Rows that still fit in the current row group. */
    long roomInRowGroup() {
        return rowGroupRows - rowsInGroup;
    }

    /** Writes rows [from, to) of the sealed batch; they must fit in the current row group. */
    void write(ArrowBatch batch, int from, int to) throws IOException {
        if (to == from) {
            return;
        }
        if (to - from > roomInRowGroup()) {
            throw new IllegalArgumentException("rows do not fit in the row group");
        }
        if (store == null) {
            startRowGroup();
        }
        for (int start = from; start < to; start += CHUNK) {
            int end = Math.min(to, start + CHUNK);
            for (int c = 0; c < writers.length; c++) {
                writeColumn(batch, c, start, end);
            }
            for (int r = start; r < end; r++) {
                store.endRecord(); // counts rows and, now and then, lets the store cut pages
            }
        }
        rowsInGroup += to - from;
        if (rowsInGroup == rowGroupRows) {
            endRowGroup();
        }
    }

    // One small loop per column type rather than one method for all: each is compiled once, for its own
    // vector class (the one switch of all types was recompiled 7 times in a 1M-record run, ~1 s of C2 time).
    private void writeColumn(ArrowBatch batch, int c, int from, int to) {
        ColumnWriter w = writers[c];
        int def = descriptors[c].getMaxDefinitionLevel(); // the level of a present value
        switch (columns.get(c).type()) {
            case BOOL -> writeBools(w, (BitVector) batch.vector(c), def, from, to);
            case INT32 -> writeInts(w, (IntVector) batch.vector(c), def, from, to);
            case INT64 -> writeLongs(w, (BigIntVector) batch.vector(c), def, from, to);
            case TIMESTAMP_NS -> writeTimestamps(w, (TimeStampNanoVector) batch.vector(c), def, from, to);
            case STRING -> writeStrings(w, (VarCharVector) batch.vector(c), def, from, to);
            case LIST_STRING -> writeList(w, (ListVector) batch.vector(c), def, from, to);
        }
    }

    private static void writeBools(ColumnWriter w, BitVector v, int def, int from, int to) {
        for (int r = from; r < to; r++) {
            if (v.isNull(r)) w.writeNull(0, def - 1);
            else w.write(v.get(r) != 0, 0, def);
        }
    }

    private static void writeInts(ColumnWriter w, IntVector v, int def, int from, int to) {
        for (int r = from; r < to; r++) {
            if (v.isNull(r)) w.writeNull(0, def - 1);
            else w.write(v.get(r), 0, def);
        }
    }

    private static void writeLongs(ColumnWriter w, BigIntVector v, int def, int from, int to) {
        for (int r = from; r < to; r++) {
            if (v.isNull(r)) w.writeNull(0, def - 1);
            else w.write(v.get(r), 0, def);
        }
    }

    private static void writeTimestamps(ColumnWriter w, TimeStampNanoVector v, int def, int from, int to) {
        for (int r = from; r < to; r++) {
            if (v.isNull(r)) w.writeNull(0, def - 1);
            else w.write(v.get(r), 0, def);
        }
    }

    private void writeStrings(ColumnWriter w, VarCharVector v, int def, int from, int to) {
        for (int r = from; r < to; r++) {
            if (v.isNull(r)) w.writeNull(0, def - 1);
            else w.write(bytes(v, r), 0, def);
        }
    }

    /**
     * A list column's levels: repetition 0 starts a row, 1 continues its list; definition
     * {@code def} is a present element, {@code def - 1} an empty list, {@code def - 2} a null list.
     */
    private void writeList(ColumnWriter w, ListVector v, int def, int from, int to) {
        VarCharVector elements = (VarCharVector) v.getDataVector();
        for (int r = from; r < to; r++) {
            if (v.isNull(r)) {
                w.writeNull(0, def - 2);
                continue;
            }
            int start = v.getElementStartIndex(r);
            int end = v.getElementEndIndex(r);
            if (start == end) {
                w.writeNull(0, def - 1);
            }
            for (int i = start; i < end; i++) {
                w.write(bytes(elements, i), i == start ? 0 : 1, def);
            }
        }
    }

    /**
     * The bytes of a string cell, in a scratch array that is reused: parquet-java copies a "reused"
     * Binary whenever it keeps one (dictionary entries, min/max statistics).
     */
    private Binary bytes(VarCharVector v, int r) {
        ArrowBuf offsets = v.getOffsetBuffer();
        int start = offsets.getInt((long) r * 4);
        int len = offsets.getInt((long) (r + 1) * 4) - start;
        if (len > scratch.length) {
            scratch = new byte[Math.max(len, scratch.length * 2)];
        }
        v.getDataBuffer().getBytes(start, scratch, 0, len);
        return Binary.fromReusedByteArray(scratch, 0, len);
    }

    private void startRowGroup() {
        pages = ColumnChunkPageWriteStore.builder()
                .withCompressorProvider(d -> compressor)
                .withSchema(schema)
                .withAllocator(props.getAllocator())
                .withColumnIndexTruncateLength(props.getColumnIndexTruncateLength())
                .withPageWriteChecksumEnabled(props.getPageWriteChecksumEnabled())
                .withRowGroupOrdinal(rowGroupOrdinal++)
                .build();
        store = props.newColumnWriteStore(schema, pages, pages);
        writers = new ColumnWriter[descriptors.length];
        for (int i = 0; i < descriptors.length; i++) {
            writers[i] = store.getColumnWriter(descriptors[i]);
        }
        rowsInGroup = 0;
    }

    private void endRowGroup() throws IOException {
        file.startBlock(rowsInGroup);
        store.flush();
        pages.flushToFileWriter(file);
        file.endBlock();
        store.close();
        pages.close();
        store = null;
        pages = null;
        writers = null;
        rowsInGroup = 0;
    }

    /** Gives the file up after a failure (it keeps its in-progress name and is never a part). */
    void abort() throws IOException {
        compressor.release();
        file.abort();
    }

    /** Ends the last row group and writes the footer. */
    @Override
    public void close() throws IOException {
        if (store != null && rowsInGroup > 0) {
            endRowGroup();
        }
        file.end(metadata);
        compressor.release();
    }
}
