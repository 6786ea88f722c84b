package dev.mapscribe.formats.raw;

import java.util.List;

/** A record emitted by the kernel programs, decoded from the layouts of bpf/mapscribe.h (see {@link Layouts}). */
public sealed interface KernelRecord extends Record {
    Hdr h();

    /** struct ms_hdr. */
    record Hdr(int kind, int size, int cpu, int flags, long ktimeNs, int pid, int tid) {
        public boolean has(int flag) { return (flags & flag) != 0; }
    }

    /** struct ms_file and the path that follows it. */
    record FileRef(long ino, long size, long ctimeSec, int ctimeNsec, int dev, int mode, int fileFlags, String path) {
        /** NOEXEC: on a noexec mount, looked at only for an mmap by a task with READ_IMPLIES_EXEC (else never set). */
        public static final int PATH_TRUNCATED = 0x1, UNLINKED = 0x2, NO_PATH = 0x4, NOEXEC = 0x8;
        public int devMajor() { return dev >>> 20; }
        public int devMinor() { return dev & 0xfffff; }
        public boolean unlinked() { return (fileFlags & UNLINKED) != 0; }
        public boolean pathTruncated() { return (fileFlags & PATH_TRUNCATED) != 0; }
        public boolean noexecMount() { return (fileFlags & NOEXEC) != 0; }
    }

    // ms_hdr.flags bits
    int F_FILE = 0x1, F_PKEY = 0x2, F_ARGV_TRUNCATED = 0x4, F_ENTER_ONLY = 0x8, F_VMA_WALK_TRUNCATED = 0x10,
        F_VMA_LAST = 0x20, F_SHMAT = 0x40, F_ADDR = 0x80,
        /** a 32-bit call (a 32-bit process, or int 0x80) recorded as the 64-bit call it equals (mmap2 as mmap, ...) */
        F_COMPAT = 0x100,
        /** MS_MMAP: io_setup(2)'s AIO ring: fd = nr_events, ret = the ring's address, len = its size */
        F_AIO = 0x200,
        /** MS_SYSCALL: the ranges part follows the address part (process_vm_writev's remote iovecs; a vectored write's one range) */
        F_IOVECS = 0x400,
        /** MS_SYSCALL: the policy part follows (mbind, set_mempolicy_home_node: the NUMA policy left on the VMA) */
        F_POLICY = 0x800,
        /**
         * MS_MMAP of a 32-bit old_mmap: prot, MAP_SHARED/MAP_PRIVATE/MAP_ANONYMOUS and the file are the VMA's the call
         * made, not its arguments (read from the caller's memory as it returned: another thread may have rewritten them)
         */
        F_ARGS_FROM_VMA = 0x1000,
        /**
         * a call made with x32's numbers (the __X32_SYSCALL_BIT set, which any 64-bit process can), recorded as the
         * 64-bit call of the same number: the kernel ran that call, or failed it with ENOSYS where it has no x32
         */
        F_X32 = 0x2000,
        /** MS_SYSCALL: the userfaultfd part follows the ranges part (an ioctl UFFDIO_COPY or UFFDIO_MOVE: {@link Uffd}) */
        F_UFFD = 0x4000;

    /**
     * The userfaultfd part of an ioctl that put pages into an address space through a userfaultfd: the process the
     * address space belongs to (0: unknown), and what the kernel wrote back as done (bytes filled, or -errno), when
     * {@link #doneRead()}.
     */
    record Uffd(int tgid, int flags, long done) {
        /** bpf/mapscribe.h MS_UFFD_DONE: done was read (the argument, as the call returned). */
        public static final int DONE = 0x1;

        public boolean doneRead() { return (flags & DONE) != 0; }
    }

    /**
     * A NUMA policy as the kernel keeps it on a VMA (struct mempolicy): mode (MPOL_DEFAULT 0 for none), flags, home
     * node, and the first 64 bits of its nodes and of the user's nodemask (kept for MPOL_F_STATIC_NODES and
     * MPOL_F_RELATIVE_NODES).
     */
    record Policy(int mode, int flags, int homeNode, long nodes, long userNodes) {}

