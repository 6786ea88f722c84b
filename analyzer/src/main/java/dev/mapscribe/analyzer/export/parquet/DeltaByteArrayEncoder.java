package dev.mapscribe.analyzer.export.parquet;

import java.util.Arrays;

/**
 * Parquet's DELTA_BYTE_ARRAY encoding of one page's strings: each value as the length of the prefix
 * it shares with the value before it and the rest (prefix lengths DELTA_BINARY_PACKED, then the
 * suffixes as DELTA_LENGTH_BYTE_ARRAY: their lengths DELTA_BINARY_PACKED, then their bytes). Paths
 * and ancestor chains share long prefixes row after row, so little is left for ZSTD to compress.
 */
public final class DeltaByteArrayEncoder {
    private final DeltaBinaryPackedEncoder prefixLengths = new DeltaBinaryPackedEncoder(true);
    private final DeltaBinaryPackedEncoder suffixLengths = new DeltaBinaryPackedEncoder(true);
    private final ByteSink suffixes = new ByteSink(1 << 16);

    /**
     * Adds {@code value[0, len)}; {@code previous[0, previousLength)} is the page's value before it
     * ({@code previousLength} -1 for the page's first value).
     */
    public void add(byte[] value, int len, byte[] previous, int previousLength) {
        int prefix = 0;
        if (previousLength > 0 && len > 0) {
            int m = Arrays.mismatch(value, 0, len, previous, 0, previousLength);
            prefix = m < 0 ? len : m; // -1: equal
        }
        prefixLengths.add(prefix);
        suffixLengths.add(len - prefix);
        suffixes.write(value, prefix, len - prefix);
    }

    public int count() {
        return prefixLengths.count();
    }

    /** Bytes encoded so far (roughly: the blocks in progress are not counted). */
    public int encodedBytes() {
        return suffixes.size() + prefixLengths.encodedBytes() + suffixLengths.encodedBytes();
    }

    /** Writes the page's encoding to {@code out} and starts a new page. */
    public void writeTo(ByteSink out) {
        prefixLengths.writeTo(out);
        suffixLengths.writeTo(out);
        out.write(suffixes.array(), 0, suffixes.size());
        suffixes.reset();
    }
}
