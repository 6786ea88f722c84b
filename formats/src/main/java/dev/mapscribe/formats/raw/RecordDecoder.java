package dev.mapscribe.formats.raw;

import dev.mapscribe.formats.raw.KernelRecord.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

import static dev.mapscribe.formats.raw.Layouts.*;

/**
 * Decodes the kernel's raw records (bpf/mapscribe.h) into {@link KernelRecord}s. Every length is checked
 * against the bytes that are there: a damaged record gives a {@link RecordFormatException}, never a wrong record.
 */
public final class RecordDecoder {
    private RecordDecoder() {}

    // Offsets resolved once from the layouts: the layouts are the one Java definition.
    private static final long H_KIND = off(MS_HDR, "kind"), H_SIZE = off(MS_HDR, "size"), H_CPU = off(MS_HDR, "cpu"),
            H_FLAGS = off(MS_HDR, "flags"), H_KTIME = off(MS_HDR, "ktime_ns"), H_PID = off(MS_HDR, "pid"),
            H_TID = off(MS_HDR, "tid");
    public static final int HDR_SIZE = size(MS_HDR);

    private static final long F_INO = off(MS_FILE, "ino"), F_SIZE = off(MS_FILE, "size"),
            F_CSEC = off(MS_FILE, "ctime_sec"), F_CNSEC = off(MS_FILE, "ctime_nsec"), F_DEV = off(MS_FILE, "dev"),
            F_MODE = off(MS_FILE, "mode"), F_PATHLEN = off(MS_FILE, "path_len"), F_FLAGS = off(MS_FILE, "file_flags");
    private static final int FILE_SIZE = size(MS_FILE);
    private static final int SIZE_MMAP = size(MS_MMAP), SIZE_VMA = size(MS_VMA), SIZE_EXEC = size(MS_EXEC),
            SIZE_SYSCALL = size(MS_SYSCALL), SIZE_ADDR = size(MS_ADDR), SIZE_IOVECS = size(MS_IOVECS),
            SIZE_IOVEC = size(MS_IOVEC);
    private static final long IOVECS_COUNT = off(MS_IOVECS, "count"), IOVECS_FLAGS = off(MS_IOVECS, "flags");
    private static final int SIZE_POLICY = size(MS_POLICY), SIZE_UFFD = size(MS_UFFD);
    private static final long UFFD_TGID = off(MS_UFFD, "tgid"), UFFD_FLAGS = off(MS_UFFD, "flags"), UFFD_DONE = off(MS_UFFD, "done");
    private static final long POL_MODE = off(MS_POLICY, "mode"), POL_FLAGS = off(MS_POLICY, "flags"),
            POL_HOME = off(MS_POLICY, "home_node"), POL_NODES = off(MS_POLICY, "nodes"), POL_USER = off(MS_POLICY, "user_nodes");
    /** bpf/mapscribe.h's MS_IOVECS_MAX: a record naming more ranges is damaged, not a bigger array. */
    public static final int IOVECS_MAX = 64;

    /** Kind and size of the record at offset, without decoding it: for fast scans and counting. */
    public static int kindAt(MemorySegment s, long offset) {
        return Short.toUnsignedInt(s.get(U16, offset + H_KIND));
    }

    public static int sizeAt(MemorySegment s, long offset) {
        return Short.toUnsignedInt(s.get(U16, offset + H_SIZE));
    }

