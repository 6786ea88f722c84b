package dev.mapscribe.analyzer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.tables.Column;
import dev.mapscribe.formats.tables.ColumnType;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import com.github.luben.zstd.Zstd;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Part files large enough for several pages per column and for the string dictionaries to give up
 * (60,000 rows of distinct strings: ~1.8 MB per string column, the limit is 1 MiB), read back by
 * DuckDB and by parquet-java's own reader, a second implementation of the format.
 */
class PartFilesReadBackTest {
    static final int ROWS = 60_000;

    @TempDir
    static Path out;
    @TempDir
    static Path bigGroups; // syscalls, 100,000 rows in one row group: its strings pass the dictionary's limit


    @BeforeAll
    static void write() throws Exception {
        for (TableSchema t : Tables.ALL) {
            // Two row groups per file (40,000 and 20,000 rows): a chunk's dictionary is reset between them.
            try (TableWriter w = TableWriter.open(out, t, "web1", new TableWriter.Options(40_000, 16_384, 8_000_000L, 1, true, true))) {
                SampleRows.write(w, ROWS);
            }
        }
        try (TableWriter w = TableWriter.open(bigGroups, Tables.SYSCALLS, "web1", new TableWriter.Options(100_000, 16_384, 8_000_000L, 1, true, true))) {
            SampleRows.write(w, 100_000);
        }
    }

    private static List<Path> parts(TableSchema t) throws Exception {
        return parts(out, t);
    }

    private static List<Path> parts(Path export, TableSchema t) throws Exception {
        try (Stream<Path> s = Files.walk(export.resolve(t.name()))) {
            return s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
        }
    }

    @Test
    void duckDbReadsEveryValueBack() throws Exception {
        try (Connection c = TableWriterDuckDbTest.duckdb(List.of(out)); Statement s = c.createStatement()) {
            for (TableSchema t : Tables.ALL) {
                try (ResultSet rs = s.executeQuery("SELECT " + SampleRows.selectList(t) + " FROM " + t.name() + " ORDER BY ts_ns")) {
                    int r = 0;
                    while (rs.next()) {
                        for (int col = 0; col < t.size(); col++) {
                            assertEquals(SampleRows.expected(t, col, r, "web1"), rs.getObject(col + 1), t.name() + "." + t.column(col).name() + " row " + r);
                        }
                        r++;
                    }
                    assertEquals(ROWS, r, t.name());
                }
            }
        }
    }

    @Test
    void integerExtremesRoundTripThroughDuckDb(@TempDir Path dir) throws Exception {
        // Deltas between these wrap around in 32 and 64 bits: DELTA_BINARY_PACKED must still give them back.
        int[] ints = {Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0, Integer.MAX_VALUE, Integer.MIN_VALUE, 1};
        long[] longs = {Long.MIN_VALUE, Long.MAX_VALUE, -1, 0, Long.MAX_VALUE, Long.MIN_VALUE, 1};
        TableSchema t = Tables.SYSCALLS;
        int pid = t.col("pid");
        int arg0 = t.col("arg0");
        int rows = 3000;
        try (TableWriter w = TableWriter.open(dir, t, "web1")) {
            for (int r = 0; r < rows; r++) {
                RowWriter row = w.row();
                for (int c = 0; c < t.size(); c++) {
                    if (!t.column(c).name().equals(Tables.PARTITION_COLUMN)) {
                        SampleRows.set(row, c, c == pid ? (Object) ints[r % ints.length]
                                : c == arg0 ? (Object) longs[r % longs.length] : SampleRows.value(t, c, r));
                    }
                }
                row.end();
            }
        }
        try (Connection c = TableWriterDuckDbTest.duckdb(List.of(dir)); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pid, arg0 FROM syscalls ORDER BY ts_ns")) {
            for (int r = 0; r < rows; r++) {
                assertTrue(rs.next());
                assertEquals(ints[r % ints.length], rs.getInt(1), "pid row " + r);
                assertEquals(longs[r % longs.length], rs.getLong(2), "arg0 row " + r);
            }
        }
    }