    /** personality: task->personality (0 in a format-1 journal, whose MS_TASK had none; 0 is Linux's default). */
    record TaskRecord(Hdr h, int ppid, int uid, int gid, int euid, int egid, long mntns, long startNs,
                      long leaderStartNs, long parentStartNs, String comm, int personality) implements KernelRecord {
        /** personality(2)'s flag that makes PROT_READ imply PROT_EXEC for the task's mmap, mprotect and brk. */
        public static final int READ_IMPLIES_EXEC = 0x0400000;

        public TaskRecord(Hdr h, int ppid, int uid, int gid, int euid, int egid, long mntns, long startNs,
                          long leaderStartNs, long parentStartNs, String comm) {
            this(h, ppid, uid, gid, euid, egid, mntns, startNs, leaderStartNs, parentStartNs, comm, 0);
        }

        public RecordKind kind() { return RecordKind.TASK; }
    }

    /**
     * mmap(2); {@code file} is null for anonymous mappings or when the fd did not resolve. With F_SHMAT, shmat(2):
     * addr is shmaddr, flags the raw shmflg, fd the shmid, prot the mapping's (read, write unless SHM_RDONLY, exec
     * with SHM_EXEC), len the segment's size (0 when the call failed), file the segment's.
     */
    record MmapRecord(Hdr h, long addr, long len, int prot, int flags, int fd, long off, long ret, FileRef file)
            implements KernelRecord {
        public RecordKind kind() { return RecordKind.MMAP; }
        public boolean isShmat() { return h.has(F_SHMAT); }
        public boolean isAio() { return h.has(F_AIO); }
    }

    record MprotectRecord(Hdr h, long addr, long len, int prot, int pkey, long ret) implements KernelRecord {
        public RecordKind kind() { return RecordKind.MPROTECT; }
        public boolean isPkeyMprotect() { return h.has(F_PKEY); }
    }

    record MunmapRecord(Hdr h, long addr, long len, long ret) implements KernelRecord {
        public RecordKind kind() { return RecordKind.MUNMAP; }
    }

    record MremapRecord(Hdr h, long oldAddr, long oldLen, long newLen, int flags, long newAddr, long ret)
            implements KernelRecord {
        public RecordKind kind() { return RecordKind.MREMAP; }
    }

    record BrkRecord(Hdr h, long addr, long startBrk, long ret) implements KernelRecord {
        public RecordKind kind() { return RecordKind.BRK; }
    }

