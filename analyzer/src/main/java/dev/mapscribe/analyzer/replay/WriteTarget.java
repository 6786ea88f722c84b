package dev.mapscribe.analyzer.replay;

import dev.mapscribe.formats.raw.KernelRecord.SyscallRecord;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The process, and where in it, a write into another process's memory went, from the call's record: ptrace's pid and
 * addr arguments, process_vm_writev's pid and the first remote iovec's base (which the recorder reads), the PID a
 * process memory file's path names and the file position a write to it began at (which the recorder reads; for an
 * io_uring write request, its offset, or the file position as it was submitted). The numbers are the caller's: a pid
 * argument in the caller's pid namespace, a path's PID in that /proc mount's.
 */
final class WriteTarget {
    private WriteTarget() {}

    static final int NR_WRITE = 1, NR_PWRITE64 = 18, NR_WRITEV = 20, NR_PTRACE = 101, NR_OPEN = 2, NR_OPENAT = 257,
            NR_PWRITEV = 296, NR_PROCESS_VM_WRITEV = 311, NR_PWRITEV2 = 328, NR_OPENAT2 = 437;
    static final long PTRACE_TRACEME = 0, PTRACE_POKETEXT = 4, PTRACE_POKEDATA = 5;

    /** /proc/PID/mem or /proc/PID/task/TID/mem: the recorder names only procfs's "mem" files. */
    private static final Pattern MEM_FILE = Pattern.compile("/(\\d{1,10})/(?:task/\\d{1,10}/)?mem$");

    /** The process written into; null for a call that names none (TRACEME names the caller's parent, as tracer). */
    static Integer pid(SyscallRecord s) {
        return switch (s.nr()) {
            case NR_PTRACE -> s.args()[0] == PTRACE_TRACEME ? null : (int) s.args()[1];
            case NR_PROCESS_VM_WRITEV -> (int) s.args()[0];
            case NR_OPEN, NR_OPENAT, NR_OPENAT2, NR_WRITE, NR_PWRITE64, NR_WRITEV, NR_PWRITEV, NR_PWRITEV2 -> pidOfPath(s);
            default -> s.nr() >= SyscallNames.IO_URING ? pidOfPath(s) : null; // an io_uring write request
        };
    }

    /**
     * Where the write began in the target; null where the call writes no memory at an address (TRACEME, ATTACH,
     * SETREGS, POKEUSER, whose addr is an offset in the user area, an open) or the recorder could not read it.
     */
    static Long addr(SyscallRecord s) {
        if (s.nr() == NR_PTRACE) {
            long request = s.args()[0];
            return request == PTRACE_POKETEXT || request == PTRACE_POKEDATA ? s.args()[2] : null;
        }
        return s.hasAddr() ? s.addr() : null;
    }

    private static Integer pidOfPath(SyscallRecord s) {
        if (s.file() == null) return null;
        Matcher m = MEM_FILE.matcher(s.file().path());
        if (!m.find()) return null;
        long pid = Long.parseLong(m.group(1));
        return pid <= Integer.MAX_VALUE ? (int) pid : null;
    }
}
