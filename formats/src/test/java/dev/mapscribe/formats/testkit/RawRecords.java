package dev.mapscribe.formats.testkit;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds raw kernel records byte for byte as bpf/mapscribe.h lays them out, for tests and synthetic journals
 * (journal round trips, analyzer inputs, benchmarks). Offsets here are written out by hand on purpose: LayoutTest
 * checks the Java layouts against C, and the decoder tests check these bytes against the decoder.
 */
public final class RawRecords {
    private final ByteBuffer b;
    private int count;

    public RawRecords(int capacity) {
        b = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void hdr(int kind, int size, int flags, long ktime, int pid, int tid) {
        b.putShort((short) kind).putShort((short) size).putShort((short) 0).putShort((short) flags)
                .putLong(ktime).putInt(pid).putInt(tid);
        count++;
    }

    private static int padded(int n) {
        return (n + 7) & ~7;
    }

    public RawRecords mmap(long ktime, int pid, int tid, long addr, long len, int prot, int flags, int fd, long off, long ret) {
        hdr(2, 72, 0, ktime, pid, tid);
        b.putLong(addr).putLong(len).putInt(prot).putInt(flags).putInt(fd).putInt(0).putLong(off).putLong(ret);
        return this;
    }

    /** mmap of a file: ms_mmap, then ms_file, then the path, padded to 8. */
    public RawRecords mmapFile(long ktime, int pid, int tid, long addr, long len, int prot, int flags, int fd, long off,
                               long ret, long ino, int dev, String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        int size = padded(72 + 40 + p.length);
        int start = b.position();
        hdr(2, size, 0x1, ktime, pid, tid);
        b.putLong(addr).putLong(len).putInt(prot).putInt(flags).putInt(fd).putInt(0).putLong(off).putLong(ret);
        file(ino, dev, p);
        b.position(start + size);
        return this;
    }

    private void file(long ino, int dev, byte[] path) {
        b.putLong(ino).putLong(4096).putLong(1_700_000_000L).putInt(5).putInt(dev).putInt(0100755)
                .putShort((short) path.length).putShort((short) 0).put(path);
    }

    public RawRecords mprotect(long ktime, int pid, int tid, long addr, long len, int prot, long ret) {
        hdr(3, 56, 0, ktime, pid, tid);
        b.putLong(addr).putLong(len).putInt(prot).putInt(-1).putLong(ret);
        return this;
    }

    public RawRecords munmap(long ktime, int pid, int tid, long addr, long len, long ret) {
        hdr(4, 48, 0, ktime, pid, tid);
        b.putLong(addr).putLong(len).putLong(ret);
        return this;
    }

    public RawRecords task(long ktime, int pid, int tid, int ppid, int uid, long startNs, String comm) {
        hdr(1, 88, 0, ktime, pid, tid);
        b.putInt(ppid).putInt(uid).putInt(uid).putInt(uid).putInt(uid).putInt(0xf0000000).putLong(startNs)
                .putLong(startNs).putLong(1);
        byte[] c = new byte[16];
        byte[] n = comm.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, c, 0, Math.min(15, n.length));
        b.put(c);
        return this;
    }

    public RawRecords exec(long ktime, int pid, String exe, String... argv) {
        byte[] p = exe.getBytes(StandardCharsets.UTF_8);
        byte[] a = String.join("\0", argv).concat("\0").getBytes(StandardCharsets.UTF_8);
        int size = padded(72 + p.length + a.length);
        int start = b.position();
        hdr(9, size, 0, ktime, pid, pid);
        b.putInt(pid).putInt(a.length);
        file(1234, (8 << 20) | 1, p);
        b.put(a);
        b.position(start + size);
        return this;
    }

    public int count() { return count; }

    public int length() { return b.position(); }

    /** The records so far as a native segment, as the ring reader would hand them over. */
    public MemorySegment segment(Arena arena) {
        MemorySegment s = arena.allocate(Math.max(1, b.position()), 8);
        MemorySegment.copy(MemorySegment.ofArray(b.array()), 0, s, 0, b.position());
        return s;
    }

    public RawRecords clear() {
        b.clear();
        count = 0;
        return this;
    }
}
