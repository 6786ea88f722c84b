package dev.mapscribe.analyzer.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.oracle.RegionsWorkload.Checkpoint;
import dev.mapscribe.analyzer.replay.ProcessLifetime;
import dev.mapscribe.formats.testkit.BpfRequirement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with real eBPF: scripts/workloads/forks.c — a thread's calls land in its process's map, a forked
 * child's in its copy only, and a vfork child that execs leaves its parent's map alone.
 */
class ForksRecordedTest {
    @TempDir
    static Path tmp;

    static RecordedReplay run;

    @BeforeAll
    static void record() throws Exception {
        BpfRequirement.assumeRootAndBpf();
        run = RecordedReplay.of(tmp, "forks");
    }

    @Test
    void everyCheckpointOfParentAndChildMatchesTheKernel() {
        List<Checkpoint> cps = RegionsWorkload.checkpoints(run.items);
        assertEquals(5, cps.size());
        assertNotEquals(run.pid, cps.get(2).pid(), "checkpoint 2 is the forked child's");
        List<String> failures = new ArrayList<>();
        for (Checkpoint c : cps) {
            failures.addAll(run.differences(c));
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void theThreadsAlertsAreItsProcesssAndNamedByItsThread() {
        assertEquals(run.expectedAlerts(), run.alertsOf(List.of(run.pid)));
        assertTrue(run.alerts.stream().filter(a -> a.task().pid() == run.pid).allMatch(a -> a.task().tid() != run.pid));
    }

    @Test
    void theChildAndTheVforkChildAreProcessesOfTheirOwn() {
        int child = RegionsWorkload.checkpoints(run.items).get(2).pid();
        ProcessLifetime c = run.processes.stream().filter(p -> p.pid() == child).findFirst().orElseThrow();
        assertEquals(run.pid, c.ppid());
        assertEquals("fork", c.source());
        assertTrue(c.memoryKnown());
        assertTrue(run.processes.stream().anyMatch(p -> p.ppid() == run.pid && p.exe() != null && p.exe().endsWith("bin/true")
                && p.execs() == 1 && p.memoryKnown()), "the vfork child exec'd /bin/true into a map of its own");
    }
}
