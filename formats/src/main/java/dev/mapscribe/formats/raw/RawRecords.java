package dev.mapscribe.formats.raw;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static dev.mapscribe.formats.raw.Layouts.MS_ADDR;
import static dev.mapscribe.formats.raw.Layouts.MS_IOVECS;
import static dev.mapscribe.formats.raw.Layouts.MS_UFFD;
import static dev.mapscribe.formats.raw.Layouts.MS_EXEC;
import static dev.mapscribe.formats.raw.Layouts.MS_EXIT;
import static dev.mapscribe.formats.raw.Layouts.MS_FILE;
import static dev.mapscribe.formats.raw.Layouts.MS_FORK;
import static dev.mapscribe.formats.raw.Layouts.MS_HDR;
import static dev.mapscribe.formats.raw.Layouts.MS_SYSCALL;
import static dev.mapscribe.formats.raw.Layouts.MS_MMAP;
import static dev.mapscribe.formats.raw.Layouts.MS_MPROTECT;
import static dev.mapscribe.formats.raw.Layouts.MS_MUNMAP;
import static dev.mapscribe.formats.raw.Layouts.MS_TASK;
import static dev.mapscribe.formats.raw.Layouts.MS_VMA;
import static dev.mapscribe.formats.raw.Layouts.U16;
import static dev.mapscribe.formats.raw.Layouts.U32;
import static dev.mapscribe.formats.raw.Layouts.U64;
import static dev.mapscribe.formats.raw.Layouts.off;

/**
 * Lays raw kernel records end to end as the kernel programs put them in the ring buffer (bpf/mapscribe.h:
 * little-endian, each record padded to a multiple of 8 with zeros), for tests, synthetic journals,
 * benchmarks and the recorder's start-up warm-up (KernelBatcher.warmUp). Offsets and sizes come from {@link dev.mapscribe.formats.raw.Layouts}, the one Java definition
 * (LayoutTest checks it against the C header); RawRecordsTest decodes every kind written here and compares
 * field by field, so a value written into the wrong member fails there.
 *
 * <p>The short methods (no cpu, no file identity) fill the rest with fixed plausible values; the long ones
 * set everything.
 */
public final class RawRecords {
    /** A file that records map or exec: struct ms_file plus its path. */
    public record SynthFile(long ino, long size, long ctimeSec, int ctimeNsec, int dev, int mode, String path) {
        /** A 4096-byte executable regular file with a fixed ctime. */
        public static SynthFile of(long ino, int dev, String path) {
            return new SynthFile(ino, 4096, 1_700_000_000L, 5, dev, 0100755, path);
        }
    }

    private static final long H_KIND = off(MS_HDR, "kind"), H_SIZE = off(MS_HDR, "size"), H_CPU = off(MS_HDR, "cpu"),
            H_FLAGS = off(MS_HDR, "flags"), H_KTIME = off(MS_HDR, "ktime_ns"), H_PID = off(MS_HDR, "pid"),
            H_TID = off(MS_HDR, "tid");
    private static final long F_INO = off(MS_FILE, "ino"), F_SIZE = off(MS_FILE, "size"),
            F_CTIME_SEC = off(MS_FILE, "ctime_sec"), F_CTIME_NSEC = off(MS_FILE, "ctime_nsec"), F_DEV = off(MS_FILE, "dev"),
            F_MODE = off(MS_FILE, "mode"), F_PATH_LEN = off(MS_FILE, "path_len"), F_FILE_FLAGS = off(MS_FILE, "file_flags");
    private static final long FILE_SIZE = MS_FILE.byteSize();

    private final MemorySegment buf;
    private long pos;
    private int count;

    /** Records in a heap buffer of {@code capacity} bytes; {@link #segment} copies them out. */
    public RawRecords(int capacity) {
        this(MemorySegment.ofArray(new byte[capacity]));
    }

    /** Records written straight into {@code buf} (a native batch buffer, say), from its start. */
    public RawRecords(MemorySegment buf) {
        this.buf = buf;
    }

    public int count() { return count; }

    /** Bytes written so far. */
    public long length() { return pos; }

    public long remaining() { return buf.byteSize() - pos; }

    /** The buffer the records are written into; the first {@link #length()} bytes hold them. */
    public MemorySegment buffer() { return buf; }

    /** The records so far copied into a native segment, as the ring reader would hand them over. */
    public MemorySegment segment(Arena arena) {
        MemorySegment s = arena.allocate(Math.max(1, pos), 8);
        MemorySegment.copy(buf, 0, s, 0, pos);
        return s;
    }