    /**
     * addr: with F_ADDR, where a write into a process's memory began in that process (a write to its memory file: the
     * file position; process_vm_writev: the first remote iovec's base); for prctl(PR_SET_MM), the program break
     * (mm->brk) as the call returned; for process_madvise, the process or thread its pidfd names (0: not known); else 0. ranges: with F_IOVECS, the ranges of
     * the target the call writes, in order, as base and length pairs: a process_vm_writev's first remote iovecs (at
     * most bpf/mapscribe.h's MS_IOVECS_MAX; arg 4 says how many it named), or a vectored write's one range (where it
     * begins, its iovecs' total length); else null. rangesRead: when the ranges were read, RANGES_AT_ENTRY and
     * RANGES_CHANGED bits (bpf/mapscribe.h MS_IOVECS_*; 0: as the call returned). file: the file the call opened or
     * wrote, where the recorder names it (a process's memory file), else null. policy: with F_POLICY, the NUMA policy a
     * successful mbind or set_mempolicy_home_node left on the VMA at its start address, else null.
     */
    record SyscallRecord(Hdr h, int nr, long[] args, long ret, long addr, long[] ranges, int rangesRead, Uffd uffd,
            Policy policy, FileRef file) implements KernelRecord {
        /** nr of an io_uring request's record: this plus its opcode (bpf/mapscribe.h MS_NR_IO_URING). */
        public static final int NR_IO_URING = 0x10000;
        /**
         * rangesRead bits (bpf/mapscribe.h MS_IOVECS_*): the ranges were read as the call began, before the kernel read
         * them (else as it returned, when another thread of the caller may have rewritten them); and the caller's
         * array no longer held them as the call returned.
         */
        public static final int RANGES_AT_ENTRY = 0x1, RANGES_CHANGED = 0x2;

        public SyscallRecord(Hdr h, int nr, long[] args, long ret) {
            this(h, nr, args, ret, 0, null, 0, null, null, null);
        }

        public SyscallRecord(Hdr h, int nr, long[] args, long ret, long addr, FileRef file) {
            this(h, nr, args, ret, addr, null, 0, null, null, file);
        }

        public SyscallRecord(Hdr h, int nr, long[] args, long ret, long addr, long[] ranges, FileRef file) {
            this(h, nr, args, ret, addr, ranges, 0, null, null, file);
        }

        public SyscallRecord(Hdr h, int nr, long[] args, long ret, long addr, long[] ranges, Policy policy, FileRef file) {
            this(h, nr, args, ret, addr, ranges, 0, null, policy, file);
        }

        public RecordKind kind() { return RecordKind.SYSCALL; }
        public boolean enterOnly() { return h.has(F_ENTER_ONLY); }
        public boolean hasAddr() { return h.has(F_ADDR); }

        /** The arrays' contents, not their identities: two decodes of one record print alike. */
        @Override
        public String toString() {
            return "SyscallRecord[h=" + h + ", nr=" + nr + ", args=" + java.util.Arrays.toString(args) + ", ret=" + ret
                     + ", addr=" + addr + ", ranges=" + java.util.Arrays.toString(ranges) + ", rangesRead=" + rangesRead + ", uffd=" + uffd + ", policy=" + policy + ", file=" + file + "]";
        }
    }

    record ForkRecord(Hdr h, int childPid, int childTid, long childStartNs, int forkFlags) implements KernelRecord {
        public static final int THREAD = 0x1, VM = 0x2;
        public RecordKind kind() { return RecordKind.FORK; }
        public boolean thread() { return (forkFlags & THREAD) != 0; }
        public boolean sharesVm() { return (forkFlags & VM) != 0; }
    }

    record ExecRecord(Hdr h, int oldTid, FileRef exe, List<String> argv, boolean argvTruncated)
            implements KernelRecord {
        public RecordKind kind() { return RecordKind.EXEC; }
    }

    record ExitRecord(Hdr h, int exitCode, boolean groupDead) implements KernelRecord {
        public RecordKind kind() { return RecordKind.EXIT; }
    }

    /**
     * Before the record of a successful call of the same task that changed its address space: another change of that
     * address space was completed between the call's own change and its return, so the record of that other change
     * may precede this call's although the kernel made it second. lockSeq, seqNow: the address space's mmap write-lock
     * count while the call held the lock (0 when the recorder could not tell) and as it returned (bpf/mapscribe.h
     * struct ms_order).
     */
    record OrderRecord(Hdr h, int lockSeq, int seqNow) implements KernelRecord {
        public RecordKind kind() { return RecordKind.ORDER; }

        public boolean lockKnown() { return lockSeq != 0; }

        /** Write locks of the address space completed between the call's own and its return (lockKnown() only). */
        public int locksBetween() { return Math.max(0, (seqNow - lockSeq - 1) / 2); }
    }

    /** One VMA of an address space walked in the kernel; {@code file} is null for anonymous VMAs. */
    record VmaRecord(Hdr h, long start, long end, long pgoff, long vmFlags, int seq, boolean last,
                     boolean walkTruncated, FileRef file) implements KernelRecord {
        public RecordKind kind() { return RecordKind.VMA; }
    }
}
