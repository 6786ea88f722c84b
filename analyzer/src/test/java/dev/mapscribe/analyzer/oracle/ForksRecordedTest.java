package dev.mapscribe.analyzer.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.oracle.RegionsWorkload.Checkpoint;
import dev.mapscribe.analyzer.replay.ProcessLifetime;
import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.recorder.Recorder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with real eBPF: scripts/workloads/forks.c — a thread's calls land in its process's map, a forked
 * child's in its copy only, and a vfork child that execs leaves its parent's map alone. Recorded twice: with
 * --hooks auto (tp_btf here) and with the raw_tp variant forced, whose fork/exec/exit records and post-exec
 * VMA walk must rebuild the same maps.
 */
class ForksRecordedTest {
    @TempDir
    static Path tmp;

    /** One recording per variant, made by the first test that needs it. */
    private static final Map<Recorder.Hooks, RecordedReplay> runs = new EnumMap<>(Recorder.Hooks.class);

    private static RecordedReplay run(Recorder.Hooks hooks) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        RecordedReplay run = runs.get(hooks);
        if (run == null) {
            run = RecordedReplay.of(tmp, "forks", hooks);
            runs.put(hooks, run);
        }
        return run;
    }

    @ParameterizedTest
    @EnumSource(value = Recorder.Hooks.class, names = {"AUTO", "SYSCALLS_RAW_TP"})
    void everyCheckpointOfParentAndChildMatchesTheKernel(Recorder.Hooks hooks) throws Exception {
        RecordedReplay run = run(hooks);
        List<Checkpoint> cps = RegionsWorkload.checkpoints(run.items);
        assertEquals(5, cps.size());
        assertNotEquals(run.pid, cps.get(2).pid(), "checkpoint 2 is the forked child's");
        List<String> failures = new ArrayList<>();
        for (Checkpoint c : cps) {
            failures.addAll(run.differences(c));
        }
        assertEquals(List.of(), failures);
    }

    @ParameterizedTest
    @EnumSource(value = Recorder.Hooks.class, names = {"AUTO", "SYSCALLS_RAW_TP"})
    void theThreadsAlertsAreItsProcesssAndNamedByItsThread(Recorder.Hooks hooks) throws Exception {
        RecordedReplay run = run(hooks);
        assertEquals(run.expectedAlerts(), run.alertsOf(List.of(run.pid)));
        assertTrue(run.alerts.stream().filter(a -> a.task().pid() == run.pid).allMatch(a -> a.task().tid() != run.pid));
    }

    @ParameterizedTest
    @EnumSource(value = Recorder.Hooks.class, names = {"AUTO", "SYSCALLS_RAW_TP"})
    void theChildAndTheVforkChildAreProcessesOfTheirOwn(Recorder.Hooks hooks) throws Exception {
        RecordedReplay run = run(hooks);
        int child = RegionsWorkload.checkpoints(run.items).get(2).pid();
        ProcessLifetime c = run.processes.stream().filter(p -> p.pid() == child).findFirst().orElseThrow();
        assertEquals(run.pid, c.ppid());
        assertEquals("fork", c.source());
        assertTrue(c.memoryKnown());
        assertTrue(run.processes.stream().anyMatch(p -> p.ppid() == run.pid && p.exe() != null && p.exe().endsWith("bin/true")
                && p.execs() == 1 && p.memoryKnown()), "the vfork child exec'd /bin/true into a map of its own");
    }
}
