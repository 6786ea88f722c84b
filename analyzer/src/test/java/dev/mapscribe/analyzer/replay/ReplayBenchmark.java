package dev.mapscribe.analyzer.replay;

import dev.mapscribe.analyzer.derive.MemProtAlertEvent;
import dev.mapscribe.analyzer.derive.MmapExecEvent;
import dev.mapscribe.formats.raw.KernelRecord.Hdr;
import dev.mapscribe.formats.raw.KernelRecord.MmapRecord;
import dev.mapscribe.formats.raw.KernelRecord.MprotectRecord;
import dev.mapscribe.formats.raw.KernelRecord.MunmapRecord;
import dev.mapscribe.formats.raw.KernelRecord.TaskRecord;
import dev.mapscribe.formats.raw.Record;
import java.util.Locale;
import java.util.function.ObjLongConsumer;

/**
 * Benchmark (no assertions): N million decoded records shaped like an mmap RW -> mprotect RX -> munmap storm
 * of 64 processes, replayed into a sink that only counts, against a baseline that makes the same records and
 * drops them. Prints records/s of both, the replay's share of the time, and the heap in use after a full GC
 * at every tenth of the run (it must stay flat: memory follows live regions, not the journal's length).
 *
 * <p>Run: {@code scripts/bench-replay [MILLION_RECORDS]}.
 */
public final class ReplayBenchmark {
    static final int PROCS = 64;

    static final class CountingSink implements EventSink {
        long rows;
        @Override public void syscall(SyscallRow row) { rows++; }
        @Override public void mmapExec(MmapExecEvent event) { rows++; }
        @Override public void memProtAlert(MemProtAlertEvent event) { rows++; }
        @Override public void regionVersion(RegionVersion version) { rows++; }
        @Override public void process(ProcessLifetime process) { rows++; }
        @Override public void loss(LossRow loss) { rows++; }
        @Override public void file(FileRow file) { rows++; }
        @Override public void memoryWrite(MemoryWriteRow row) { rows++; }
    }

    /** Makes {@code n} records and hands each to {@code out}; calls {@code tick} at every tenth. */
    static void generate(long n, ObjLongConsumer<Record> out, Runnable tick) {
        long[] cursor = new long[PROCS];
        for (int p = 0; p < PROCS; p++) {
            out.accept(new TaskRecord(new Hdr(1, 88, 0, 0, 1, 1000 + p, 1000 + p), 1, 1000, 1000, 1000, 1000, 1, 100 + p, 100 + p, 1, "storm"), 0);
        }
        long tenth = Math.max(1, n / 10);
        for (long i = 0; i < n; i++) {
            int p = (int) ((i / 3) % PROCS);
            int pid = 1000 + p;
            long t = 1_000_000L + i * 100;
            long addr = 0x7f00_0000_0000L + ((long) p << 32) + ((cursor[p] % 4096) << 12);
            Hdr h = new Hdr(0, 0, (int) (i & 1), 0, t, pid, pid);
            Record r = switch ((int) (i % 3)) {
                case 0 -> new MmapRecord(h, 0, 4096, 3, 0x22, -1, 0, addr, null);
                case 1 -> new MprotectRecord(h, addr, 4096, 5, -1, 0);
                default -> {
                    cursor[p]++;
                    yield new MunmapRecord(h, addr, 4096, 0);
                }
            };
            out.accept(r, i >> 6);
            if (i % tenth == tenth - 1) {
                tick.run();
            }
        }
    }

    static long heapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    public static void main(String[] args) {
        long n = (long) (Double.parseDouble(args.length > 0 ? args[0] : "10") * 1_000_000);
        long[] sink = new long[1];
        generate(Math.min(n, 2_000_000), (r, b) -> sink[0] += b, () -> {}); // warm-up
        long t0 = System.nanoTime();
        long c0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        generate(n, (r, b) -> sink[0] += b, () -> {});
        long baseNs = System.nanoTime() - t0;
        long baseCpuNs = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - c0;

        StringBuilder heap = new StringBuilder();
        CountingSink counting = new CountingSink();
        Replayer replayer = new Replayer(Recs.HEADER, counting);
        long[] paused = new long[1];
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long c1 = cpu.getCurrentThreadCpuTime();
        long t1 = System.nanoTime();
        generate(n, replayer::accept, () -> {
            long p0 = System.nanoTime();
            heap.append(String.format(Locale.ROOT, " %.1f", heapAfterGc() / 1048576.0));
            paused[0] += System.nanoTime() - p0;
        });
        ReplayStats stats = replayer.finish();
        long replayNs = System.nanoTime() - t1 - paused[0];
        long replayCpuNs = cpu.getCurrentThreadCpuTime() - c1;

        System.out.printf(Locale.ROOT, "records            %,d%n", n);
        System.out.printf(Locale.ROOT, "baseline (make)    %,.0f records/s%n", n / (baseNs / 1e9));
        System.out.printf(Locale.ROOT, "replay (make+run)  %,.0f records/s  (%.2fx the baseline's time)%n", n / (replayNs / 1e9),
                (double) replayNs / baseNs);
        System.out.printf(Locale.ROOT, "replay, CPU time   %,.0f records/s per core busy (baseline %,.0f); the machine is shared, so wall time varies%n",
                n / (replayCpuNs / 1e9), n / (baseCpuNs / 1e9));
        System.out.printf(Locale.ROOT, "rows emitted       %,d (syscalls %,d, alerts %,d, region versions %,d)%n", counting.rows,
                stats.syscalls(), stats.memProtAlerts(), stats.regionVersions());
        System.out.println("heap MiB after GC at each tenth:" + heap);
    }
}
