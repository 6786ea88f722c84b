package dev.mapscribe.analyzer.export.parquet;

import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
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
        for (int r = from; r < to; r++) {
            if (optional) {
                if (v.isNull(r)) {
                    definitionLevels.add(0);
                    pageNulls++;
                    continue;
                }
                definitionLevels.add(1);
            }
            int start = offsets.getInt((long) r * 4);
            int len = offsets.getInt((long) (r + 1) * 4) - start;
            bytes.getBytes(start, valueBuffer(len), 0, len);
            addValue(len);
        }
        pageRows += to - from;
        pageValues += to - from;
    }

    /** The buffer the next value is read into, room for {@code len} bytes. */
    protected final byte[] valueBuffer(int len) {
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
        boolean first = minLength < 0;
        if (first || Arrays.compareUnsigned(value, 0, len, min, 0, minLength) < 0) {
            min = copy(value, len, min);
            minLength = len;
        }
        if (first || Arrays.compareUnsigned(value, 0, len, max, 0, maxLength) > 0) {
            max = copy(value, len, max);
            maxLength = len;
        }
        byte[] t = previous;
        previous = value;
        previousLength = len;
        value = t;
    }

    private static byte[] copy(byte[] src, int len, byte[] into) {
        byte[] out = into.length >= len ? into : new byte[Math.max(len, into.length * 2)];
        System.arraycopy(src, 0, out, 0, len);
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
    }
}