    /** Decodes the kernel record at offset; {@code limit} is the end of the bytes that belong to the batch. */
    public static KernelRecord decodeKernel(MemorySegment s, long offset, long limit) {
        if (limit - offset < HDR_SIZE) {
            throw new RecordFormatException("record header cut short: " + (limit - offset) + " of " + HDR_SIZE + " bytes");
        }
        int kindId = kindAt(s, offset);
        int size = sizeAt(s, offset);
        if (size < HDR_SIZE || (size & 7) != 0 || offset + size > limit) {
            throw new RecordFormatException("record length " + size + " is impossible (kind " + kindId + ", "
                    + (limit - offset) + " bytes left in the batch)");
        }
        RecordKind kind = RecordKind.of(kindId);
        if (kind == null || !kind.isKernel()) {
            throw new RecordFormatException("unknown kernel record kind " + kindId);
        }
        Hdr h = new Hdr(kindId, size, Short.toUnsignedInt(s.get(U16, offset + H_CPU)),
                Short.toUnsignedInt(s.get(U16, offset + H_FLAGS)), s.get(U64, offset + H_KTIME),
                s.get(U32, offset + H_PID), s.get(U32, offset + H_TID));
        Reader r = new Reader(s, offset, offset + size);
        KernelRecord rec = switch (kind) {
            case TASK -> {
                // A format-1 MS_TASK ends at comm (no personality): read as personality 0, the default
                boolean v1 = h.size() < size(MS_TASK);
                if (v1) r.need(TASK_PERSONALITY, "ms_task (format 1)"); else r.need(MS_TASK);
                yield new TaskRecord(h, r.i32(TASK_PPID), r.i32(TASK_UID), r.i32(TASK_GID),
                        r.i32(TASK_EUID), r.i32(TASK_EGID), r.u32(TASK_MNTNS),
                        r.i64(TASK_START_NS), r.i64(TASK_LEADER_START_NS),
                        r.i64(TASK_PARENT_START_NS), r.cstring(T_COMM, COMM_LEN), v1 ? 0 : r.i32(TASK_PERSONALITY));
            }
            case MMAP -> {
                r.need(MS_MMAP);
                FileRef file = h.has(KernelRecord.F_FILE) ? r.file(SIZE_MMAP) : null;
                yield new MmapRecord(h, r.i64(MMAP_ADDR), r.i64(MMAP_LEN), r.i32(MMAP_PROT),
                        r.i32(MMAP_FLAGS), r.i32(MMAP_FD), r.i64(MMAP_OFF), r.i64(MMAP_RET), file);
            }
            case MPROTECT -> {
                r.need(MS_MPROTECT);
                yield new MprotectRecord(h, r.i64(MPROTECT_ADDR), r.i64(MPROTECT_LEN),
                        r.i32(MPROTECT_PROT), r.i32(MPROTECT_PKEY), r.i64(MPROTECT_RET));
            }
            case MUNMAP -> {
                r.need(MS_MUNMAP);
                yield new MunmapRecord(h, r.i64(MUNMAP_ADDR), r.i64(MUNMAP_LEN), r.i64(MUNMAP_RET));
            }
            case MREMAP -> {
                r.need(MS_MREMAP);
                yield new MremapRecord(h, r.i64(MREMAP_OLD_ADDR), r.i64(MREMAP_OLD_LEN),
                        r.i64(MREMAP_NEW_LEN), r.i32(MREMAP_FLAGS), r.i64(MREMAP_NEW_ADDR),
                        r.i64(MREMAP_RET));
            }
            case BRK -> {
                r.need(MS_BRK);
                yield new BrkRecord(h, r.i64(BRK_ADDR), r.i64(BRK_START_BRK), r.i64(BRK_RET));
            }
            case SYSCALL -> {
                r.need(MS_SYSCALL);
                long[] args = new long[6];
                for (int i = 0; i < 6; i++) args[i] = s.get(U64, offset + SC_ARGS + 8L * i);
                long at = SIZE_SYSCALL, addr = 0;
                if (h.has(KernelRecord.F_ADDR)) {
                    r.need(SIZE_SYSCALL + SIZE_ADDR, "ms_addr");
                    addr = r.i64(at);
                    at += SIZE_ADDR;
                }
                long[] ranges = null;
                int rangesRead = 0;
                if (h.has(KernelRecord.F_IOVECS)) {
                    r.need(at + SIZE_IOVECS, "ms_iovecs");
                    long count = r.u32(at + IOVECS_COUNT);
                    if (count > IOVECS_MAX) throw new RecordFormatException("ms_iovecs count " + count + " over " + IOVECS_MAX);
                    rangesRead = (int) r.u32(at + IOVECS_FLAGS);
                    at += SIZE_IOVECS;
                    r.need(at + count * SIZE_IOVEC, "ms_iovec");
                    ranges = new long[(int) count * 2];
                    for (int i = 0; i < ranges.length; i++) ranges[i] = r.i64(at + 8L * i);
                    at += count * SIZE_IOVEC;
                }
                KernelRecord.Uffd uffd = null;
                if (h.has(KernelRecord.F_UFFD)) {
                    r.need(at + SIZE_UFFD, "ms_uffd");
                    uffd = new KernelRecord.Uffd(r.i32(at + UFFD_TGID), (int) r.u32(at + UFFD_FLAGS), r.i64(at + UFFD_DONE));
                    at += SIZE_UFFD;
                }
                KernelRecord.Policy policy = null;
                if (h.has(KernelRecord.F_POLICY)) {
                    r.need(at + SIZE_POLICY, "ms_policy");
                    policy = new KernelRecord.Policy(r.u16(at + POL_MODE), r.u16(at + POL_FLAGS), r.i32(at + POL_HOME),
                            r.i64(at + POL_NODES), r.i64(at + POL_USER));
                    at += SIZE_POLICY;
                }
                FileRef file = h.has(KernelRecord.F_FILE) ? r.file(at) : null;
                yield new SyscallRecord(h, r.i32(SYSCALL_NR), args, r.i64(SYSCALL_RET), addr, ranges, rangesRead, uffd, policy,
                        file);
            }
            case FORK -> {
                r.need(MS_FORK);
                yield new ForkRecord(h, r.i32(FORK_CHILD_PID), r.i32(FORK_CHILD_TID),
                        r.i64(FORK_CHILD_START_NS), r.i32(FORK_FORK_FLAGS));
            }
            case EXEC -> {
                r.need(MS_EXEC);
                // The exe's path follows the fixed part, then argv.
                FileRef exe = r.file(E_EXE, SIZE_EXEC);
                long argvAt = r.afterFile;
                int argvLen = r.i32(EXEC_ARGV_LEN);
                yield new ExecRecord(h, r.i32(EXEC_OLD_TID), exe, r.argv(argvAt, argvLen),
                        h.has(KernelRecord.F_ARGV_TRUNCATED));
            }
            case EXIT -> {
                r.need(MS_EXIT);
                yield new ExitRecord(h, r.i32(EXIT_EXIT_CODE), r.i32(EXIT_GROUP_DEAD) != 0);
            }
            case VMA -> {
                r.need(MS_VMA);
                FileRef file = h.has(KernelRecord.F_FILE) ? r.file(SIZE_VMA) : null;
                yield new VmaRecord(h, r.i64(VMA_START), r.i64(VMA_END), r.i64(VMA_PGOFF),
                        r.i64(VMA_VM_FLAGS), r.i32(VMA_SEQ), h.has(KernelRecord.F_VMA_LAST),
                        h.has(KernelRecord.F_VMA_WALK_TRUNCATED), file);
            }
            case ORDER -> {
                r.need(MS_ORDER);
                yield new OrderRecord(h, r.i32(ORDER_LOCK_SEQ), r.i32(ORDER_SEQ_NOW));
            }
            default -> throw new RecordFormatException("unknown kernel record kind " + kindId);
        };
        // The kernel sizes every record to its contents, padded to 8 (bpf/mapscribe.bpf.c, round8): a length that says
        // otherwise is damage, found here at this record rather than records later, after the next ones were
        // misread or skipped.
        long contents = (r.contentEnd + 7) & ~7L;
        if (size != contents) {
            throw new RecordFormatException("record length " + size + " does not match its " + kind + " contents ("
                    + contents + " bytes)");
        }
        return rec;
    }

