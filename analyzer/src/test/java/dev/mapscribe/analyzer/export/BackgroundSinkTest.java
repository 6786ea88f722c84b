package dev.mapscribe.analyzer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mapscribe.analyzer.derive.MemProtAlertEvent;
import dev.mapscribe.analyzer.derive.MmapExecEvent;
import dev.mapscribe.analyzer.replay.EventSink;
import dev.mapscribe.analyzer.replay.FileRow;
import dev.mapscribe.analyzer.replay.LossRow;
import dev.mapscribe.analyzer.replay.ProcessLifetime;
import dev.mapscribe.analyzer.replay.RegionVersion;
import dev.mapscribe.analyzer.replay.SyscallRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The rows handed to BackgroundSink's two lanes reach each table in the replay's order, and a failure comes back. */
class BackgroundSinkTest {

    /** Records, per table, the rows it was handed (each list is touched by one lane only, as each table is). */
    private static final class Tables implements EventSink {
        final List<Long> syscalls = new ArrayList<>(), regions = new ArrayList<>(), losses = new ArrayList<>();
        final Thread[] syscallThread = new Thread[1], regionThread = new Thread[1];
        int failAtRegion = -1;

        @Override public void syscall(SyscallRow row) { syscallThread[0] = Thread.currentThread(); syscalls.add(row.seq()); }
        @Override public void regionVersion(RegionVersion v) {
            regionThread[0] = Thread.currentThread();
            if (regions.size() == failAtRegion) throw new IllegalStateException("region writer failed");
            regions.add(v.version());
        }
        @Override public void loss(LossRow loss) { losses.add(loss.tsNs()); }
        @Override public void mmapExec(MmapExecEvent event) { throw new AssertionError(); }
        @Override public void memProtAlert(MemProtAlertEvent event) { throw new AssertionError(); }
        @Override public void process(ProcessLifetime process) { throw new AssertionError(); }
        @Override public void file(FileRow file) { throw new AssertionError(); }
        @Override public void memoryWrite(dev.mapscribe.analyzer.replay.MemoryWriteRow row) { throw new AssertionError(); }
    }

    private static SyscallRow syscall(long seq) {
        return new SyscallRow("h", seq, seq, 1, 1, "c", 0, "mmap", 9, new long[6], 0L, null, false, 1, seq, null, null, null, false, null, null, false, false, null, null);
    }

    private static RegionVersion region(long version) {
        return new RegionVersion("h", 1, 1, 0x1000, 0x2000, 3, "rw-p", 0x22, true, "mmap", false, "anon", null, null, null, null,
                0, version, version, null, version, null, false, "c", 0);
    }

    @Test
    void eachTableGetsItsRowsInTheReplaysOrder() {
        Tables t = new Tables();
        List<Long> syscalls = new ArrayList<>(), regions = new ArrayList<>(), losses = new ArrayList<>();
        Random r = new Random(7);
        try (BackgroundSink sink = new BackgroundSink(t, "h")) {
            // interleaved at random, more than the queues hold (16 chunks of 1,024 rows each), so both lanes block too
            for (long i = 0; i < 60_000; i++) {
                switch (r.nextInt(5)) {
                    case 0, 1, 2 -> { sink.syscall(syscall(i)); syscalls.add(i); }
                    case 3 -> { sink.regionVersion(region(i)); regions.add(i); }
                    default -> { sink.loss(new LossRow("h", i, i, LossRow.RINGBUF, 0, 1L, i, i, null)); losses.add(i); }
                }
            }
        }
        assertEquals(syscalls, t.syscalls);
        assertEquals(regions, t.regions);
        assertEquals(losses, t.losses);
        assertNotSame(t.syscallThread[0], t.regionThread[0], "syscalls and the other tables are filled by two threads");
    }

    @Test
    void aFailureOfOneLaneIsRethrownInTheReplaysThread() {
        Tables t = new Tables();
        t.failAtRegion = 3_000;
        BackgroundSink sink = new BackgroundSink(t, "h");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> {
            try (sink) {
                for (long i = 0; i < 200_000; i++) {
                    sink.syscall(syscall(i));
                    sink.regionVersion(region(i));
                }
            }
        });
        assertEquals("region writer failed", thrown.getMessage());
        sink.close(); // closed already (by the try): returns at once
    }
}
