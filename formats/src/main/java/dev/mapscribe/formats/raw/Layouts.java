package dev.mapscribe.formats.raw;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;

/**
 * The Java view of bpf/mapscribe.h: one StructLayout per struct, member names as in C.
 * LayoutTest compiles a C program that prints sizeof/offsetof of every member named here and fails on any
 * difference. Little-endian on every host, so a journal from an x86-64 host reads the same anywhere.
 */
public final class Layouts {
    private Layouts() {}

    /** The member types: little-endian and unaligned, as records sit end to end in batches. */
    public static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public static final int COMM_LEN = 16;

    public static final StructLayout MS_HDR = structLayout(
            U16.withName("kind"), U16.withName("size"), U16.withName("cpu"), U16.withName("flags"),
            U64.withName("ktime_ns"), U32.withName("pid"), U32.withName("tid")).withName("ms_hdr");

    public static final StructLayout MS_TASK = structLayout(
            MS_HDR.withName("h"), U32.withName("ppid"), U32.withName("uid"), U32.withName("gid"),
            U32.withName("euid"), U32.withName("egid"), U32.withName("mntns"), U64.withName("start_ns"),
            U64.withName("leader_start_ns"), U64.withName("parent_start_ns"),
            sequenceLayout(COMM_LEN, ValueLayout.JAVA_BYTE).withName("comm"), U32.withName("personality"),
            paddingLayout(4).withName("_pad")).withName("ms_task");

    public static final StructLayout MS_FILE = structLayout(
            U64.withName("ino"), U64.withName("size"), U64.withName("ctime_sec"), U32.withName("ctime_nsec"),
            U32.withName("dev"), U32.withName("mode"), U16.withName("path_len"), U16.withName("file_flags"))
            .withName("ms_file");

    public static final StructLayout MS_MMAP = structLayout(
            MS_HDR.withName("h"), U64.withName("addr"), U64.withName("len"), U32.withName("prot"),
            U32.withName("flags"), U32.withName("fd"), paddingLayout(4).withName("_pad"), U64.withName("off"),
            U64.withName("ret")).withName("ms_mmap");

    public static final StructLayout MS_MPROTECT = structLayout(
            MS_HDR.withName("h"), U64.withName("addr"), U64.withName("len"), U32.withName("prot"),
            U32.withName("pkey"), U64.withName("ret")).withName("ms_mprotect");

    public static final StructLayout MS_MUNMAP = structLayout(
            MS_HDR.withName("h"), U64.withName("addr"), U64.withName("len"), U64.withName("ret"))
            .withName("ms_munmap");

    public static final StructLayout MS_MREMAP = structLayout(
            MS_HDR.withName("h"), U64.withName("old_addr"), U64.withName("old_len"), U64.withName("new_len"),
            U32.withName("flags"), paddingLayout(4).withName("_pad"), U64.withName("new_addr"),
            U64.withName("ret")).withName("ms_mremap");

    public static final StructLayout MS_BRK = structLayout(
            MS_HDR.withName("h"), U64.withName("addr"), U64.withName("start_brk"), U64.withName("ret"))
            .withName("ms_brk");

    public static final StructLayout MS_SYSCALL = structLayout(
            MS_HDR.withName("h"), U32.withName("nr"), paddingLayout(4).withName("_pad"),
            sequenceLayout(6, U64).withName("args"), U64.withName("ret")).withName("ms_syscall");

    /** MS_SYSCALL's address part (MS_F_ADDR): where a write into a process's memory began, in that process. */
    public static final StructLayout MS_ADDR = structLayout(U64.withName("addr")).withName("ms_addr");

    /**
     * MS_SYSCALL's ranges part (MS_F_IOVECS), after the address part: count, when they were read (MS_IOVECS_*: {@link
     * KernelRecord.SyscallRecord#RANGES_AT_ENTRY}), then that many ms_iovec.
     */
    public static final StructLayout MS_IOVECS = structLayout(U32.withName("count"), U32.withName("flags"))
            .withName("ms_iovecs");