    private static final long T_COMM = off(MS_TASK, "comm");
    private static final long BRK_ADDR = off(MS_BRK, "addr");
    private static final long BRK_RET = off(MS_BRK, "ret");
    private static final long BRK_START_BRK = off(MS_BRK, "start_brk");
    private static final long EXEC_ARGV_LEN = off(MS_EXEC, "argv_len");
    private static final long EXEC_OLD_TID = off(MS_EXEC, "old_tid");
    private static final long EXIT_EXIT_CODE = off(MS_EXIT, "exit_code");
    private static final long ORDER_LOCK_SEQ = off(MS_ORDER, "lock_seq"), ORDER_SEQ_NOW = off(MS_ORDER, "seq_now");
    private static final long EXIT_GROUP_DEAD = off(MS_EXIT, "group_dead");
    private static final long FORK_CHILD_PID = off(MS_FORK, "child_pid");
    private static final long FORK_CHILD_START_NS = off(MS_FORK, "child_start_ns");
    private static final long FORK_CHILD_TID = off(MS_FORK, "child_tid");
    private static final long FORK_FORK_FLAGS = off(MS_FORK, "fork_flags");
    private static final long MMAP_ADDR = off(MS_MMAP, "addr");
    private static final long MMAP_FD = off(MS_MMAP, "fd");
    private static final long MMAP_FLAGS = off(MS_MMAP, "flags");
    private static final long MMAP_LEN = off(MS_MMAP, "len");
    private static final long MMAP_OFF = off(MS_MMAP, "off");
    private static final long MMAP_PROT = off(MS_MMAP, "prot");
    private static final long MMAP_RET = off(MS_MMAP, "ret");
    private static final long MPROTECT_ADDR = off(MS_MPROTECT, "addr");
    private static final long MPROTECT_LEN = off(MS_MPROTECT, "len");
    private static final long MPROTECT_PKEY = off(MS_MPROTECT, "pkey");
    private static final long MPROTECT_PROT = off(MS_MPROTECT, "prot");
    private static final long MPROTECT_RET = off(MS_MPROTECT, "ret");
    private static final long MREMAP_FLAGS = off(MS_MREMAP, "flags");
    private static final long MREMAP_NEW_ADDR = off(MS_MREMAP, "new_addr");
    private static final long MREMAP_NEW_LEN = off(MS_MREMAP, "new_len");
    private static final long MREMAP_OLD_ADDR = off(MS_MREMAP, "old_addr");
    private static final long MREMAP_OLD_LEN = off(MS_MREMAP, "old_len");
    private static final long MREMAP_RET = off(MS_MREMAP, "ret");
    private static final long MUNMAP_ADDR = off(MS_MUNMAP, "addr");
    private static final long MUNMAP_LEN = off(MS_MUNMAP, "len");
    private static final long MUNMAP_RET = off(MS_MUNMAP, "ret");
    private static final long SYSCALL_NR = off(MS_SYSCALL, "nr");
    private static final long SYSCALL_RET = off(MS_SYSCALL, "ret");
    private static final long TASK_EGID = off(MS_TASK, "egid");
    private static final long TASK_EUID = off(MS_TASK, "euid");
    private static final long TASK_GID = off(MS_TASK, "gid");
    private static final long TASK_LEADER_START_NS = off(MS_TASK, "leader_start_ns");
    private static final long TASK_MNTNS = off(MS_TASK, "mntns");
    private static final long TASK_PERSONALITY = off(MS_TASK, "personality");
    private static final long TASK_PARENT_START_NS = off(MS_TASK, "parent_start_ns");
    private static final long TASK_PPID = off(MS_TASK, "ppid");
    private static final long TASK_START_NS = off(MS_TASK, "start_ns");
    private static final long TASK_UID = off(MS_TASK, "uid");
    private static final long VMA_END = off(MS_VMA, "end");
    private static final long VMA_PGOFF = off(MS_VMA, "pgoff");
    private static final long VMA_SEQ = off(MS_VMA, "seq");
    private static final long VMA_START = off(MS_VMA, "start");
    private static final long VMA_VM_FLAGS = off(MS_VMA, "vm_flags");
    private static final long SC_ARGS = off(MS_SYSCALL, "args");
    private static final long E_EXE = off(MS_EXEC, "exe");

