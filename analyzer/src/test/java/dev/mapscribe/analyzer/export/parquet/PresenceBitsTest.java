package dev.mapscribe.analyzer.export.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/** PresenceBits against RleHybridEncoder, the one-int-per-level encoder whose bytes it must write. */
class PresenceBitsTest {

    /** Random bitmaps (sparse, dense, long runs, alternating), appended in random slices, as pages of levels. */
    @Test
    void itWritesTheBytesRleHybridEncoderWritesForTheSameLevels() {
        Random random = new Random(26);
        try (BufferAllocator allocator = new RootAllocator()) {
            for (int round = 0; round < 400; round++) {
                int rows = 1 + random.nextInt(round < 200 ? 300 : 5000);
                // A buffer no larger than the bitmap: the last reads are at its very end.
                try (ArrowBuf validity = allocator.buffer((rows + 7) / 8)) {
                    boolean[] bits = bitmap(random, rows, round % 5);
                    validity.setZero(0, validity.capacity());
                    for (int r = 0; r < rows; r++) {
                        if (bits[r]) {
                            validity.setByte(r >>> 3, validity.getByte(r >>> 3) | (1 << (r & 7)));
                        }
                    }
                    PresenceBits presence = new PresenceBits();
                    RleHybridEncoder levels = new RleHybridEncoder();
                    for (int page = 0; page < 2; page++) { // a reset page must not keep the last one's bits
                        int from = random.nextInt(rows), nulls = 0, expectedNulls = 0;
                        while (from < rows) {
                            int to = Math.min(rows, from + 1 + random.nextInt(random.nextBoolean() ? 9 : 200));
                            nulls += presence.add(validity, from, to);
                            for (int r = from; r < to; r++) {
                                levels.add(bits[r] ? 1 : 0);
                                expectedNulls += bits[r] ? 0 : 1;
                            }
                            from = to;
                        }
                        assertEquals(levels.count(), presence.count());
                        ByteSink expected = new ByteSink(64), actual = new ByteSink(64);
                        levels.writeTo(1, expected);
                        presence.writeTo(actual);
                        assertArrayEquals(expected.toByteArray(), actual.toByteArray(), "round " + round + " page " + page);
                        assertEquals(expectedNulls, nulls, "round " + round);
                        levels.reset();
                        presence.reset();
                    }
                }
            }
        }
    }

    /** Bits 0..n of a bitmap at every offset, near its end too, as bitsAt reads them. */
    @Test
    void bitsAtReadsAnyRangeUpToTheBuffersEnd() {
        Random random = new Random(7);
        try (BufferAllocator allocator = new RootAllocator(); ArrowBuf buf = allocator.buffer(24)) {
            byte[] bytes = new byte[(int) buf.capacity()];
            random.nextBytes(bytes);
            buf.setBytes(0, bytes);
            long bitsInBuffer = buf.capacity() * 8;
            for (long bit = 0; bit < bitsInBuffer; bit++) {
                for (int n = 1; n <= 64 && bit + n <= bitsInBuffer; n++) {
                    long expected = 0;
                    for (int k = 0; k < n; k++) {
                        long b = bit + k;
                        expected |= (long) ((bytes[(int) (b >>> 3)] >>> (b & 7)) & 1) << k;
                    }
                    assertEquals(expected, PresenceBits.bitsAt(buf, bit, n), "bit " + bit + " n " + n);
                }
            }
        }
    }

    private static boolean[] bitmap(Random random, int rows, int kind) {
        boolean[] bits = new boolean[rows];
        boolean run = random.nextBoolean();
        for (int r = 0; r < rows; r++) {
            bits[r] = switch (kind) {
                case 0 -> random.nextInt(10) == 0; // mostly null
                case 1 -> random.nextInt(10) != 0; // mostly set
                case 2 -> { // long runs of each
                    if (random.nextInt(40) == 0) run = !run;
                    yield run;
                }
                case 3 -> (r & 1) == 0; // alternating: no run of 8 at all
                default -> random.nextBoolean();
            };
        }
        return bits;
    }
}
