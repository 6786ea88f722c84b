package dev.mapscribe.analyzer.export;

import dev.mapscribe.analyzer.export.parquet.ColumnChunkEncoder;
import dev.mapscribe.formats.tables.Column;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;

/**
 * One Parquet part file, written column by column straight from Arrow vectors: each column's
 * {@link ColumnChunkEncoder} encodes its pages (format v2), and parquet-java's file writer lays out
 * the row groups, page headers, statistics, column and offset indexes and the footer.
 *
 * <p>Rows are appended in chunks of {@link #CHUNK} per column; a column's page may end between
 * chunks (every ~20,000 rows).
 */
final class ParquetPartWriter implements AutoCloseable {
    static final int CHUNK = 4096;

    private final ParquetFileWriter file;
    private final BytesInputCompressor compressor;
    private final Map<String, String> metadata;
    private final int rowGroupRows;
    private final ColumnChunkEncoder[] encoders;
    private long rowsInGroup;

    ParquetPartWriter(Path path, TableSchema table, int rowGroupRows, ZstdCodecFactory codecs) throws IOException {
        List<Column> columns = ParquetSchemas.fileColumns(table);
        MessageType schema = ParquetSchemas.messageType(table);
        this.rowGroupRows = rowGroupRows;
        // The encoders choose the encodings; the properties still set what the file writer does (page
        // checksums, column index truncation) and size statistics stay off: no reader here uses them.
        ParquetProperties props = ParquetProperties.builder()
                .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_2_0)
                .withSizeStatisticsEnabled(false)
                .build();
        this.compressor = codecs.getCompressor(CompressionCodecName.ZSTD);
        this.file = new ParquetFileWriter(new LocalOutputFile(path), schema, ParquetFileWriter.Mode.OVERWRITE,
                Long.MAX_VALUE, 0, null, props);
        file.start();
        List<ColumnDescriptor> descriptors = schema.getColumns();
        this.encoders = new ColumnChunkEncoder[descriptors.size()];
        for (int i = 0; i < encoders.length; i++) {
            encoders[i] = ColumnChunkEncoder.forColumn(descriptors.get(i), columns.get(i).type(), compressor);
        }
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
        if (to - from > roomInRowGroup()) {
            throw new IllegalArgumentException("rows do not fit in the row group");
        }
        for (int start = from; start < to; start += CHUNK) {
            int end = Math.min(to, start + CHUNK);
            for (int c = 0; c < encoders.length; c++) {
                VarCharVector dictionary = batch.dictionary(c);
                if (dictionary != null) {
                    encoders[c].appendIndices((IntVector) batch.vector(c), dictionary, batch.serial(), start, end);
                } else {
                    encoders[c].append(batch.vector(c), start, end);
                }
                encoders[c].endPageIfFull();
            }
        }
        rowsInGroup += to - from;
        if (rowsInGroup == rowGroupRows) {
            endRowGroup();
        }
    }

    private void endRowGroup() throws IOException {
        file.startBlock(rowsInGroup);
        for (ColumnChunkEncoder e : encoders) {
            e.writeChunk(file);
        }
        file.endBlock();
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
        if (rowsInGroup > 0) {
            endRowGroup();
        }
        file.end(metadata);
        compressor.release();
    }
}
