package dev.mapscribe.analyzer.export.parquet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The distinct strings of one column chunk, numbered in order of first appearance: the dictionary
 * page of a dictionary-encoded chunk. Open addressing over the entries' numbers; the bytes of all
 * entries in one array.
 */
public final class StringDictionary {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] bytes = new byte[1 << 16];
    private int bytesUsed;
    private int[] start = new int[1024];
    private int[] length = new int[1024];
    private int[] hash = new int[1024];
    private int size;
    private int[] slots = new int[2048]; // entry number + 1, 0 for empty; a power of two, at most half full

    public int size() {
        return size;
    }

    /** The dictionary page's size: each entry PLAIN-encoded, a 4-byte length and its bytes. */
    public int plainBytes() {
        return bytesUsed + 4 * size;
    }

    public byte[] bytes() {
        return bytes;
    }

    public int start(int id) {
        return start[id];
    }

    public int length(int id) {
        return length[id];
    }

    /** The number of {@code b[off, off + len)}, added if new. */
    public int idOf(byte[] b, int off, int len) {
        int h = hash(b, off, len);
        int mask = slots.length - 1;
        for (int s = h & mask; ; s = (s + 1) & mask) {
            int e = slots[s] - 1;
            if (e < 0) {
                return add(b, off, len, h, s);
            }
            if (hash[e] == h && length[e] == len
                    && Arrays.equals(bytes, start[e], start[e] + len, b, off, off + len)) {
                return e;
            }
        }
    }

    private int add(byte[] b, int off, int len, int h, int slot) {
        if (size == start.length) {
            start = Arrays.copyOf(start, size * 2);
            length = Arrays.copyOf(length, size * 2);
            hash = Arrays.copyOf(hash, size * 2);
        }
        if (bytesUsed + len > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytesUsed + len, bytes.length * 2));
        }
        System.arraycopy(b, off, bytes, bytesUsed, len);
        int id = size++;
        start[id] = bytesUsed;
        length[id] = len;
        hash[id] = h;
        bytesUsed += len;
        slots[slot] = id + 1;
        if (size * 2 > slots.length) {
            rehash();
        }
        return id;
    }

    private void rehash() {
        slots = new int[slots.length * 2];
        int mask = slots.length - 1;
        for (int id = 0; id < size; id++) {
            int s = hash[id] & mask;
            while (slots[s] != 0) {
                s = (s + 1) & mask;
            }
            slots[s] = id + 1;
        }
    }

    /** The dictionary page's values: each entry as PLAIN, in number order. */
    public void writePlain(ByteSink out) {
        out.ensure(plainBytes());
        for (int id = 0; id < size; id++) {
            out.writeIntLE(length[id]);
            out.write(bytes, start[id], length[id]);
        }
    }

    public void reset() {
        size = 0;
        bytesUsed = 0;
        Arrays.fill(slots, 0);
    }

    // 8 bytes at a time, each multiplied in; the high bits mixed down so that the low bits (the slot) vary.
    private static int hash(byte[] b, int off, int len) {
        long h = 0x9E3779B97F4A7C15L ^ len;
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            h = (h ^ (long) LONG_LE.get(b, i)) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        for (; i < end; i++) {
            h = (h ^ (b[i] & 0xFF)) * 0x94D049BB133111EBL;
        }
        h ^= h >>> 29;
        h *= 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
