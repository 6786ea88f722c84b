package dev.mapscribe.recorder.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A loaded program's counters, read from the kernel's struct bpf_prog_info (linux/bpf.h): its run time and runs
 * (counted only while the kernel's BPF statistics are on) and its recursion misses, which are always counted: the
 * runs the kernel skipped because the same program was already running on that CPU. A tracepoint program cannot
 * nest on a kernel that does not preempt kernel code (this machine's: "Dynamic Preempt: none"); on one that does
 * (preempt=full or lazy, PREEMPT_RT), a task preempted inside the program makes every other task's run of it on
 * that CPU a miss, and its record is lost without a failed ring-buffer reservation to count it.
 *
 * <p>The offsets are the uapi struct's (fields are only ever appended to it); {@code ProgramStatsTest} checks
 * them against the header with a C compiler.
 */
public final class ProgramStats {
    static final long ID = 4, RUN_TIME_NS = 192, RUN_CNT = 200, RECURSION_MISSES = 208;
    /** The bytes asked for: up to and including recursion_misses (the kernel fills what the caller's size covers). */
    static final int INFO_BYTES = 216;

    private final MemorySegment info;
    private final MemorySegment len;
    private final MemorySegment errno;

    public ProgramStats(Arena arena) {
        this.info = arena.allocate(INFO_BYTES, 8);
        this.len = arena.allocate(ValueLayout.JAVA_INT);
        this.errno = arena.allocate(64, 8);
    }

    /** The counters of one program (the kernel's id for it: bpftool's), as of now. */
    public record Counters(int id, long runTimeNs, long runs, long recursionMisses) {}

    /** The recursion misses of these programs together, as of now (each counter starts at 0 when its program loads). */
    public long recursionMisses(int[] programFds) throws BpfException {
        long sum = 0;
        for (int fd : programFds) {
            sum += read(fd).recursionMisses();
        }
        return sum;
    }

    public Counters read(int programFd) throws BpfException {
        info.fill((byte) 0); // the kernel reads array pointers and lengths from it (instructions, map ids): none wanted
        len.set(ValueLayout.JAVA_INT, 0, INFO_BYTES);
        LibBpf.objectInfo(programFd, info, len, errno);
        if (len.get(ValueLayout.JAVA_INT, 0) < INFO_BYTES) {
            // a kernel older than recursion_misses (5.12): nothing to read, and nothing it counts
            return new Counters(info.get(ValueLayout.JAVA_INT, ID), 0, 0, 0);
        }
        return new Counters(info.get(ValueLayout.JAVA_INT, ID), info.get(ValueLayout.JAVA_LONG, RUN_TIME_NS), info.get(ValueLayout.JAVA_LONG, RUN_CNT),
                info.get(ValueLayout.JAVA_LONG, RECURSION_MISSES));
    }
}