    @Test
    void parquetJavaReadsEveryValueBack() throws Exception {
        for (TableSchema t : Tables.ALL) {
            int r = 0;
            for (Path part : parts(t)) {
                try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(part), readOptions())) {
                    MessageType schema = reader.getFooter().getFileMetaData().getSchema();
                    PageReadStore pages;
                    while ((pages = reader.readNextRowGroup()) != null) {
                        RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema).getRecordReader(pages, new GroupRecordConverter(schema));
                        for (long i = 0; i < pages.getRowCount(); i++, r++) {
                            Group g = records.read();
                            for (int c = 0; c < t.size(); c++) {
                                Column col = t.column(c);
                                if (!col.name().equals(Tables.PARTITION_COLUMN)) {
                                    assertEquals(SampleRows.value(t, c, r), cell(g, col), t.name() + "." + col.name() + " row " + r);
                                }
                            }
                        }
                    }
                }
            }
            assertEquals(ROWS, r, t.name());
        }
    }

    // Plain options and a ZSTD decompressor of our own: parquet-java's defaults reach for Hadoop's codecs.
    private static ParquetReadOptions readOptions() {
        return ParquetReadOptions.builder(new PlainParquetConfiguration()).withCodecFactory(new ZstdDecompressors()).build();
    }

    private static final class ZstdDecompressors implements CompressionCodecFactory {
        @Override
        public BytesInputCompressor getCompressor(CompressionCodecName codec) {
            throw new UnsupportedOperationException();
        }

        @Override
        public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
            assertEquals(CompressionCodecName.ZSTD, codec);
            return new BytesInputDecompressor() {
                @Override
                public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
                    return BytesInput.from(Zstd.decompress(bytes.toByteArray(), uncompressedSize));
                }

                @Override
                public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize) {
                    byte[] in = new byte[compressedSize];
                    input.get(in);
                    output.put(Zstd.decompress(in, uncompressedSize));
                }

                @Override
                public void release() {}
            };
        }

        @Override
        public void release() {}
    }

    private static Object cell(Group g, Column col) {
        String f = col.name();
        if (g.getFieldRepetitionCount(f) == 0) {
            return null;
        }
        return switch (col.type()) {
            case BOOL -> g.getBoolean(f, 0);
            case INT32 -> g.getInteger(f, 0);
            case INT64, TIMESTAMP_NS -> g.getLong(f, 0);
            case STRING -> g.getString(f, 0);
            case LIST_STRING -> {
                Group list = g.getGroup(f, 0);
                List<String> items = new ArrayList<>();
                for (int i = 0; i < list.getFieldRepetitionCount("list"); i++) {
                    items.add(list.getGroup("list", i).getString("element", 0));
                }
                yield items;
            }
        };
    }

    @Test
    void stringColumnsFallBackFromTheirDictionaryAndEveryColumnHasPagesAndAnIndex() throws Exception {
        int fellBack = 0;
        int keptDictionary = 0;
        List<Path> files = new ArrayList<>();
        for (TableSchema t : Tables.ALL) {
            files.addAll(parts(out, t));
        }
        files.addAll(parts(bigGroups, Tables.SYSCALLS));
        for (Path part : files) {
            TableSchema t = Tables.byName(part.getParent().getParent().getFileName().toString());
            try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(part), readOptions())) {
                for (BlockMetaData block : reader.getFooter().getBlocks()) {
                    for (ColumnChunkMetaData chunk : block.getColumns()) {
                        String name = t.name() + "." + chunk.getPath().toDotString() + " in a group of " + block.getRowCount();
                        assertNotNull(reader.readColumnIndex(chunk), name);
                        assertTrue(reader.readOffsetIndex(chunk).getPageCount() >= block.getRowCount() / 25_000, name);
                        if (chunk.getPath().size() == 1 && t.column(t.col(chunk.getPath().toDotString())).type() == ColumnType.STRING
                                && block.getRowCount() >= 40_000) {
                            // The dictionary is given up between appends once its entries pass 1 MiB: well past
                            // it, the chunk's later pages are DELTA_BYTE_ARRAY; short of it, none is.
                            long dictionaryBytes = distinctPlainBytes(t, t.col(chunk.getPath().toDotString()), (int) block.getRowCount());
                            if (dictionaryBytes > 1.3 * (1 << 20)) {
                                assertEquals(Set.of("RLE_DICTIONARY", "DELTA_BYTE_ARRAY"), encodingsOf(chunk), name);
                                fellBack++;
                            } else if (dictionaryBytes < (1 << 20)) {
                                assertEquals(Set.of("RLE_DICTIONARY"), encodingsOf(chunk), name);
                                keptDictionary++;
                            }
                        }
                    }
                }
            }
        }
        assertTrue(fellBack > 0 && keptDictionary > 0, fellBack + " chunks fell back, " + keptDictionary + " kept their dictionary");
    }

    private static long distinctPlainBytes(TableSchema t, int c, int rows) {
        Set<Object> seen = new HashSet<>();
        long bytes = 0;
        for (int r = 0; r < rows; r++) {
            Object v = SampleRows.value(t, c, r);
            if (v != null && seen.add(v)) {
                bytes += 4 + ((String) v).getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return bytes;
    }

    private static Set<String> encodingsOf(ColumnChunkMetaData chunk) {
        Set<String> out = new TreeSet<>();
        chunk.getEncodingStats().getDataEncodings().forEach(e -> out.add(e.name()));
        return out;
    }

    @Test
    void rowGroupStatisticsAreEachColumnsMinAndMax() throws Exception {
        try (Connection c = TableWriterDuckDbTest.duckdb(List.of(out)); Statement s = c.createStatement()) {
            for (TableSchema t : Tables.ALL) {
                for (Column col : t.columns()) {
                    if (col.type() != ColumnType.INT32 && col.type() != ColumnType.INT64 && col.type() != ColumnType.STRING) {
                        continue;
                    }
                    if (col.name().equals(Tables.PARTITION_COLUMN)) {
                        continue;
                    }
                    String part = parts(t).get(0).toString();
                    // Row group 0 holds rows 0..39,999 (ts_ns 1000..40,999).
                    String sql = "SELECT (SELECT stats_min_value || ' ' || stats_max_value || ' ' || stats_null_count FROM parquet_metadata('" + part
                            + "') WHERE row_group_id = 0 AND path_in_schema = '" + col.name() + "'), "
                            + "(SELECT min(" + col.name() + ")::VARCHAR || ' ' || max(" + col.name() + ")::VARCHAR || ' ' || count(*) FILTER (WHERE " + col.name()
                            + " IS NULL) FROM read_parquet('" + part + "') WHERE ts_ns < 41000)";
                    try (ResultSet rs = s.executeQuery(sql)) {
                        rs.next();
                        assertEquals(rs.getString(2), rs.getString(1), t.name() + "." + col.name());
                    }
                }
            }
        }
    }
}
