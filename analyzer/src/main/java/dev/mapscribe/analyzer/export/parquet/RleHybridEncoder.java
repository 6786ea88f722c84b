package dev.mapscribe.analyzer.export.parquet;

import java.util.Arrays;

/**
 * Parquet's RLE/bit-packed hybrid encoding of small unsigned ints (definition and repetition levels,
 * dictionary indices): a value repeated 8 or more times becomes one RLE run (a ULEB128 header
 * {@code count << 1}, then the value in whole bytes); the values between runs become bit-packed
 * groups of 8 (a header {@code groups << 1 | 1}, then the packed bits). The values of a page are
 * buffered and encoded when the page ends, with no length prefix (data page v2 levels, dictionary
 * indices after their bit-width byte).
 */
public final class RleHybridEncoder {
    private int[] values = new int[1024];
    private int count;

    public void add(int v) {
        if (count == values.length) {
            values = Arrays.copyOf(values, count * 2);
        }
        values[count++] = v;
    }

    public int count() {
        return count;
    }

    public void reset() {
        count = 0;
    }

    /** Writes the buffered values, each in {@code width} bits (wide enough for the largest). */
    public void writeTo(int width, ByteSink out) {
        int literalStart = 0; // the first value not yet written
        int i = 0;
        while (i < count) {
            int v = values[i];
            int j = i + 1;
            while (j < count && values[j] == v) {
                j++;
            }
            // A bit-packed run holds whole groups of 8: complete the pending literals from this run first.
            int fill = (8 - ((i - literalStart) & 7)) & 7;
            if (j - i - fill >= 8) {
                if (i + fill > literalStart) {
                    writeBitPacked(literalStart, i + fill - literalStart, width, out);
                }
                out.writeUnsignedVarLong((long) (j - i - fill) << 1);
                out.writeLowBytesLE(v, (width + 7) / 8);
                literalStart = j;
            }
            i = j;
        }
        if (literalStart < count) {
            writeBitPacked(literalStart, count - literalStart, width, out);
        }
    }

    private void writeBitPacked(int from, int n, int width, ByteSink out) {
        int groups = (n + 7) / 8;
        int padded = groups * 8;
        if (from + padded > values.length) {
            values = Arrays.copyOf(values, from + padded);
        }
        Arrays.fill(values, from + n, from + padded, 0); // the last group's padding (readers stop at the count)
        out.writeUnsignedVarLong(((long) groups << 1) | 1);
        BitPacking.pack(values, from, padded, width, out);
    }
}
