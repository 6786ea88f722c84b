package dev.mapscribe.analyzer.replay;

import dev.mapscribe.formats.raw.KernelRecord.SyscallRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The process, and where in it, a write into another process's memory went, from the call's record: ptrace's pid and
 * addr arguments, process_vm_writev's pid and the first remote iovec's base (which the recorder reads), the PID a
 * process memory file's path names and the file position a write to it began at (which the recorder reads; for an
 * io_uring write request, its offset, or the file position as it was submitted); and every range it wrote, or asked to
 * ({@link #ranges}: the memory_writes rows). The numbers are the caller's: a pid argument in the caller's pid namespace,
 * a path's PID in that /proc mount's; except a userfaultfd's owner (an ioctl UFFDIO_COPY or UFFDIO_MOVE), which the
 * kernel names (a host pid).
 */
final class WriteTarget {
    private WriteTarget() {}

    static final int NR_IOCTL = 16, NR_WRITE = 1, NR_PWRITE64 = 18, NR_WRITEV = 20, NR_PTRACE = 101, NR_OPEN = 2, NR_OPENAT = 257,
            NR_PWRITEV = 296, NR_PROCESS_VM_WRITEV = 311, NR_PWRITEV2 = 328, NR_OPENAT2 = 437;
    static final long PTRACE_TRACEME = 0, PTRACE_POKETEXT = 4, PTRACE_POKEDATA = 5;
    /** ioctl commands that hand a range to a userfaultfd, or take it back: no write (bpf/mapscribe.bpf.c registers()). */
    static final long UFFDIO_REGISTER = 0xc020aa00L, UFFDIO_UNREGISTER = 0x8010aa01L;

    static boolean registersRange(SyscallRecord s) {
        return s.nr() == NR_IOCTL && (s.args()[1] == UFFDIO_REGISTER || s.args()[1] == UFFDIO_UNREGISTER);
    }

    /** /proc/PID/mem or /proc/PID/task/TID/mem: the recorder names only procfs's "mem" files. */
    private static final Pattern MEM_FILE = Pattern.compile("/(\\d{1,10})/(?:task/\\d{1,10}/)?mem$");

    /** The process written into; null for a call that names none (TRACEME names the caller's parent, as tracer). */
    static Integer pid(SyscallRecord s) {
        return switch (s.nr()) {
            case NR_PTRACE -> s.args()[0] == PTRACE_TRACEME ? null : (int) s.args()[1];
            case NR_PROCESS_VM_WRITEV -> (int) s.args()[0];
            case NR_IOCTL -> s.uffd() != null && s.uffd().tgid() != 0 ? s.uffd().tgid() : null;
            case NR_OPEN, NR_OPENAT, NR_OPENAT2, NR_WRITE, NR_PWRITE64, NR_WRITEV, NR_PWRITEV, NR_PWRITEV2 -> pidOfPath(s);
            default -> s.nr() >= SyscallNames.IO_URING ? pidOfPath(s) : null; // an io_uring write request
        };
    }

    /**
     * Where the write began in the target; null where the call writes no memory at an address (TRACEME, ATTACH,
     * SETREGS, POKEUSER, whose addr is an offset in the user area, an open) or the recorder could not read it.
     */
    static Long addr(SyscallRecord s) {
        // The address part means what each call makes it (prctl's is the program break, process_madvise's the process
        // its pidfd names): a write's start only for the writes.
        Long at = s.hasAddr() ? s.addr() : null;
        return switch (s.nr()) {
            case NR_PTRACE -> s.args()[0] == PTRACE_POKETEXT || s.args()[0] == PTRACE_POKEDATA ? s.args()[2] : null;
            case NR_PROCESS_VM_WRITEV, NR_IOCTL, NR_WRITE, NR_PWRITE64, NR_WRITEV, NR_PWRITEV, NR_PWRITEV2 -> at;
            default -> s.nr() >= SyscallNames.IO_URING ? at : null; // an io_uring write request
        };
    }

    /** One range of the target a call wrote, or asked to: {@link MemoryWriteRow}'s addr, len and written. */
    record Range(Long addr, Long len, Long written) {}

    /**
     * The ranges a call wrote in order, and how many more it named that the recording does not hold. iovecsRead: when
     * the recorder read the iovec array the ranges came from ("entry": as the call began, before the kernel read it;
     * "return": as it returned), null for ranges in the call's registers; iovecsChanged: whether the array read at
     * entry no longer held them as the call returned, null when not compared.
     */
    record Ranges(List<Range> ranges, int unrecorded, String iovecsRead, Boolean iovecsChanged) {
        Ranges(List<Range> ranges, int unrecorded) {
            this(ranges, unrecorded, null, null);
        }

        /** Ranges from a record's ranges part, with when it says they were read. */
        static Ranges read(List<Range> ranges, int unrecorded, SyscallRecord s) {
            boolean atEntry = (s.rangesRead() & SyscallRecord.RANGES_AT_ENTRY) != 0;
            return new Ranges(ranges, unrecorded, atEntry ? "entry" : "return",
                    atEntry ? (s.rangesRead() & SyscallRecord.RANGES_CHANGED) != 0 : null);
        }
    }

    private static final int IORING_OP_WRITEV = 2, IORING_OP_WRITE_FIXED = 5, IORING_OP_WRITE = 23, IORING_OP_WRITEV_FIXED = 61;

    /**
     * The ranges of the target's memory the call wrote into, or asked to; null for a call that writes no memory at an
     * address (TRACEME, ATTACH, SETREGS, POKEUSER, an open) or is no write into a process at all. {@code ret} is the
     * call's result (an io_uring request's from its completion record), null when not recorded; {@code failed} whether
     * it is an error.
     */
    static Ranges ranges(SyscallRecord s, Long ret, boolean failed) {
        Long done = ret == null ? null : failed ? 0L : ret; // bytes the call reports written
        Long at = s.hasAddr() ? s.addr() : null;
        long[] a = s.args();
        switch (s.nr()) {
            case NR_PTRACE -> {
                long request = a[0];
                if (request != PTRACE_POKETEXT && request != PTRACE_POKEDATA) return null;
                return one(new Range(a[2], 8L, failed ? 0L : 8L)); // a word
            }
            case NR_PROCESS_VM_WRITEV -> {
                int named = (int) Math.min(Integer.MAX_VALUE, Math.max(0, a[4])); // riovcnt (over UIO_MAXIOV: EINVAL)
                long[] r = s.ranges();
                if (r == null) {
                    if (named == 0) return new Ranges(List.of(), 0);
                    // an older recorder's first base alone; or an array the recorder could not read: one row, its
                    // addr null, stands for the call, and every range is unrecorded
                    return new Ranges(List.of(new Range(at, null, null)), at != null ? named - 1 : named);
                }
                List<Range> out = new ArrayList<>(r.length / 2);
                long left = done == null ? 0 : done; // the kernel fills the remote iovecs in order
                for (int i = 0; i < r.length; i += 2) {
                    long len = r[i + 1];
                    long w = done == null ? 0 : Long.compareUnsigned(len, left) < 0 ? len : left;
                    left -= w;
                    out.add(new Range(r[i], len, done == null ? null : w));
                }
                return Ranges.read(out, Math.max(0, named - r.length / 2), s);
            }
            case NR_WRITE, NR_PWRITE64 -> {
                return one(new Range(at, a[2], done));
            }
            case NR_IOCTL -> {
                // UFFDIO_COPY or UFFDIO_MOVE: pages put into the range with its own protection; what was done is what the
                // kernel wrote back into the argument (bytes, or -errno), not the ioctl's result (0, or -EAGAIN part way)
                if (s.uffd() == null || registersRange(s)) return null;
                long[] r = s.ranges();
                if (r == null || r.length != 2) return one(new Range(null, null, null)); // the argument could not be read
                Long filled = ret == null || !s.uffd().doneRead() ? null : Math.max(0, s.uffd().done());
                return Ranges.read(List.of(new Range(r[0], r[1], filled)), 0, s);
            }
            case NR_WRITEV, NR_PWRITEV, NR_PWRITEV2 -> {
                return vectored(s, new Range(at, vectoredLength(s), done));
            }
            default -> {
                return switch (s.nr() - SyscallNames.IO_URING) {
                    // a completion's own row (its submission unrecorded): its len by then is not what was asked
                    case IORING_OP_WRITE, IORING_OP_WRITE_FIXED -> one(new Range(at, s.enterOnly() ? a[2] : null, done));
                    case IORING_OP_WRITEV, IORING_OP_WRITEV_FIXED -> vectored(s, new Range(at, vectoredLength(s), done));
                    default -> null;
                };
            }
        }
    }

    /**
     * A vectored write's length: its one range's, the total of its iovecs as the recorder read them; null when it
     * could not (more than 64 iovecs, an unreadable array, an older recorder).
     */
    private static Long vectoredLength(SyscallRecord s) {
        long[] r = s.ranges();
        return r != null && r.length == 2 ? r[1] : null;
    }

    private static Ranges one(Range r) {
        return new Ranges(List.of(r), 0);
    }

    /** A vectored write's one range: its length from the iovecs, when the recorder read them. */
    private static Ranges vectored(SyscallRecord s, Range r) {
        return s.ranges() != null ? Ranges.read(List.of(r), 0, s) : one(r);
    }

    private static Integer pidOfPath(SyscallRecord s) {
        if (s.file() == null) return null;
        Matcher m = MEM_FILE.matcher(s.file().path());
        if (!m.find()) return null;
        long pid = Long.parseLong(m.group(1));
        return pid <= Integer.MAX_VALUE ? (int) pid : null;
    }
}
