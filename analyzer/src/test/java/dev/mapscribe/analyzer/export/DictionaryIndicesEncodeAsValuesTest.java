package dev.mapscribe.analyzer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.mapscribe.analyzer.export.parquet.ColumnChunkEncoder;
import dev.mapscribe.formats.tables.ColumnType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * A string column handed to its encoder as Arrow's dictionary encoding (each batch's distinct values and an index
 * per row, as the analyzer's batches hold it) gives the same file, byte for byte, as the same rows handed over as
 * values: the same chunk dictionaries in the same order, the same pages and statistics, the same fallback to
 * DELTA_BYTE_ARRAY once a chunk's dictionary passes 1 MiB, across batches, pages and row groups cut anywhere.
 */
class DictionaryIndicesEncodeAsValuesTest {
    private static final MessageType SCHEMA = MessageTypeParser.parseMessageType("message t { optional binary s (STRING); }");

    @Example
    void aChunkWhoseDictionaryFillsUpEncodesItsLaterPagesAsTheValuesWould() throws Exception {
        // ~2.2 MB of distinct values in one row group: the chunk gives its dictionary up after ~1 MiB of them
        indicesIntoEachBatchsDictionaryEncodeAsTheValuesWould(3000, 1500, 30_000, 7000, 40_000, 1, 42L);
    }

    @Property(tries = 40)
    void indicesIntoEachBatchsDictionaryEncodeAsTheValuesWould(
            @ForAll @IntRange(min = 1, max = 3000) int distinct, @ForAll @IntRange(min = 0, max = 1500) int longest,
            @ForAll @IntRange(min = 1, max = 30_000) int rows, @ForAll @IntRange(min = 1, max = 20_000) int batchRows,
            @ForAll @IntRange(min = 1, max = 40_000) int rowGroupRows, @ForAll @IntRange(min = 0, max = 4) int nullsInFive,
            @ForAll long seed) throws Exception {
        Random random = new Random(seed);
        String[] values = new String[distinct];
        for (int i = 0; i < distinct; i++) {
            values[i] = i + "-" + "xü".repeat(random.nextInt(longest + 1) / 3); // lengths vary, some multi-byte
        }
        List<String> column = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            // skewed: a few values most of the time (as a process's comm is), any value now and then
            column.add(random.nextInt(5) < nullsInFive ? null
                    : values[random.nextBoolean() ? random.nextInt(Math.min(distinct, 4)) : random.nextInt(distinct)]);
        }
        Path dir = Files.createTempDirectory("dict-indices");
        try {
            byte[] asValues = write(dir.resolve("values.parquet"), column, batchRows, rowGroupRows, false);
            byte[] asIndices = write(dir.resolve("indices.parquet"), column, batchRows, rowGroupRows, true);
            assertArrayEquals(asValues, asIndices);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.delete(f);
            }
            Files.delete(dir);
        }
    }

    /** The rows in batches of batchRows, appended in pieces of at most 4,096 rows, cut at row group ends, as ParquetPartWriter does. */
    private static byte[] write(Path path, List<String> column, int batchRows, int rowGroupRows, boolean indices) throws IOException {
        BytesInputCompressor compressor = new ZstdCodecFactory(1).getCompressor(CompressionCodecName.ZSTD);
        ParquetFileWriter file = new ParquetFileWriter(new LocalOutputFile(path), SCHEMA, ParquetFileWriter.Mode.OVERWRITE,
                Long.MAX_VALUE, 0, null, ParquetProperties.builder().withWriterVersion(ParquetProperties.WriterVersion.PARQUET_2_0).build());
        file.start();
        ColumnDescriptor descriptor = SCHEMA.getColumns().getFirst();
        ColumnChunkEncoder encoder = ColumnChunkEncoder.forColumn(descriptor, ColumnType.STRING, compressor);
        int inGroup = 0;
        try (BufferAllocator allocator = new RootAllocator()) {
            for (int b = 0; b * batchRows < column.size(); b++) {
                List<String> batch = column.subList(b * batchRows, Math.min(column.size(), (b + 1) * batchRows));
                try (VarCharVector rowValues = new VarCharVector("s", allocator);
                     VarCharVector dictionary = new VarCharVector("d", allocator);
                     IntVector rowIndices = new IntVector("s", allocator)) {
                    fill(batch, rowValues, dictionary, rowIndices);
                    for (int at = 0; at < batch.size(); ) {
                        int end = Math.min(batch.size(), Math.min(at + 4096, at + rowGroupRows - inGroup));
                        if (indices) {
                            encoder.appendIndices(rowIndices, dictionary, b, at, end);
                        } else {
                            encoder.append(rowValues, at, end);
                        }
                        encoder.endPageIfFull();
                        inGroup += end - at;
                        at = end;
                        if (inGroup == rowGroupRows) {
                            file.startBlock(inGroup);
                            encoder.writeChunk(file);
                            file.endBlock();
                            inGroup = 0;
                        }
                    }
                }
            }
        }
        if (inGroup > 0) {
            file.startBlock(inGroup);
            encoder.writeChunk(file);
            file.endBlock();
        }
        file.end(Map.of());
        compressor.release();
        return Files.readAllBytes(path);
    }

    /** The batch as values, and as a dictionary of its distinct values in order of first appearance with an index per row. */
    private static void fill(List<String> batch, VarCharVector values, VarCharVector dictionary, IntVector indices) {
        Map<String, Integer> index = new HashMap<>();
        for (int r = 0; r < batch.size(); r++) {
            String v = batch.get(r);
            if (v == null) {
                values.setNull(r);
                indices.setNull(r);
                continue;
            }
            byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
            values.setSafe(r, bytes);
            int i = index.computeIfAbsent(v, k -> {
                dictionary.setSafe(index.size(), bytes);
                return index.size();
            });
            indices.setSafe(r, i);
        }
        values.setValueCount(batch.size());
        indices.setValueCount(batch.size());
        dictionary.setValueCount(index.size());
    }
}
