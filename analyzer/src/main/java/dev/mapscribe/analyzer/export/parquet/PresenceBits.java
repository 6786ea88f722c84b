package dev.mapscribe.analyzer.export.parquet;

import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;

/**
 * The definition levels of a page of a flat optional column (maximum level 1: 1 where the row has a value, 0 where it
 * is null), held as bits: Arrow's validity bitmap of the rows, appended as it is. {@link RleHybridEncoder} held one int
 * per row and read them all again to encode them; most optional columns are null, or set, for long runs, which a bitmap
 * crosses a word at a time. {@link #writeTo} writes the bytes {@code RleHybridEncoder.writeTo(1, out)} writes for the
 * same levels, run for run.
 */
final class PresenceBits {
    private long[] words = new long[64]; // bit i of the page's levels: words[i >>> 6] bit (i & 63); zero past count
    private int count;

    int count() {
        return count;
    }

    void reset() {
        Arrays.fill(words, 0, (count + 63) >>> 6, 0L);
        count = 0;
    }

    /** Appends bits [from, to) of an Arrow validity bitmap; returns how many of them are 0 (the rows' nulls). */
    int add(ArrowBuf validity, int from, int to) {
        int ones = 0;
        for (int r = from; r < to; r += 64) {
            int n = Math.min(64, to - r);
            long w = bitsAt(validity, r, n);
            ones += Long.bitCount(w);
            append(w, n);
        }
        return to - from - ones;
    }

    /** Appends the low {@code n} (1..64) bits of {@code w}, whose other bits are 0. */
    void append(long w, int n) {
        int k = count >>> 6, shift = count & 63;
        if (k + 1 >= words.length) {
            words = Arrays.copyOf(words, words.length * 2);
        }
        words[k] |= w << shift;
        if (shift != 0 && shift + n > 64) {
            words[k + 1] |= w >>> (64 - shift);
        }
        count += n;
    }

    /** {@code n} (1..64) bits of an Arrow bitmap from bit {@code bit}, in the low bits; the buffer's bytes only. */
    static long bitsAt(ArrowBuf buf, long bit, int n) {
        long first = bit >>> 3;
        int shift = (int) (bit & 7);
        long w;
        if (first + 9 <= buf.capacity()) {
            w = buf.getLong(first) >>> shift; // little-endian: bit 0 of the first byte is bit 0 of the long
            if (shift != 0) {
                w |= (long) (buf.getByte(first + 8) & 0xff) << (64 - shift); // the ninth byte's low bits
            }
        } else { // near the buffer's end: only the bytes that hold them
            w = 0;
            for (long b = first, last = (bit + n - 1) >>> 3; b <= last; b++) {
                long v = buf.getByte(b) & 0xff;
                int off = (int) (b - first) * 8 - shift;
                w |= off >= 0 ? v << off : v >>> -off;
            }
        }
        return n == 64 ? w : w & ((1L << n) - 1);
    }

    /** The RLE/bit-packed hybrid encoding of the levels, in one bit each, as RleHybridEncoder writes it. */
    void writeTo(ByteSink out) {
        int literalStart = 0; // the first level not yet written
        int i = 0;
        while (i < count) {
            boolean v = bit(i);
            int j = runEnd(i, v);
            // A bit-packed run holds whole groups of 8: complete the pending literals from this run first.
            int fill = (8 - ((i - literalStart) & 7)) & 7;
            if (j - i - fill >= 8) {
                if (i + fill > literalStart) {
                    writeBitPacked(literalStart, i + fill - literalStart, out);
                }
                out.writeUnsignedVarLong((long) (j - i - fill) << 1);
                out.writeByte(v ? 1 : 0);
                literalStart = j;
            }
            i = j;
        }
        if (literalStart < count) {
            writeBitPacked(literalStart, count - literalStart, out);
        }
    }

    private boolean bit(int i) {
        return (words[i >>> 6] >>> (i & 63) & 1) != 0;
    }

    /** The first position after {@code i} whose bit is not {@code v}, or count. */
    private int runEnd(int i, boolean v) {
        int k = i >>> 6;
        long w = (v ? ~words[k] : words[k]) & (-1L << (i & 63)); // the bits that differ, from i on
        while (w == 0) {
            if (++k << 6 >= count) {
                return count;
            }
            w = v ? ~words[k] : words[k];
        }
        return Math.min(count, (k << 6) + Long.numberOfTrailingZeros(w));
    }

    /** Levels [from, from + n) as bit-packed groups of 8, one byte each (bits past count are 0: the padding). */
    private void writeBitPacked(int from, int n, ByteSink out) {
        int groups = (n + 7) / 8;
        out.writeUnsignedVarLong(((long) groups << 1) | 1);
        out.ensure(groups);
        for (int g = 0; g < groups; g++) {
            int at = from + 8 * g, k = at >>> 6, shift = at & 63;
            long w = words[k] >>> shift;
            if (shift > 56 && k + 1 < words.length) {
                w |= words[k + 1] << (64 - shift);
            }
            int b = (int) (w & 0xff);
            int left = n - 8 * g; // levels of this group that belong to the run; the rest is padding
            out.writeByte(left >= 8 ? b : b & ((1 << left) - 1));
        }
    }
}
