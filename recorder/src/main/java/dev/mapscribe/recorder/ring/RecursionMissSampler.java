package dev.mapscribe.recorder.ring;

import dev.mapscribe.formats.raw.UserRecord.Loss;
import dev.mapscribe.recorder.bpf.BpfException;
import dev.mapscribe.recorder.bpf.ProgramStats;
import java.lang.foreign.Arena;
import java.util.Collection;

/**
 * Samples the recursion misses of the recorder's programs ({@link ProgramStats}) and turns an increase into a Loss
 * record ({@link Loss#RECURSION}): runs the kernel skipped because the program was already running on that CPU. Each
 * skipped run of a lifecycle program (fork, exec, exit) is one record lost; a skipped run of the sys_exit program
 * may have been any syscall of the host, most of them not watched, so its count is an upper bound on the records
 * lost. The kernel keeps no CPU or time for them: the record's range is the time since the previous sample.
 */
public final class RecursionMissSampler {
    private final int[] programFds;
    private final ProgramStats stats;
    private long lastTotal;
    private long lastSampleNs;
    private long total;

    public RecursionMissSampler(Collection<Integer> programFds, Arena arena, long startNs) {
        this.programFds = programFds.stream().mapToInt(Integer::intValue).toArray();
        this.stats = new ProgramStats(arena);
        this.lastSampleNs = startNs; // the programs' counters start at 0 when they are loaded: every miss is ours
    }

    /** The misses since the previous call as one Loss record, or null when there were none. */
    public Loss sample(long nowNs) throws BpfException {
        long now = sum();
        Loss out = null;
        if (now > lastTotal) {
            out = new Loss(nowNs, Loss.RECURSION, now - lastTotal, lastSampleNs, nowNs);
            total += now - lastTotal;
            lastTotal = now;
        }
        lastSampleNs = nowNs;
        return out;
    }

    /** All misses seen so far. */
    public long total() {
        return total;
    }

    private long sum() throws BpfException {
        long sum = 0;
        for (int fd : programFds) {
            sum += stats.read(fd).recursionMisses();
        }
        return sum;
    }
}