    /** One range of the ranges part: a process_vm_writev's remote iovec, or a vectored write's whole range. */
    public static final StructLayout MS_IOVEC = structLayout(U64.withName("base"), U64.withName("len")).withName("ms_iovec");

    /**
     * MS_SYSCALL's userfaultfd part (MS_F_UFFD), after the ranges part: whose address space an ioctl UFFDIO_COPY or
     * UFFDIO_MOVE filled, and what it did.
     */
    public static final StructLayout MS_UFFD = structLayout(U32.withName("tgid"), U32.withName("flags"),
            U64.withName("done")).withName("ms_uffd");

    /** MS_SYSCALL's policy part (MS_F_POLICY), after the userfaultfd part: the NUMA policy mbind left on its VMA. */
    public static final StructLayout MS_POLICY = structLayout(U16.withName("mode"), U16.withName("flags"),
            U32.withName("home_node"), U64.withName("nodes"), U64.withName("user_nodes")).withName("ms_policy");

    public static final StructLayout MS_FORK = structLayout(
            MS_HDR.withName("h"), U32.withName("child_pid"), U32.withName("child_tid"),
            U64.withName("child_start_ns"), U32.withName("fork_flags"), paddingLayout(4).withName("_pad"))
            .withName("ms_fork");

    public static final StructLayout MS_EXEC = structLayout(
            MS_HDR.withName("h"), U32.withName("old_tid"), U32.withName("argv_len"), MS_FILE.withName("exe"))
            .withName("ms_exec");

    public static final StructLayout MS_EXIT = structLayout(
            MS_HDR.withName("h"), U32.withName("exit_code"), U32.withName("group_dead")).withName("ms_exit");

    public static final StructLayout MS_VMA = structLayout(
            MS_HDR.withName("h"), U64.withName("start"), U64.withName("end"), U64.withName("pgoff"),
            U64.withName("vm_flags"), U32.withName("seq"), paddingLayout(4).withName("_pad")).withName("ms_vma");

    /** Before a call's record: another change of its address space may have come between (bpf/mapscribe.h). */
    public static final StructLayout MS_ORDER = structLayout(
            MS_HDR.withName("h"), U32.withName("lock_seq"), U32.withName("seq_now"))
            .withName("ms_order");

    public static final StructLayout MS_LOSS_COUNTER = structLayout(
            U64.withName("count"), U64.withName("first_ns"), U64.withName("last_ns")).withName("ms_loss_counter");

    /** Not a journal record: a request from the kernel that the recorder's holder thread hold a file at once. */
    public static final StructLayout MS_HOLD_REQUEST = structLayout(
            U64.withName("ktime_ns"), U64.withName("start"), U64.withName("end"), U64.withName("ino"),
            U32.withName("dev"), U32.withName("tgid")).withName("ms_hold_request");

    /** Every struct of the header by its C name (without "struct "), for LayoutTest. */
    public static final Map<String, StructLayout> ALL;
    static {
        Map<String, StructLayout> m = new LinkedHashMap<>();
        for (StructLayout l : new StructLayout[] {MS_HDR, MS_TASK, MS_FILE, MS_MMAP, MS_MPROTECT, MS_MUNMAP,
                MS_MREMAP, MS_BRK, MS_SYSCALL, MS_ADDR, MS_IOVECS, MS_IOVEC, MS_UFFD, MS_POLICY, MS_FORK, MS_EXEC, MS_EXIT, MS_VMA, MS_ORDER, MS_LOSS_COUNTER, MS_HOLD_REQUEST}) {
            m.put(l.name().orElseThrow(), l);
        }
        ALL = java.util.Collections.unmodifiableMap(m);
    }

    /**
     * Byte offset of a member, e.g. {@code off(MS_MMAP, "h", "pid")}; callers resolve it once into a static
     * final constant, so a layout change moves every reader with it.
     */
    public static long off(StructLayout l, String... path) {
        PathElement[] p = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) p[i] = PathElement.groupElement(path[i]);
        return l.byteOffset(p);
    }

    /** Size of the layout in bytes. */
    static int size(MemoryLayout l) {
        return Math.toIntExact(l.byteSize());
    }
}
