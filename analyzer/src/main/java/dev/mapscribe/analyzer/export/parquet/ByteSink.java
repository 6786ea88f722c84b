package dev.mapscribe.analyzer.export.parquet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A growable byte array written front to back: Parquet's little-endian integers and ULEB128 varints. */
public final class ByteSink {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] buf;
    private int size;

    public ByteSink(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public int size() {
        return size;
    }

    /** The backing array; bytes [0, size()) are the written ones. */
    public byte[] array() {
        return buf;
    }

    public void reset() {
        size = 0;
    }

    /** Marks bytes up to {@code newSize} as written (after writing into {@link #array()} past {@link #ensure}). */
    public void setSize(int newSize) {
        size = newSize;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /** Room for {@code n} more bytes. */
    public void ensure(int n) {
        if (size + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(size + n, buf.length * 2));
        }
    }

    public void writeByte(int b) {
        ensure(1);
        buf[size++] = (byte) b;
    }

    public void write(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, buf, size, len);
        size += len;
    }

    public void writeIntLE(int v) {
        ensure(4);
        INT_LE.set(buf, size, v);
        size += 4;
    }

    public void writeLongLE(long v) {
        ensure(8);
        LONG_LE.set(buf, size, v);
        size += 8;
    }

    /** The low {@code n} bytes of {@code v}, little-endian (n in 0..8). */
    public void writeLowBytesLE(long v, int n) {
        ensure(8);
        LONG_LE.set(buf, size, v); // the array has room for 8; only n of them count
        size += n;
    }

    /** ULEB128: 7 bits per byte, low groups first, the high bit set on all bytes but the last. */
    public void writeUnsignedVarLong(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }

    public void writeZigZagVarLong(long v) {
        writeUnsignedVarLong((v << 1) ^ (v >> 63));
    }
}
