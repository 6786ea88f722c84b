package dev.mapscribe.analyzer.export.parquet;

import dev.mapscribe.formats.tables.ColumnType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.ParquetFileWriter;

/**
 * One column of the row group being written: Arrow cells in, Parquet format v2 data pages out, kept
 * compressed until the row group ends and its columns are written one after the other.
 *
 * <p>Why not parquet-java's column writers: they take every cell through several virtual calls
 * (definition level, value writer, statistics, dictionary fallback): ~405 ns of encoding per
 * {@code syscalls} row against ~235 ns here ({@code scripts/bench-export}, PERFORMANCE.md). Here each
 * column type has one loop over its vector. parquet-java still writes the file: page headers, checksums, column chunk metadata and
 * statistics (merged from each page's), column and offset indexes, and the footer.
 *
 * <p>A page ends after {@link #PAGE_ROWS} rows or {@link #PAGE_BYTES} of values, whichever comes
 * first, checked between appends (parquet-java's defaults: 20,000 rows, 1 MiB).
 */
public abstract class ColumnChunkEncoder {
    public static final int PAGE_ROWS = 20_000;
    public static final int PAGE_BYTES = 1 << 20;

    protected final ColumnDescriptor column;
    /** A flat column that may be null: it has definition levels (1 present, 0 null). */
    protected final boolean optional;
    /** The definition levels of a nested column (a list's); a flat optional column's are {@link #presence}. */
    protected final RleHybridEncoder definitionLevels = new RleHybridEncoder();
    protected final PresenceBits presence = new PresenceBits();
    protected final RleHybridEncoder repetitionLevels = new RleHybridEncoder();
    protected int pageRows;
    protected int pageNulls;
    /** Level entries of the page: its rows for a flat column, its elements and empty or null lists for a list. */
    protected int pageValues;

    private final BytesInputCompressor compressor;
    private final ByteSink data = new ByteSink(1 << 16);
    private final ByteSink levels = new ByteSink(1 << 12);
    private final List<EncodedPage> pages = new ArrayList<>();
    private long chunkValues;

    private record EncodedPage(int rows, int nulls, int values, byte[] repetition, byte[] definition,
                               Encoding encoding, byte[] data, int uncompressedSize, Statistics<?> statistics) {}

    protected ColumnChunkEncoder(ColumnDescriptor column, BytesInputCompressor compressor) {
        this.column = column;
        this.compressor = compressor;
        this.optional = column.getMaxRepetitionLevel() == 0 && column.getMaxDefinitionLevel() > 0;
    }

    /** The encoder for a column of the given type. */
    public static ColumnChunkEncoder forColumn(ColumnDescriptor column, ColumnType type, BytesInputCompressor compressor) {
        return switch (type) {
            case BOOL -> new BooleanColumnEncoder(column, compressor);
            case INT32 -> new IntegerColumnEncoder(column, compressor, true);
            case INT64, TIMESTAMP_NS -> new IntegerColumnEncoder(column, compressor, false);
            case STRING -> new StringColumnEncoder(column, compressor);
            case LIST_STRING -> new StringListColumnEncoder(column, compressor);
        };
    }

    /**
     * Appends rows [from, to) of the vector to the page in progress. Each flat column type writes its
     * definition levels in its own loop, on its own vector class: one shared helper for them, whose
     * {@code isNull} call then saw five vector classes, made the encoding ~15 % slower
     * ({@code scripts/bench-export 5}, 4 alternated pairs).
     */
    public abstract void append(FieldVector vector, int from, int to);

    /**
     * Appends rows [from, to) of a dictionary-encoded string column: {@code indices} into {@code values}, the
     * batch's dictionary, which stays the same while {@code batch} (the batch's serial) does. String columns only.
     */
    public void appendIndices(IntVector indices, VarCharVector values, long batch, int from, int to) {
        throw new UnsupportedOperationException(column + " holds no strings");
    }

    /**
     * Rows [at, at + n) (n at most 64) of a flat optional column, by its Arrow validity bitmap: their definition levels
     * appended as they are, their nulls counted; returns the bits of the rows that have a value (bit k: row at + k).
     */
    protected final long presentRows(ArrowBuf validity, int at, int n) {
        long set = PresenceBits.bitsAt(validity, at, n);
        presence.append(set, n);
        pageNulls += n - Long.bitCount(set);
        return set;
    }

    /** Ends the page in progress if it is full; call between appends. */
    public void endPageIfFull() {
        if (pageRows >= PAGE_ROWS || pageValueBytes() >= PAGE_BYTES) {
            endPage();
        }
    }

    /** Bytes of values the page in progress holds (an estimate, for ending pages). */
    protected abstract int pageValueBytes();

    /** Writes the page's non-null values to {@code out}, returns their encoding, and starts the next page's values. */
    protected abstract Encoding writeValues(ByteSink out);

    /** The page's min and max, then forgets them; nulls counted by the caller. */
    protected abstract Statistics.Builder pageStatistics(Statistics.Builder builder);

    /** The chunk's dictionary page, uncompressed, or null; called once when the chunk is written. */
    protected DictionaryValues dictionary() {
        return null;
    }

    /** Forgets the chunk's state (its dictionary) once it is written. */
    protected void resetChunk() {}

    protected record DictionaryValues(byte[] plain, int size) {}

    protected final void endPage() {
        if (pageRows == 0) {
            return;
        }
        data.reset();
        Encoding encoding = writeValues(data);
        byte[] repetition = levels(repetitionLevels, column.getMaxRepetitionLevel());
        byte[] definition = optional ? presenceLevels() : levels(definitionLevels, column.getMaxDefinitionLevel());
        Statistics<?> statistics = pageStatistics(Statistics.getBuilderForReading(column.getPrimitiveType()))
                .withNumNulls(pageNulls).build();
        pages.add(new EncodedPage(pageRows, pageNulls, pageValues, repetition, definition, encoding,
                compress(data.toByteArray()), data.size(), statistics));
        chunkValues += pageValues;
        pageRows = 0;
        pageNulls = 0;
        pageValues = 0;
    }

    private byte[] presenceLevels() {
        levels.reset();
        presence.writeTo(levels);
        presence.reset();
        return levels.toByteArray();
    }

    private byte[] levels(RleHybridEncoder encoder, int maxLevel) {
        if (maxLevel == 0) {
            return new byte[0];
        }
        levels.reset();
        encoder.writeTo(BitPacking.widthOf(maxLevel), levels);
        encoder.reset();
        return levels.toByteArray();
    }

    /** Writes the chunk (its dictionary page, then its data pages) as the next column of the file's row group. */
    public void writeChunk(ParquetFileWriter file) throws IOException {
        endPage();
        file.startColumn(column, chunkValues, compressor.getCodecName());
        DictionaryValues dict = dictionary();
        if (dict != null) {
            file.writeDictionaryPage(new DictionaryPage(BytesInput.from(compress(dict.plain())), dict.plain().length,
                    dict.size(), Encoding.PLAIN));
        }
        for (EncodedPage p : pages) {
            file.writeDataPageV2(p.rows(), p.nulls(), p.values(), BytesInput.from(p.repetition()),
                    BytesInput.from(p.definition()), p.encoding(), BytesInput.from(p.data()), p.uncompressedSize(),
                    p.statistics());
        }
        file.endColumn();
        pages.clear();
        chunkValues = 0;
        resetChunk();
    }

    // The array must be the caller's own: an uncompressed "compression" hands back the very bytes it was given.
    private byte[] compress(byte[] fresh) {
        try {
            return compressor.compress(BytesInput.from(fresh)).toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
