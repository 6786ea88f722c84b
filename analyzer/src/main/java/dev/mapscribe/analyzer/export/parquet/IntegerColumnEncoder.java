package dev.mapscribe.analyzer.export.parquet;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;

/**
 * An INT32 or INT64 column (timestamps too), DELTA_BINARY_PACKED: pids, protections and flags
 * repeat, times and addresses run on, and a dictionary's hash lookup per value cost more than it
 * saved (PERFORMANCE.md).
 */
final class IntegerColumnEncoder extends ColumnChunkEncoder {
    private final boolean int32;
    private final DeltaBinaryPackedEncoder values;
    private long min = Long.MAX_VALUE;
    private long max = Long.MIN_VALUE;

    IntegerColumnEncoder(ColumnDescriptor column, BytesInputCompressor compressor, boolean int32) {
        super(column, compressor);
        this.int32 = int32;
        this.values = new DeltaBinaryPackedEncoder(int32);
    }

    @Override
    public void append(FieldVector vector, int from, int to) {
        BaseFixedWidthVector v = (BaseFixedWidthVector) vector;
        ArrowBuf buf = v.getDataBuffer();
        long lo = min;
        long hi = max;
        if (!optional) {
            for (int r = from; r < to; r++) {
                long x = int32 ? buf.getInt((long) r * 4) : buf.getLong((long) r * 8);
                values.add(x);
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        } else {
            // 64 rows at a time from the validity bitmap: the definition levels as they are, and the set rows' values
            ArrowBuf validity = v.getValidityBuffer();
            for (int at = from; at < to; at += 64) {
                for (long set = presentRows(validity, at, Math.min(64, to - at)); set != 0; set &= set - 1) {
                    int r = at + Long.numberOfTrailingZeros(set);
                    long x = int32 ? buf.getInt((long) r * 4) : buf.getLong((long) r * 8);
                    values.add(x);
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
            }
        }
        min = lo;
        max = hi;
        pageRows += to - from;
        pageValues += to - from;
    }

    @Override
    protected int pageValueBytes() {
        return values.encodedBytes();
    }

    @Override
    protected Encoding writeValues(ByteSink out) {
        values.writeTo(out);
        return Encoding.DELTA_BINARY_PACKED;
    }

    @Override
    protected Statistics.Builder pageStatistics(Statistics.Builder builder) {
        if (min <= max) {
            if (int32) {
                builder.withMin(BytesUtils.intToBytes((int) min)).withMax(BytesUtils.intToBytes((int) max));
            } else {
                builder.withMin(BytesUtils.longToBytes(min)).withMax(BytesUtils.longToBytes(max));
            }
        }
        min = Long.MAX_VALUE;
        max = Long.MIN_VALUE;
        return builder;
    }
}
