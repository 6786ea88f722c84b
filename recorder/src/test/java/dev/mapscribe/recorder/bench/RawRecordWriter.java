package dev.mapscribe.recorder.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Lays synthetic raw kernel records end to end into a native buffer, exactly as the
 * kernel programs would put them in the ring buffer (bpf/mapscribe.h: little-endian,
 * each record a multiple of 8 bytes). Benchmark input only: the offsets below are the
 * header's, and the journal reader's decoder checks every record the benchmarks write.
 */
final class RawRecordWriter {
    // enum ms_kind and flag bits, from bpf/mapscribe.h.
    static final int TASK = 1, MMAP = 2, MPROTECT = 3, MUNMAP = 4, FORK = 8, EXEC = 9, EXIT = 10, VMA = 11;
    static final int F_FILE = 0x0001, F_VMA_LAST = 0x0020;
    static final int HDR = 24, FILE = 40;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment buf;
    private long pos;
    private int count;

    RawRecordWriter(MemorySegment buf) {
        this.buf = buf;
    }

    long length() { return pos; }
    int count() { return count; }
    long remaining() { return buf.byteSize() - pos; }
    MemorySegment buffer() { return buf; }

    void reset() {
        pos = 0;
        count = 0;
    }

    /** A file the synthetic records map or exec: identity plus path. */
    record SynthFile(long ino, long size, long ctimeSec, int ctimeNsec, int dev, int mode, String path) {}

    private long begin(int kind, int fixedSize, int flags, int varBytes, long ktimeNs, int cpu, int pid, int tid) {
        long at = pos;
        int size = (fixedSize + varBytes + 7) & ~7; // ms_hdr.size covers everything, rounded up to 8
        buf.asSlice(at, size).fill((byte) 0);        // padding and reserved fields are zero, as in the kernel
        buf.set(U16, at, (short) kind);
        buf.set(U16, at + 2, (short) size);
        buf.set(U16, at + 4, (short) cpu);
        buf.set(U16, at + 6, (short) flags);
        buf.set(U64, at + 8, ktimeNs);
        buf.set(U32, at + 16, pid);
        buf.set(U32, at + 20, tid);
        pos += size;
        count++;
        return at;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** struct ms_file at {@code at}, its path right after it; returns the end of the path. */
    private long putFile(long at, SynthFile f, byte[] path) {
        buf.set(U64, at, f.ino());
        buf.set(U64, at + 8, f.size());
        buf.set(U64, at + 16, f.ctimeSec());
        buf.set(U32, at + 24, f.ctimeNsec());
        buf.set(U32, at + 28, f.dev());
        buf.set(U32, at + 32, f.mode());
        buf.set(U16, at + 36, (short) path.length);
        buf.set(U16, at + 38, (short) 0);
        MemorySegment.copy(path, 0, buf, ValueLayout.JAVA_BYTE, at + FILE, path.length);
        return at + FILE + path.length;
    }

    static int mmapSize(SynthFile f) {
        return f == null ? 72 : (72 + FILE + utf8(f.path()).length + 7) & ~7;
    }

    void task(long t, int cpu, int pid, int tid, int ppid, int uid, long startNs, long leaderStartNs, long parentStartNs, String comm) {
        long at = begin(TASK, 88, 0, 0, t, cpu, pid, tid);
        buf.set(U32, at + 24, ppid);
        buf.set(U32, at + 28, uid);
        buf.set(U32, at + 32, uid);
        buf.set(U32, at + 36, uid);
        buf.set(U32, at + 40, uid);
        buf.set(U32, at + 44, 0xF0000000); // mount namespace inode number
        buf.set(U64, at + 48, startNs);
        buf.set(U64, at + 56, leaderStartNs);
        buf.set(U64, at + 64, parentStartNs);
        byte[] c = utf8(comm);
        MemorySegment.copy(c, 0, buf, ValueLayout.JAVA_BYTE, at + 72, Math.min(c.length, 15));
    }

    void mmap(long t, int cpu, int pid, int tid, long addr, long len, int prot, int flags, int fd, long off, long ret, SynthFile f) {
        byte[] path = f == null ? null : utf8(f.path());
        long at = begin(MMAP, 72, f == null ? 0 : F_FILE, f == null ? 0 : FILE + path.length, t, cpu, pid, tid);
        buf.set(U64, at + 24, addr);
        buf.set(U64, at + 32, len);
        buf.set(U32, at + 40, prot);
        buf.set(U32, at + 44, flags);
        buf.set(U32, at + 48, fd);
        buf.set(U64, at + 56, off);
        buf.set(U64, at + 64, ret);
        if (f != null) putFile(at + 72, f, path);
    }

    void mprotect(long t, int cpu, int pid, int tid, long addr, long len, int prot, long ret) {
        long at = begin(MPROTECT, 56, 0, 0, t, cpu, pid, tid);
        buf.set(U64, at + 24, addr);
        buf.set(U64, at + 32, len);
        buf.set(U32, at + 40, prot);
        buf.set(U32, at + 44, -1); // pkey: -1 for mprotect(2)
        buf.set(U64, at + 48, ret);
    }

    void munmap(long t, int cpu, int pid, int tid, long addr, long len, long ret) {
        long at = begin(MUNMAP, 48, 0, 0, t, cpu, pid, tid);
        buf.set(U64, at + 24, addr);
        buf.set(U64, at + 32, len);
        buf.set(U64, at + 40, ret);
    }

    void fork(long t, int cpu, int pid, int tid, int childPid, long childStartNs) {
        long at = begin(FORK, 48, 0, 0, t, cpu, pid, tid);
        buf.set(U32, at + 24, childPid);
        buf.set(U32, at + 28, childPid);
        buf.set(U64, at + 32, childStartNs);
    }

    void exec(long t, int cpu, int pid, SynthFile exe, String argvNulSeparated) {
        byte[] path = utf8(exe.path()), argv = utf8(argvNulSeparated);
        long at = begin(EXEC, 72, 0, path.length + argv.length, t, cpu, pid, pid);
        buf.set(U32, at + 24, pid);
        buf.set(U32, at + 28, argv.length);
        long end = putFile(at + 32, exe, path);
        MemorySegment.copy(argv, 0, buf, ValueLayout.JAVA_BYTE, end, argv.length);
    }

    void exit(long t, int cpu, int pid, int tid, int code) {
        long at = begin(EXIT, 32, 0, 0, t, cpu, pid, tid);
        buf.set(U32, at + 24, code);
        buf.set(U32, at + 28, pid == tid ? 1 : 0);
    }

    void vma(long t, int cpu, int pid, long start, long end, long pgoff, long vmFlags, int seq, boolean last, SynthFile f) {
        byte[] path = f == null ? null : utf8(f.path());
        int flags = (f == null ? 0 : F_FILE) | (last ? F_VMA_LAST : 0);
        long at = begin(VMA, 64, flags, f == null ? 0 : FILE + path.length, t, cpu, pid, pid);
        buf.set(U64, at + 24, start);
        buf.set(U64, at + 32, end);
        buf.set(U64, at + 40, pgoff);
        buf.set(U64, at + 48, vmFlags);
        buf.set(U32, at + 56, seq);
        if (f != null) putFile(at + 64, f, path);
    }
}
