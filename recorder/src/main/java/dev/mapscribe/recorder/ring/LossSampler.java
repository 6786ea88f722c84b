package dev.mapscribe.recorder.ring;

import dev.mapscribe.formats.raw.UserRecord.Loss;
import dev.mapscribe.recorder.bpf.BpfException;
import dev.mapscribe.recorder.bpf.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples the kernel's per-CPU loss counters (struct ms_loss_counter in bpf/mapscribe.h: count,
 * first_ns, last_ns) and turns each increase into a Loss record. The kernel keeps running totals;
 * a Loss record carries the increase since the previous sample of that CPU, and its time range is
 * [max(previous sample time, first loss ever), last loss]: the losses happened inside it.
 */
public final class LossSampler {
    private static final long SLOT = 24; // sizeof(struct ms_loss_counter), already a multiple of 8
    private final int mapFd;
    private final int cause;
    private final int cpus;
    private final MemorySegment key;
    private final MemorySegment values;
    private final MemorySegment errno;
    private final long[] lastCount;
    private final long[] lastSampleNs;
    private long total;

    public LossSampler(int mapFd, Arena arena) throws BpfException {
        this(mapFd, 0, arena);
    }

    /**
     * A sampler whose records say {@code cause} (a negative Loss code) instead of their CPU; 0: the CPU, as the ring
     * buffer's losses do.
     */
    public LossSampler(int mapFd, int cause, Arena arena) throws BpfException {
        this.mapFd = mapFd;
        this.cause = cause;
        this.cpus = LibBpf.numPossibleCpus();
        this.key = arena.allocate(ValueLayout.JAVA_INT);
        this.values = arena.allocate(SLOT * cpus, 8);
        this.errno = arena.allocate(64, 8);
        this.lastCount = new long[cpus];
        this.lastSampleNs = new long[cpus];
    }

    /** New losses since the previous call, one record per CPU that lost any; {@code nowNs} is CLOCK_MONOTONIC. */
    public List<Loss> sample(long nowNs) throws BpfException {
        LibBpf.lookup(mapFd, key, values, errno);
        List<Loss> out = List.of();
        for (int cpu = 0; cpu < cpus; cpu++) {
            long count = values.get(ValueLayout.JAVA_LONG, cpu * SLOT);
            long delta = count - lastCount[cpu];
            if (delta > 0) {
                long first = values.get(ValueLayout.JAVA_LONG, cpu * SLOT + 8);
                long last = values.get(ValueLayout.JAVA_LONG, cpu * SLOT + 16);
                if (out.isEmpty()) {
                    out = new ArrayList<>();
                }
                out.add(new Loss(nowNs, cause < 0 ? cause : cpu, delta, Math.max(first, lastSampleNs[cpu]), last));
                lastCount[cpu] = count;
                total += delta;
            }
            lastSampleNs[cpu] = nowNs;
        }
        return out;
    }

    /** All losses seen so far. */
    public long total() {
        return total;
    }
}
