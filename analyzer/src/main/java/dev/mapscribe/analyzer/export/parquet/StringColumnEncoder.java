package dev.mapscribe.analyzer.export.parquet;

import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;

/**
 * A string column: dictionary-encoded (RLE_DICTIONARY pages, one PLAIN dictionary page per chunk)
 * until the chunk's dictionary passes {@link #DICTIONARY_BYTES}, then DELTA_BYTE_ARRAY for the
 * chunk's later pages, as parquet-java's format v2 writer falls back. A value equal to the one
 * before it (a process's comm, path and ancestors repeat row after row) is not hashed again.
 *
 * <p>The analyzer's batches hand their string columns over dictionary-encoded ({@link #appendIndices}): each
 * distinct value of a batch is looked up in the chunk's dictionary once, the rows then only map indices.
 */
class StringColumnEncoder extends ColumnChunkEncoder {
    static final int DICTIONARY_BYTES = 1 << 20;

    private final StringDictionary dictionary = new StringDictionary();
    private final RleHybridEncoder ids = new RleHybridEncoder();
    private final DeltaByteArrayEncoder deltas = new DeltaByteArrayEncoder();
    private boolean noDictionary; // the chunk gave its dictionary up: this page and its later ones are DELTA_BYTE_ARRAY

    private byte[] value = new byte[256]; // the value being added
    private byte[] previous = new byte[256]; // the value added before it, -1 length after a page ends
    private int previousLength = -1;
    private int previousId;

    // appendIndices: the chunk dictionary's id of each index of the batch's dictionary, valid where its epoch is
    // the current one (a new batch or a new chunk starts a new epoch)
    private int[] idOfIndex = new int[0];
    private int[] idEpoch = new int[0];
    private int epoch;
    private long batch = -1;
    // appendIndices: the page in which each chunk id was last seen, so that a value meets the page's statistics once
    private int[] seenInPage = new int[0];
    private int page = 1;

    private byte[] min = new byte[64];
    private byte[] max = new byte[64];
    private int minLength = -1; // -1: no value in the page yet
    private int maxLength;

    StringColumnEncoder(ColumnDescriptor column, BytesInputCompressor compressor) {
        super(column, compressor);
    }

    @Override
    public void append(FieldVector vector, int from, int to) {
        VarCharVector v = (VarCharVector) vector;
        ArrowBuf offsets = v.getOffsetBuffer();
        ArrowBuf bytes = v.getDataBuffer();
        if (optional) {
            pageNulls += presence.add(v.getValidityBuffer(), from, to);
        }
        for (int r = from; r < to; r++) {
            if (optional && v.isNull(r)) {
                continue;
            }
            addValue(readValue(offsets, bytes, r));
        }
        pageRows += to - from;
        pageValues += to - from;
    }

    @Override
    public void appendIndices(IntVector indices, VarCharVector values, long batch, int from, int to) {
        if (batch != this.batch) {
            this.batch = batch;
            epoch++;
        }
        int distinct = values.getValueCount();
        if (idOfIndex.length < distinct) {
            idOfIndex = new int[Math.max(distinct, idOfIndex.length * 2)];
            idEpoch = new int[idOfIndex.length];
        }
        ArrowBuf cells = indices.getDataBuffer();
        ArrowBuf offsets = values.getOffsetBuffer();
        ArrowBuf bytes = values.getDataBuffer();
        if (!optional) {
            for (int r = from; r < to; r++) {
                appendIndex(cells.getInt((long) r * 4), offsets, bytes);
            }
        } else {
            // 64 rows at a time from the validity bitmap: the definition levels as they are, and the set rows' values
            ArrowBuf validity = indices.getValidityBuffer();
            for (int at = from; at < to; at += 64) {
                for (long set = presentRows(validity, at, Math.min(64, to - at)); set != 0; set &= set - 1) {
                    appendIndex(cells.getInt((long) (at + Long.numberOfTrailingZeros(set)) * 4), offsets, bytes);
                }
            }
        }
        pageRows += to - from;
        pageValues += to - from;
    }