    /** Reads members of one record, bounds-checked against the record's own size. */
    private static final class Reader {
        final MemorySegment s;
        final long base, end;
        long afterFile;
        long contentEnd; // the end of what the record's kind and lengths say it holds, from its start

        Reader(MemorySegment s, long base, long end) {
            this.s = s;
            this.base = base;
            this.end = end;
        }

        void need(StructLayout l) {
            need(l.byteSize(), l.name().orElse("record"));
        }

        /** The record holds at least {@code bytes} (its fixed part and the optional parts up to what). */
        void need(long bytes, String what) {
            if (base + bytes > end) {
                throw new RecordFormatException(what + " needs " + bytes + " bytes, record has " + (end - base));
            }
            contentEnd = Math.max(contentEnd, bytes);
        }

        int i32(long at) { return s.get(U32, base + at); }

        long u32(long at) { return Integer.toUnsignedLong(i32(at)); }

        int u16(long at) { return Short.toUnsignedInt(s.get(U16, base + at)); }

        long i64(long at) { return s.get(U64, base + at); }

        String cstring(long at, int max) {
            int n = 0;
            while (n < max && s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, base + at + n) != 0) n++;
            return Utf8Text.decode(s.asSlice(base + at, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }

        /** An ms_file at {@code at} whose path starts at {@code pathAt}. */
        FileRef file(long at, long pathAt) {
            if (base + at + FILE_SIZE > end) throw new RecordFormatException("ms_file runs past the record end");
            int pathLen = Short.toUnsignedInt(s.get(U16, base + at + F_PATHLEN));
            if (base + pathAt + pathLen > end) {
                throw new RecordFormatException("path length " + pathLen + " runs past the record end");
            }
            afterFile = pathAt + pathLen;
            contentEnd = Math.max(contentEnd, afterFile);
            String path = Utf8Text.decode(s.asSlice(base + pathAt, pathLen).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            return new FileRef(s.get(U64, base + at + F_INO), s.get(U64, base + at + F_SIZE),
                    s.get(U64, base + at + F_CSEC), s.get(U32, base + at + F_CNSEC), s.get(U32, base + at + F_DEV),
                    s.get(U32, base + at + F_MODE), Short.toUnsignedInt(s.get(U16, base + at + F_FLAGS)), path);
        }

        /** An ms_file that directly follows the fixed part at {@code at}, its path right after it. */
        FileRef file(long at) {
            return file(at, at + FILE_SIZE);
        }

        List<String> argv(long at, int len) {
            if (len < 0 || base + at + len > end) throw new RecordFormatException("argv length " + len + " runs past the record end");
            contentEnd = Math.max(contentEnd, at + len);
            byte[] b = s.asSlice(base + at, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            List<String> out = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == 0) {
                    out.add(Utf8Text.decode(b, start, i - start));
                    start = i + 1;
                }
            }
            if (start < b.length) out.add(Utf8Text.decode(b, start, b.length - start));
            return List.copyOf(out);
        }
    }
}