    /** Starts over at the beginning of the buffer. */
    public RawRecords clear() {
        pos = 0;
        count = 0;
        return this;
    }

    /** Writes struct ms_hdr of a new record; returns the record's offset. ms_hdr.size covers everything, padded to 8. */
    private long begin(RecordKind kind, StructLayout fixed, int flags, long varBytes, long ktimeNs, int cpu, int pid, int tid) {
        long at = pos;
        int size = Math.toIntExact((fixed.byteSize() + varBytes + 7) & ~7);
        buf.asSlice(at, size).fill((byte) 0); // padding and reserved fields are zero, as in the kernel
        buf.set(U16, at + H_KIND, (short) kind.id());
        buf.set(U16, at + H_SIZE, (short) size);
        buf.set(U16, at + H_CPU, (short) cpu);
        buf.set(U16, at + H_FLAGS, (short) flags);
        buf.set(U64, at + H_KTIME, ktimeNs);
        buf.set(U32, at + H_PID, pid);
        buf.set(U32, at + H_TID, tid);
        pos += size;
        count++;
        return at;
    }

    /**
     * {@link #begin} for a kind whose file, when {@code f} is not null, follows its fixed part as struct ms_file
     * plus path, with MS_F_FILE added to {@code flags}; writes that file part. Returns the record's offset.
     */
    private long beginWithFile(RecordKind kind, StructLayout fixed, int flags, SynthFile f, long ktimeNs, int cpu,
                               int pid, int tid) {
        if (f == null) {
            return begin(kind, fixed, flags, 0, ktimeNs, cpu, pid, tid);
        }
        byte[] path = utf8(f.path());
        long at = begin(kind, fixed, flags | KernelRecord.F_FILE, FILE_SIZE + path.length, ktimeNs, cpu, pid, tid);
        putFile(at + fixed.byteSize(), f, path);
        return at;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** struct ms_file at {@code at}, its path right after it; returns the end of the path. */
    private long putFile(long at, SynthFile f, byte[] path) {
        buf.set(U64, at + F_INO, f.ino());
        buf.set(U64, at + F_SIZE, f.size());
        buf.set(U64, at + F_CTIME_SEC, f.ctimeSec());
        buf.set(U32, at + F_CTIME_NSEC, f.ctimeNsec());
        buf.set(U32, at + F_DEV, f.dev());
        buf.set(U32, at + F_MODE, f.mode());
        buf.set(U16, at + F_PATH_LEN, (short) path.length);
        buf.set(U16, at + F_FILE_FLAGS, (short) 0);
        MemorySegment.copy(path, 0, buf, ValueLayout.JAVA_BYTE, at + FILE_SIZE, path.length);
        return at + FILE_SIZE + path.length;
    }

    private static final long T_PPID = off(MS_TASK, "ppid"), T_UID = off(MS_TASK, "uid"), T_GID = off(MS_TASK, "gid"),
            T_EUID = off(MS_TASK, "euid"), T_EGID = off(MS_TASK, "egid"), T_MNTNS = off(MS_TASK, "mntns"),
            T_START_NS = off(MS_TASK, "start_ns"), T_LEADER_START_NS = off(MS_TASK, "leader_start_ns"),
            T_PARENT_START_NS = off(MS_TASK, "parent_start_ns"), T_PERSONALITY = off(MS_TASK, "personality"), T_COMM = off(MS_TASK, "comm");

    /** A task record with uid = gid = euid = egid and a fixed mount namespace. */
    public RawRecords task(long ktime, int cpu, int pid, int tid, int ppid, int uid, long startNs, long leaderStartNs,
                           long parentStartNs, String comm) {
        return task(ktime, cpu, pid, tid, ppid, uid, startNs, leaderStartNs, parentStartNs, comm, 0);
    }

    /** A task record with a personality (task->personality: READ_IMPLIES_EXEC is 0x0400000). */
    public RawRecords task(long ktime, int cpu, int pid, int tid, int ppid, int uid, long startNs, long leaderStartNs,
                           long parentStartNs, String comm, int personality) {
        long at = begin(RecordKind.TASK, MS_TASK, 0, 0, ktime, cpu, pid, tid);
        buf.set(U32, at + T_PERSONALITY, personality);
        buf.set(U32, at + T_PPID, ppid);
        buf.set(U32, at + T_UID, uid);
        buf.set(U32, at + T_GID, uid);
        buf.set(U32, at + T_EUID, uid);
        buf.set(U32, at + T_EGID, uid);
        buf.set(U32, at + T_MNTNS, 0xF0000000); // mount namespace inode number
        buf.set(U64, at + T_START_NS, startNs);
        buf.set(U64, at + T_LEADER_START_NS, leaderStartNs);
        buf.set(U64, at + T_PARENT_START_NS, parentStartNs);
        byte[] c = utf8(comm);
        MemorySegment.copy(c, 0, buf, ValueLayout.JAVA_BYTE, at + T_COMM, Math.min(c.length, 15)); // NUL-terminated
        return this;
    }

    /** A task record of a group leader (leader start = start) whose parent started at 1 ns. */
    public RawRecords task(long ktime, int pid, int tid, int ppid, int uid, long startNs, String comm) {
        return task(ktime, 0, pid, tid, ppid, uid, startNs, startNs, 1, comm);
    }

    private static final long M_ADDR = off(MS_MMAP, "addr"), M_LEN = off(MS_MMAP, "len"), M_PROT = off(MS_MMAP, "prot"),
            M_FLAGS = off(MS_MMAP, "flags"), M_FD = off(MS_MMAP, "fd"), M_OFF = off(MS_MMAP, "off"),
            M_RET = off(MS_MMAP, "ret");

    /** mmap(2); with a file (not null): ms_mmap, then ms_file, then the path, and MS_F_FILE set. */
    public RawRecords mmap(long ktime, int cpu, int pid, int tid, long addr, long len, int prot, int flags, int fd,
                           long off, long ret, SynthFile f) {
        long at = beginWithFile(RecordKind.MMAP, MS_MMAP, 0, f, ktime, cpu, pid, tid);
        buf.set(U64, at + M_ADDR, addr);
        buf.set(U64, at + M_LEN, len);
        buf.set(U32, at + M_PROT, prot);
        buf.set(U32, at + M_FLAGS, flags);
        buf.set(U32, at + M_FD, fd);
        buf.set(U64, at + M_OFF, off);
        buf.set(U64, at + M_RET, ret);
        return this;
    }

    /** An anonymous (or unresolved fd) mmap. */
    public RawRecords mmap(long ktime, int pid, int tid, long addr, long len, int prot, int flags, int fd, long off, long ret) {
        return mmap(ktime, 0, pid, tid, addr, len, prot, flags, fd, off, ret, null);
    }

    /** mmap of a file {@link SynthFile#of(long, int, String)}. */
    public RawRecords mmapFile(long ktime, int pid, int tid, long addr, long len, int prot, int flags, int fd, long off,
                               long ret, long ino, int dev, String path) {
        return mmap(ktime, 0, pid, tid, addr, len, prot, flags, fd, off, ret, SynthFile.of(ino, dev, path));
    }

    private static final long S_NR = off(MS_SYSCALL, "nr"), S_ARGS = off(MS_SYSCALL, "args"), S_RET = off(MS_SYSCALL, "ret");

    /** A generic syscall record (ms_syscall): six arguments, the result; with a file (not null), MS_F_FILE and the file. */
    public RawRecords syscall(long ktime, int cpu, int pid, int tid, int nr, long[] args, long ret, SynthFile f) {
        long at = beginWithFile(RecordKind.SYSCALL, MS_SYSCALL, 0, f, ktime, cpu, pid, tid);
        return syscallFixed(at, nr, args, ret);
    }

    /**
     * A generic syscall record with its address part (MS_F_ADDR: where a write into a process's memory began), then,
     * with a file (not null), MS_F_FILE and the file.
     */
    public RawRecords syscall(long ktime, int cpu, int pid, int tid, int nr, long[] args, long ret, long addr,
                              SynthFile f) {
        long fixed = MS_SYSCALL.byteSize(), addrSize = MS_ADDR.byteSize();
        byte[] path = f == null ? null : utf8(f.path());
        int flags = KernelRecord.F_ADDR | (f == null ? 0 : KernelRecord.F_FILE);
        long at = begin(RecordKind.SYSCALL, MS_SYSCALL, flags, addrSize + (f == null ? 0 : FILE_SIZE + path.length),
                ktime, cpu, pid, tid);
        buf.set(U64, at + fixed, addr);
        if (f != null) putFile(at + fixed + addrSize, f, path);
        return syscallFixed(at, nr, args, ret);
    }

    /**
     * A process_vm_writev-style record with its ranges part (MS_F_IOVECS: base and length pairs, read as the call
     * returned), and the first base as its address part (MS_F_ADDR) when there is one.
     */
    public RawRecords syscallWithRanges(long ktime, int cpu, int pid, int tid, int nr, long[] args, long ret, long[] ranges) {
        return syscallWithRanges(ktime, cpu, pid, tid, nr, args, ret, ranges, 0);
    }

    /** As above, with when the ranges were read: KernelRecord.SyscallRecord's RANGES_AT_ENTRY and RANGES_CHANGED bits. */
    public RawRecords syscallWithRanges(long ktime, int cpu, int pid, int tid, int nr, long[] args, long ret, long[] ranges,
            int rangesRead) {
        long fixed = MS_SYSCALL.byteSize(), addrSize = ranges.length > 0 ? MS_ADDR.byteSize() : 0;
        int flags = KernelRecord.F_IOVECS | (ranges.length > 0 ? KernelRecord.F_ADDR : 0);
        long at = begin(RecordKind.SYSCALL, MS_SYSCALL, flags, addrSize + MS_IOVECS.byteSize() + 8L * ranges.length,
                ktime, cpu, pid, tid);
        if (ranges.length > 0) buf.set(U64, at + fixed, ranges[0]);
        buf.set(U32, at + fixed + addrSize, ranges.length / 2);
        buf.set(U32, at + fixed + addrSize + 4, rangesRead);
        for (int i = 0; i < ranges.length; i++) buf.set(U64, at + fixed + addrSize + MS_IOVECS.byteSize() + 8L * i, ranges[i]);
        return syscallFixed(at, nr, args, ret);
    }

    /**
     * An ioctl UFFDIO_COPY-style record: the range asked for as its address and ranges parts (read as the call
     * returned), then the userfaultfd part (MS_F_UFFD): whose address space, and what the kernel reports done.
     */
    public RawRecords uffdFill(long ktime, int cpu, int pid, int tid, long[] args, long ret, long dst, long len, int tgid,
            long done) {
        long fixed = MS_SYSCALL.byteSize(), addrSize = MS_ADDR.byteSize(), rangesSize = MS_IOVECS.byteSize() + 16;
        int flags = KernelRecord.F_ADDR | KernelRecord.F_IOVECS | KernelRecord.F_UFFD;
        long at = begin(RecordKind.SYSCALL, MS_SYSCALL, flags, addrSize + rangesSize + MS_UFFD.byteSize(), ktime, cpu, pid, tid);
        buf.set(U64, at + fixed, dst);
        buf.set(U32, at + fixed + addrSize, 1);
        buf.set(U32, at + fixed + addrSize + 4, 0);
        buf.set(U64, at + fixed + addrSize + MS_IOVECS.byteSize(), dst);
        buf.set(U64, at + fixed + addrSize + MS_IOVECS.byteSize() + 8, len);
        long u = at + fixed + addrSize + rangesSize;
        buf.set(U32, u, tgid);
        buf.set(U32, u + 4, KernelRecord.Uffd.DONE);
        buf.set(U64, u + 8, done);
        return syscallFixed(at, 16, args, ret);
    }

    private RawRecords syscallFixed(long at, int nr, long[] args, long ret) {
        buf.set(U32, at + S_NR, nr);
        for (int i = 0; i < 6; i++) {
            buf.set(U64, at + S_ARGS + 8L * i, i < args.length ? args[i] : 0);
        }
        buf.set(U64, at + S_RET, ret);
        return this;
    }

    private static final long P_ADDR = off(MS_MPROTECT, "addr"), P_LEN = off(MS_MPROTECT, "len"),
            P_PROT = off(MS_MPROTECT, "prot"), P_PKEY = off(MS_MPROTECT, "pkey"), P_RET = off(MS_MPROTECT, "ret");

    /** mprotect(2): pkey -1, MS_F_PKEY clear. */
    public RawRecords mprotect(long ktime, int cpu, int pid, int tid, long addr, long len, int prot, long ret) {
        long at = begin(RecordKind.MPROTECT, MS_MPROTECT, 0, 0, ktime, cpu, pid, tid);
        buf.set(U64, at + P_ADDR, addr);
        buf.set(U64, at + P_LEN, len);
        buf.set(U32, at + P_PROT, prot);
        buf.set(U32, at + P_PKEY, -1);
        buf.set(U64, at + P_RET, ret);
        return this;
    }

    public RawRecords mprotect(long ktime, int pid, int tid, long addr, long len, int prot, long ret) {
        return mprotect(ktime, 0, pid, tid, addr, len, prot, ret);
    }

    private static final long U_ADDR = off(MS_MUNMAP, "addr"), U_LEN = off(MS_MUNMAP, "len"), U_RET = off(MS_MUNMAP, "ret");

    public RawRecords munmap(long ktime, int cpu, int pid, int tid, long addr, long len, long ret) {
        long at = begin(RecordKind.MUNMAP, MS_MUNMAP, 0, 0, ktime, cpu, pid, tid);
        buf.set(U64, at + U_ADDR, addr);
        buf.set(U64, at + U_LEN, len);
        buf.set(U64, at + U_RET, ret);
        return this;
    }

    public RawRecords munmap(long ktime, int pid, int tid, long addr, long len, long ret) {
        return munmap(ktime, 0, pid, tid, addr, len, ret);
    }

    private static final long K_CHILD_PID = off(MS_FORK, "child_pid"), K_CHILD_TID = off(MS_FORK, "child_tid"),
            K_CHILD_START_NS = off(MS_FORK, "child_start_ns");

    /** fork(2) of a new process: child tid = child pid, no fork flags. */
    public RawRecords fork(long ktime, int cpu, int pid, int tid, int childPid, long childStartNs) {
        long at = begin(RecordKind.FORK, MS_FORK, 0, 0, ktime, cpu, pid, tid);
        buf.set(U32, at + K_CHILD_PID, childPid);
        buf.set(U32, at + K_CHILD_TID, childPid);
        buf.set(U64, at + K_CHILD_START_NS, childStartNs);
        return this;
    }

    private static final long E_OLD_TID = off(MS_EXEC, "old_tid"), E_ARGV_LEN = off(MS_EXEC, "argv_len"),
            E_EXE = off(MS_EXEC, "exe");

    /** execve(2) by the leader: ms_exec (with its ms_file), the path, then argv NUL-separated. */
    public RawRecords exec(long ktime, int cpu, int pid, SynthFile exe, String argvNulSeparated) {
        byte[] path = utf8(exe.path()), argv = utf8(argvNulSeparated);
        long at = begin(RecordKind.EXEC, MS_EXEC, 0, path.length + argv.length, ktime, cpu, pid, pid);
        buf.set(U32, at + E_OLD_TID, pid);
        buf.set(U32, at + E_ARGV_LEN, argv.length);
        long end = putFile(at + E_EXE, exe, path);
        MemorySegment.copy(argv, 0, buf, ValueLayout.JAVA_BYTE, end, argv.length);
        return this;
    }

    /** execve(2) of a fixed file identity; each argument NUL-terminated. */
    public RawRecords exec(long ktime, int pid, String exe, String... argv) {
        return exec(ktime, 0, pid, SynthFile.of(1234, (8 << 20) | 1, exe), String.join("\0", argv).concat("\0"));
    }

    private static final long X_EXIT_CODE = off(MS_EXIT, "exit_code"), X_GROUP_DEAD = off(MS_EXIT, "group_dead");

    /** Thread exit; the group is dead when the leader (pid == tid) exits. */
    public RawRecords exit(long ktime, int cpu, int pid, int tid, int code) {
        long at = begin(RecordKind.EXIT, MS_EXIT, 0, 0, ktime, cpu, pid, tid);
        buf.set(U32, at + X_EXIT_CODE, code);
        buf.set(U32, at + X_GROUP_DEAD, pid == tid ? 1 : 0);
        return this;
    }

    private static final long V_START = off(MS_VMA, "start"), V_END = off(MS_VMA, "end"), V_PGOFF = off(MS_VMA, "pgoff"),
            V_VM_FLAGS = off(MS_VMA, "vm_flags"), V_SEQ = off(MS_VMA, "seq");

    /** One VMA of a walk after exec; a file (not null) follows as ms_file plus path, with MS_F_FILE. */
    public RawRecords vma(long ktime, int cpu, int pid, long start, long end, long pgoff, long vmFlags, int seq,
                          boolean last, SynthFile f) {
        int flags = last ? KernelRecord.F_VMA_LAST : 0;
        long at = beginWithFile(RecordKind.VMA, MS_VMA, flags, f, ktime, cpu, pid, pid);
        buf.set(U64, at + V_START, start);
        buf.set(U64, at + V_END, end);
        buf.set(U64, at + V_PGOFF, pgoff);
        buf.set(U64, at + V_VM_FLAGS, vmFlags);
        buf.set(U32, at + V_SEQ, seq);
        return this;
    }
}
