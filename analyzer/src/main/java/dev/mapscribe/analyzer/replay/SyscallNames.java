package dev.mapscribe.analyzer.replay;

import dev.mapscribe.formats.raw.KernelRecord.SyscallRecord;

/**
 * x86-64 names and argument counts of the syscalls the kernel programs record, and of the io_uring requests they
 * record (nr {@link SyscallRecord#NR_IO_URING} + the opcode).
 */
final class SyscallNames {
    private SyscallNames() {}

    static final int IO_URING = SyscallRecord.NR_IO_URING;
    static final int IORING_OP_WRITEV = 2, IORING_OP_WRITE_FIXED = 5, IORING_OP_OPENAT = 18, IORING_OP_WRITE = 23,
            IORING_OP_MADVISE = 25, IORING_OP_OPENAT2 = 28, IORING_OP_WRITEV_FIXED = 61;

    /** An io_uring write request (WRITE, WRITEV, WRITE_FIXED, WRITEV_FIXED): the ones recorded on a process's memory file. */
    static boolean isUringWrite(int nr) {
        return switch (nr) {
            case IO_URING + IORING_OP_WRITE, IO_URING + IORING_OP_WRITEV, IO_URING + IORING_OP_WRITE_FIXED,
                 IO_URING + IORING_OP_WRITEV_FIXED -> true;
            default -> false;
        };
    }

    static String name(int nr) {
        return switch (nr) {
            case IO_URING + IORING_OP_WRITEV -> "io_uring_writev";
            case IO_URING + IORING_OP_WRITE_FIXED -> "io_uring_write_fixed";
            case IO_URING + IORING_OP_WRITE -> "io_uring_write";
            case IO_URING + IORING_OP_WRITEV_FIXED -> "io_uring_writev_fixed";
            case IO_URING + IORING_OP_MADVISE -> "io_uring_madvise";
            case IO_URING + IORING_OP_OPENAT -> "io_uring_openat";
            case IO_URING + IORING_OP_OPENAT2 -> "io_uring_openat2";
            case 1 -> "write";
            case 16 -> "ioctl";
            case 2 -> "open";
            case 9 -> "mmap";
            case 10 -> "mprotect";
            case 11 -> "munmap";
            case 12 -> "brk";
            case 18 -> "pwrite64";
            case 20 -> "writev";
            case 25 -> "mremap";
            case 28 -> "madvise";
            case 30 -> "shmat";
            case 206 -> "io_setup";
            case 207 -> "io_destroy";
            case 216 -> "remap_file_pages";
            case 67 -> "shmdt";
            case 101 -> "ptrace";
            case 311 -> "process_vm_writev";
            case 149 -> "mlock";
            case 150 -> "munlock";
            case 151 -> "mlockall";
            case 152 -> "munlockall";
            case 325 -> "mlock2";
            case 56 -> "clone";
            case 57 -> "fork";
            case 58 -> "vfork";
            case 59 -> "execve";
            case 60 -> "exit";
            case 231 -> "exit_group";
            case 322 -> "execveat";
            case 329 -> "pkey_mprotect";
            case 257 -> "openat";
            case 296 -> "pwritev";
            case 328 -> "pwritev2";
            case 425 -> "io_uring_setup";
            case 435 -> "clone3";
            case 437 -> "openat2";
            case 462 -> "mseal";
            case 237 -> "mbind";
            case 450 -> "set_mempolicy_home_node";
            case 157 -> "prctl";
            case 135 -> "personality";
            case 440 -> "process_madvise";
            default -> nr >= IO_URING ? "io_uring_op_" + (nr - IO_URING) : "syscall_" + nr;
        };
    }

    /** How many of the six argument registers the syscall reads; all six for one we do not know (and io_uring's). */
    static int argCount(int nr) {
        return switch (nr) {
            case 57, 58, 152 -> 0;
            case 12, 60, 67, 135, 151, 207, 231 -> 1;
            case 149, 150, 206, 425, 435 -> 2;
            case 1, 2, 10, 11, 16, 20, 28, 30, 59, 325, 462 -> 3;
            case 18, 101, 257, 329, 437, 450 -> 4;
            case 25, 56, 157, 216, 296, 322, 440 -> 5;
            default -> 6;
        };
    }
}
