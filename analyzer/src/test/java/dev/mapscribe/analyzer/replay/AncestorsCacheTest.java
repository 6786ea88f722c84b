package dev.mapscribe.analyzer.replay;

import static dev.mapscribe.analyzer.replay.Recs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mapscribe.analyzer.state.Process;
import dev.mapscribe.analyzer.state.ProcessTable;
import dev.mapscribe.analyzer.state.RegionHistory;
import dev.mapscribe.formats.raw.RecordKind;
import dev.mapscribe.formats.raw.UserRecord.ProcSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * ProcessTable.ancestors caches its answer per process and drops it only when something its chain read may have
 * changed. Whatever the records (forks, execs, exits, TASK records and snapshots of a few pids that come back,
 * parents met before or after their children), every answer must be the chain as it stands: the exes of the
 * process's parent, its parent, and so on, as the table links them now.
 */
class AncestorsCacheTest {
    private static final int PIDS = 8;
    private static final String[] EXES = {"/sbin/init", "/bin/sh", "/usr/bin/python3", "", "/bin/app"};

    @Property(tries = 2000)
    void everyAnswerIsTheChainAsItStandsNow(@ForAll long seed) {
        Random r = new Random(seed);
        ProcessTable table = new ProcessTable(new RegionHistory((m, v, t) -> {}), p -> {});
        long t = 100;
        for (int step = 0; step < 120; step++, t += 10) {
            int pid = 1 + r.nextInt(PIDS), other = 1 + r.nextInt(PIDS);
            switch (r.nextInt(6)) {
                case 0 -> table.fork(fork(t, pid, pid, other, other, start(r), 0));
                case 1 -> table.exec(exec(t, pid, EXES[r.nextInt(EXES.length)], "x"));
                case 2 -> table.exit(exit(t, pid, pid, true));
                case 3 -> table.task(task(t, pid, pid, r.nextInt(PIDS + 1), start(r), "c"));
                case 4 -> table.snapshot(new ProcSnapshot(t, pid, r.nextInt(PIDS + 1), 1 + r.nextInt(5), 0, 0, 0, 0, 1, "s",
                        EXES[r.nextInt(EXES.length)], List.of("s"), null), List.of());
                default -> {
                    Process p = table.processOf(h(RecordKind.MMAP, t, pid, pid));
                    String answer = table.ancestors(p); // first: chainNow's parentOf may link a parent, which drops caches
                    assertEquals(chainNow(table, p), answer, "pid " + pid + " at step " + step + " (seed " + seed + ")");
                }
            }
        }
    }

    /** Start times from a few, so that a fork often names a child a TASK record introduced before (same start). */
    private static long start(Random r) {
        return 10L * (1 + r.nextInt(4));
    }

    /** The exes up the parent links, oldest first, as ancestors() defines them; parentOf links a parent late, as ancestors() would. */
    private static String chainNow(ProcessTable table, Process p) {
        List<String> chain = new ArrayList<>();
        for (Process a = p; table.parentOf(a) != null && chain.size() < 256; ) {
            a = a.parent();
            chain.addFirst(a.exe() != null && !a.exe().isEmpty() ? a.exe() : "?");
        }
        return String.join("|", chain);
    }
}