    /** One row's value: {@code index} into the batch's dictionary ({@code offsets}, {@code bytes}). */
    private void appendIndex(int index, ArrowBuf offsets, ArrowBuf bytes) {
        if (noDictionary) { // the chunk's dictionary is full: its values go whole, each as its row has it
            addValue(readValue(offsets, bytes, index));
            return;
        }
        int id;
        if (idEpoch[index] == epoch) {
            id = idOfIndex[index];
        } else {
            int len = readValue(offsets, bytes, index); // first: it may give value a larger array
            id = dictionary.idOf(value, 0, len);
            idOfIndex[index] = id;
            idEpoch[index] = epoch;
        }
        ids.add(id);
        if (id >= seenInPage.length) {
            seenInPage = Arrays.copyOf(seenInPage, Math.max(id + 1, seenInPage.length * 2));
        }
        if (seenInPage[id] != page) {
            seenInPage[id] = page;
            addToStatistics(dictionary.bytes(), dictionary.start(id), dictionary.length(id));
        }
    }

    /** Widens the page's min and max to {@code b[off, off + len)}. */
    private void addToStatistics(byte[] b, int off, int len) {
        boolean first = minLength < 0;
        if (first || Arrays.compareUnsigned(b, off, off + len, min, 0, minLength) < 0) {
            min = copy(b, off, len, min);
            minLength = len;
        }
        if (first || Arrays.compareUnsigned(b, off, off + len, max, 0, maxLength) > 0) {
            max = copy(b, off, len, max);
            maxLength = len;
        }
    }

    /**
     * Reads value {@code i} of a string vector (its {@code offsets} and data {@code bytes}) into {@link #valueBuffer};
     * returns its length.
     */
    protected final int readValue(ArrowBuf offsets, ArrowBuf bytes, int i) {
        int start = offsets.getInt((long) i * 4);
        int len = offsets.getInt((long) (i + 1) * 4) - start;
        bytes.getBytes(start, valueBuffer(len), 0, len);
        return len;
    }

    /** The buffer the next value is read into, room for {@code len} bytes. */
    private byte[] valueBuffer(int len) {
        if (value.length < len) {
            value = new byte[Math.max(len, value.length * 2)];
        }
        return value;
    }

    /** Adds the value in {@code valueBuffer()[0, len)}. */
    protected final void addValue(int len) {
        boolean repeat = len == previousLength && Arrays.equals(value, 0, len, previous, 0, len);
        if (noDictionary) {
            deltas.add(value, len, previous, previousLength);
        } else {
            if (!repeat) {
                previousId = dictionary.idOf(value, 0, len);
            }
            ids.add(previousId);
        }
        if (repeat) {
            return; // in the page's statistics already, and the previous value still
        }
        addToStatistics(value, 0, len);
        byte[] t = previous;
        previous = value;
        previousLength = len;
        value = t;
    }

    private static byte[] copy(byte[] src, int off, int len, byte[] into) {
        byte[] out = into.length >= len ? into : new byte[Math.max(len, into.length * 2)];
        System.arraycopy(src, off, out, 0, len);
        return out;
    }

    @Override
    public void endPageIfFull() {
        if (!noDictionary && dictionary.plainBytes() > DICTIONARY_BYTES) {
            endPage();
            noDictionary = true;
            return;
        }
        super.endPageIfFull();
    }

    @Override
    protected int pageValueBytes() {
        return noDictionary ? deltas.encodedBytes() : ids.count() / 8 * BitPacking.widthOf(dictionary.size());
    }

    @Override
    protected Encoding writeValues(ByteSink out) {
        if (noDictionary) {
            deltas.writeTo(out);
            return Encoding.DELTA_BYTE_ARRAY;
        }
        if (ids.count() == 0) {
            return Encoding.PLAIN; // a page of nulls only: no values, no dictionary needed
        }
        int width = BitPacking.widthOf(dictionary.size() - 1);
        out.writeByte(width);
        ids.writeTo(width, out);
        ids.reset();
        return Encoding.RLE_DICTIONARY;
    }

    @Override
    protected Statistics.Builder pageStatistics(Statistics.Builder builder) {
        if (minLength >= 0) {
            builder.withMin(Arrays.copyOf(min, minLength)).withMax(Arrays.copyOf(max, maxLength));
        }
        minLength = -1;
        previousLength = -1; // the next page's first value must reach its statistics
        page++; // and so must each value appendIndices meets in it
        return builder;
    }

    @Override
    protected DictionaryValues dictionary() {
        if (dictionary.size() == 0) {
            return null;
        }
        ByteSink out = new ByteSink(dictionary.plainBytes());
        dictionary.writePlain(out);
        return new DictionaryValues(out.toByteArray(), dictionary.size());
    }

    @Override
    protected void resetChunk() {
        dictionary.reset();
        noDictionary = false;
        previousLength = -1;
        epoch++; // the batch's indices map to the new chunk's ids afresh
    }
}
