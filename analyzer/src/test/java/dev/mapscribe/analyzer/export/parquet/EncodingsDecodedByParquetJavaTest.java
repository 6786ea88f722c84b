package dev.mapscribe.analyzer.export.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.column.values.delta.DeltaBinaryPackingValuesReader;
import org.apache.parquet.column.values.deltastrings.DeltaByteArrayReader;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridDecoder;
import org.junit.jupiter.api.Test;

/**
 * mapscribe's own encoders against parquet-java's decoders of the same encodings (the reference
 * implementation, not ours): whatever goes in must come out.
 */
class EncodingsDecodedByParquetJavaTest {

    @Property(tries = 300)
    void deltaBinaryPackedLongsDecode(@ForAll("longs") List<Long> values) throws Exception {
        DeltaBinaryPackedEncoder e = new DeltaBinaryPackedEncoder(false);
        values.forEach(e::add);
        DeltaBinaryPackingValuesReader r = reader(e, values.size());
        for (int i = 0; i < values.size(); i++) {
            assertEquals((long) values.get(i), r.readLong(), "value " + i);
        }
    }

    @Property(tries = 300)
    void deltaBinaryPackedIntsDecode(@ForAll("ints") List<Integer> values) throws Exception {
        DeltaBinaryPackedEncoder e = new DeltaBinaryPackedEncoder(true);
        values.forEach(v -> e.add(v));
        DeltaBinaryPackingValuesReader r = reader(e, values.size());
        for (int i = 0; i < values.size(); i++) {
            assertEquals((int) values.get(i), r.readInteger(), "value " + i);
        }
    }

    @Test
    void anEncoderStartsAfreshAfterEachPage() throws Exception {
        DeltaBinaryPackedEncoder e = new DeltaBinaryPackedEncoder(false);
        for (long v = 0; v < 300; v++) {
            e.add(v * 7);
        }
        reader(e, 300);
        e.add(-5);
        e.add(Long.MAX_VALUE);
        DeltaBinaryPackingValuesReader r = reader(e, 2);
        assertEquals(-5, r.readLong());
        assertEquals(Long.MAX_VALUE, r.readLong());
    }

    @Property(tries = 300)
    void rleBitPackedHybridDecodes(@ForAll @IntRange(min = 0, max = 32) int width, @ForAll("runs") List<Integer> raw) throws Exception {
        long mask = width == 0 ? 0 : (1L << width) - 1;
        RleHybridEncoder e = new RleHybridEncoder();
        List<Integer> values = new ArrayList<>();
        for (int v : raw) {
            int masked = (int) (v & mask);
            values.add(masked);
            e.add(masked);
        }
        ByteSink out = new ByteSink(16);
        e.writeTo(width, out);
        RunLengthBitPackingHybridDecoder d = new RunLengthBitPackingHybridDecoder(width, new ByteArrayInputStream(out.toByteArray()));
        for (int i = 0; i < values.size(); i++) {
            assertEquals((int) values.get(i), d.readInt(), "value " + i + " of " + values.size() + " at width " + width);
        }
    }

    @Property(tries = 300)
    void deltaByteArrayDecodes(@ForAll("paths") List<String> values) throws Exception {
        DeltaByteArrayEncoder e = new DeltaByteArrayEncoder();
        byte[] previous = null;
        for (String v : values) {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            e.add(b, b.length, previous, previous == null ? -1 : previous.length);
            previous = b;
        }
        ByteSink out = new ByteSink(16);
        e.writeTo(out);
        DeltaByteArrayReader r = new DeltaByteArrayReader();
        r.initFromPage(values.size(), ByteBufferInputStream.wrap(ByteBuffer.wrap(out.toByteArray())));
        for (int i = 0; i < values.size(); i++) {
            assertEquals(values.get(i), r.readBytes().toStringUsingUTF8(), "value " + i);
        }
    }

    // Strings sharing prefixes of any length with the one before, empty ones, and repeats.
    @Provide
    Arbitrary<List<String>> paths() {
        return Arbitraries.of("", "/", "/usr/lib/", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6",
                "/usr/bin/bash|/usr/bin/sshd", "/usr/bin/bash", "ü€", "ü", "/memfd:x (deleted)")
                .list().ofMaxSize(400);
    }

    private static DeltaBinaryPackingValuesReader reader(DeltaBinaryPackedEncoder e, int count) throws Exception {
        ByteSink out = new ByteSink(16);
        e.writeTo(out);
        DeltaBinaryPackingValuesReader r = new DeltaBinaryPackingValuesReader();
        r.initFromPage(count, ByteBufferInputStream.wrap(ByteBuffer.wrap(out.toByteArray())));
        return r;
    }

    // Small steps (times, addresses), repeats, and the extremes whose deltas need all 64 bits.
    @Provide
    Arbitrary<List<Long>> longs() {
        Arbitrary<Long> any = Arbitraries.oneOf(
                Arbitraries.longs(),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L),
                Arbitraries.longs().between(-3, 3));
        return Arbitraries.oneOf(
                any.list().ofMinSize(0).ofMaxSize(700),
                Arbitraries.longs().between(1, 1 << 20).list().ofMaxSize(700).map(EncodingsDecodedByParquetJavaTest::runningSum));
    }

    @Provide
    Arbitrary<List<Integer>> ints() {
        return Arbitraries.oneOf(
                Arbitraries.integers(),
                Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1),
                Arbitraries.integers().between(-3, 3)).list().ofMinSize(0).ofMaxSize(700);
    }

    // Runs of repeats (RLE) between scattered values (bit-packed groups), in any lengths.
    @Provide
    Arbitrary<List<Integer>> runs() {
        Arbitrary<List<Integer>> run = Arbitraries.integers().flatMap(v -> Arbitraries.integers().between(1, 40)
                .map(n -> java.util.Collections.nCopies(n, v)));
        return run.list().ofMaxSize(60).map(parts -> {
            List<Integer> all = new ArrayList<>();
            parts.forEach(all::addAll);
            return all;
        });
    }

    private static List<Long> runningSum(List<Long> steps) {
        List<Long> out = new ArrayList<>();
        long t = 1_700_000_000_000_000_000L;
        for (long s : steps) {
            t += s;
            out.add(t);
        }
        return out;
    }
}
