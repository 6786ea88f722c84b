package dev.mapscribe.analyzer.export.parquet;

import java.util.Arrays;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;

/** A BOOLEAN column, PLAIN: one bit per value, the first in the lowest bit of the first byte. */
final class BooleanColumnEncoder extends ColumnChunkEncoder {
    private byte[] packed = new byte[1024];
    private int count;
    private boolean sawFalse;
    private boolean sawTrue;

    BooleanColumnEncoder(ColumnDescriptor column, BytesInputCompressor compressor) {
        super(column, compressor);
    }

    @Override
    public void append(FieldVector vector, int from, int to) {
        BitVector v = (BitVector) vector;
        if (optional) {
            pageNulls += presence.add(v.getValidityBuffer(), from, to);
        }
        for (int r = from; r < to; r++) {
            if (optional && v.isNull(r)) {
                continue;
            }
            boolean b = v.get(r) != 0;
            if ((count & 7) == 0) {
                if ((count >> 3) == packed.length) {
                    packed = Arrays.copyOf(packed, packed.length * 2);
                }
                packed[count >> 3] = 0;
            }
            if (b) {
                packed[count >> 3] |= (byte) (1 << (count & 7));
            }
            count++;
            sawTrue |= b;
            sawFalse |= !b;
        }
        pageRows += to - from;
        pageValues += to - from;
    }

    @Override
    protected int pageValueBytes() {
        return count / 8;
    }

    @Override
    protected Encoding writeValues(ByteSink out) {
        out.write(packed, 0, (count + 7) / 8);
        count = 0;
        return Encoding.PLAIN;
    }

    @Override
    protected Statistics.Builder pageStatistics(Statistics.Builder builder) {
        if (sawFalse || sawTrue) {
            builder.withMin(new byte[] {(byte) (sawFalse ? 0 : 1)}).withMax(new byte[] {(byte) (sawTrue ? 1 : 0)});
        }
        sawFalse = false;
        sawTrue = false;
        return builder;
    }
}
