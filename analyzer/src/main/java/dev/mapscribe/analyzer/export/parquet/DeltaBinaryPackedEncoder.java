package dev.mapscribe.analyzer.export.parquet;

/**
 * Parquet's DELTA_BINARY_PACKED encoding of one page's integers: a header (block size 128, 4
 * miniblocks of 32, the value count, the first value), then per block of 128 deltas the smallest
 * delta and each miniblock's deltas minus it, bit-packed at the miniblock's width. Times, sequence
 * numbers and addresses that run on in small steps take a few bits each.
 *
 * <p>An INT32 column's deltas are taken in 32-bit arithmetic, wrapping as readers undo it.
 */
public final class DeltaBinaryPackedEncoder {
    private static final int BLOCK = 128;
    private static final int MINIBLOCKS = 4;
    private static final int MINIBLOCK = BLOCK / MINIBLOCKS;

    private final boolean int32;
    private final ByteSink blocks = new ByteSink(4096);
    private final long[] deltas = new long[BLOCK];
    private final int[] widths = new int[MINIBLOCKS];
    private int inBlock;
    private long first;
    private long previous;
    private int count;

    public DeltaBinaryPackedEncoder(boolean int32) {
        this.int32 = int32;
    }

    public void add(long v) {
        if (count++ == 0) {
            first = v;
        } else {
            deltas[inBlock++] = int32 ? (long) ((int) v - (int) previous) : v - previous;
            if (inBlock == BLOCK) {
                writeBlock();
            }
        }
        previous = v;
    }

    public int count() {
        return count;
    }

    /** Bytes encoded so far (the header and the block in progress not counted). */
    public int encodedBytes() {
        return blocks.size();
    }

    /** Writes the page's encoding to {@code out} and starts a new page. */
    public void writeTo(ByteSink out) {
        if (inBlock > 0) {
            writeBlock();
        }
        out.writeUnsignedVarLong(BLOCK);
        out.writeUnsignedVarLong(MINIBLOCKS);
        out.writeUnsignedVarLong(count);
        out.writeZigZagVarLong(first);
        out.write(blocks.array(), 0, blocks.size());
        reset();
    }

    public void reset() {
        blocks.reset();
        inBlock = 0;
        count = 0;
        first = 0;
    }

    private void writeBlock() {
        long min = deltas[0];
        for (int k = 1; k < inBlock; k++) {
            min = Math.min(min, deltas[k]);
        }
        for (int k = 0; k < inBlock; k++) {
            deltas[k] -= min; // unsigned from here; an INT32 column's fit in 32 bits
        }
        // A partial last block: its miniblocks are padded to 32 with zeros; unused ones have width 0 and no bytes.
        for (int k = inBlock; k < BLOCK; k++) {
            deltas[k] = 0;
        }
        int miniblocks = (inBlock + MINIBLOCK - 1) / MINIBLOCK;
        blocks.writeZigZagVarLong(min);
        for (int m = 0; m < MINIBLOCKS; m++) {
            long or = 0;
            for (int k = m * MINIBLOCK; k < (m + 1) * MINIBLOCK; k++) {
                or |= deltas[k];
            }
            widths[m] = BitPacking.widthOf(or);
        }
        for (int m = 0; m < MINIBLOCKS; m++) {
            blocks.writeByte(widths[m]);
        }
        for (int m = 0; m < miniblocks; m++) {
            BitPacking.pack(deltas, m * MINIBLOCK, MINIBLOCK, widths[m], blocks);
        }
        inBlock = 0;
    }
}
