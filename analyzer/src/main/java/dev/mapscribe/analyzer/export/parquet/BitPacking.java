package dev.mapscribe.analyzer.export.parquet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Parquet's bit packing: each value in {@code width} bits, the first value in the lowest bits of the
 * first byte, values running on across byte boundaries (little-endian order, as the RLE/bit-packed
 * hybrid and DELTA_BINARY_PACKED both use it).
 */
final class BitPacking {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private BitPacking() {}

    /** Packs {@code count} values; {@code count * width} must be a multiple of 8 (whole bytes out). */
    static void pack(long[] values, int from, int count, int width, ByteSink out) {
        if (width == 0) {
            return;
        }
        long mask = width == 64 ? -1L : (1L << width) - 1;
        out.ensure(count * width / 8 + 8);
        byte[] buf = out.array();
        int pos = out.size();
        long acc = 0;
        int bits = 0; // bits held in acc, always < 64 between values
        for (int i = from, end = from + count; i < end; i++) {
            long v = values[i] & mask;
            acc |= v << bits;
            int total = bits + width;
            if (total >= 64) {
                LONG_LE.set(buf, pos, acc);
                pos += 8;
                acc = bits == 0 ? 0 : v >>> (64 - bits); // the bits of v that did not fit
                total -= 64;
            }
            bits = total;
        }
        for (; bits > 0; bits -= 8) {
            buf[pos++] = (byte) acc;
            acc >>>= 8;
        }
        out.setSize(pos);
    }

    /** As {@link #pack(long[], int, int, int, ByteSink)}, for values of at most 32 bits. */
    static void pack(int[] values, int from, int count, int width, ByteSink out) {
        if (width == 0) {
            return;
        }
        long mask = (1L << width) - 1;
        out.ensure(count * width / 8 + 8);
        byte[] buf = out.array();
        int pos = out.size();
        long acc = 0;
        int bits = 0;
        for (int i = from, end = from + count; i < end; i++) {
            acc |= (values[i] & mask) << bits;
            bits += width;
            if (bits >= 32) { // width <= 32, so acc never holds more than 63 bits
                LONG_LE.set(buf, pos, acc);
                pos += 4;
                acc >>>= 32;
                bits -= 32;
            }
        }
        for (; bits > 0; bits -= 8) {
            buf[pos++] = (byte) acc;
            acc >>>= 8;
        }
        out.setSize(pos);
    }

    /** Bits needed for values up to {@code max} (unsigned); 0 for 0. */
    static int widthOf(long max) {
        return 64 - Long.numberOfLeadingZeros(max);
    }
}
