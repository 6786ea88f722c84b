package dev.mapscribe.analyzer.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.oracle.RegionsWorkload.Checkpoint;
import dev.mapscribe.analyzer.replay.SyscallRow;
import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.recorder.Recorder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with real eBPF, on the busiest address space at hand: a JVM (JvmWorkload, in a JVM of its own) with
 * threads coming and going, a growing heap, the JIT's code cache and a mapped file. The regions valid at each
 * checkpoint must match the /proc/self/maps it read then, page by page. Its other threads may change the maps
 * during the read, so a checkpoint counts only when no memory call of the process was recorded in its window.
 */
class JvmRecordedTest {
    static final int ROUNDS = 8;
    static final Set<String> MEMORY_CALLS = Set.of("mmap", "munmap", "mprotect", "pkey_mprotect", "mremap", "brk");

    @Test
    void theRegionsOfAJvmAreTheOnesTheKernelShowed(@TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        String java = ProcessHandle.current().info().command().orElseThrow();
        RecordedReplay run = RecordedReplay.of(tmp, "jvm", Recorder.Hooks.AUTO, List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), JvmWorkload.class.getName(), Integer.toString(ROUNDS)));
        assertNull(run.read.damage());
        assertEquals(List.of(), run.losses.stream().filter(l -> l.count() == null || l.count() > 0).toList());

        List<String> differences = new ArrayList<>();
        int compared = 0;
        for (Checkpoint c : RegionsWorkload.checkpoints(run.items)) {
            long[] window = window(run.output, c.n());
            boolean quiet = run.syscalls.stream().noneMatch(s -> s.pid() == c.pid() && MEMORY_CALLS.contains(s.name())
                    && s.tsNs() >= window[0] && s.tsNs() <= window[1]);
            if (quiet) {
                compared++;
                differences.addAll(run.differences(c));
            }
        }
        assertTrue(compared >= ROUNDS / 2, "only " + compared + " of " + ROUNDS + " checkpoints had a quiet window");
        assertEquals(List.of(), differences);

        // HotSpot commits its code cache readable, writable and executable at once: what tracee flags in a JIT.
        int jvm = RegionsWorkload.pid(run.items);
        assertTrue(run.alerts.stream().anyMatch(a -> a.task().pid() == jvm && a.alert().equals("Mmaped region with W+E permissions!")),
                "no W+E mmap alert for the JVM: " + run.alertsOf(List.of(jvm)));
    }

    /** The WINDOW line of checkpoint n: the CLOCK_MONOTONIC times before and after its read of the maps. */
    private static long[] window(String output, int n) {
        for (String line : output.split("\n")) {
            String[] f = line.split(" ");
            if (f[0].equals("WINDOW") && Integer.parseInt(f[1]) == n) {
                return new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])};
            }
        }
        throw new IllegalStateException("no WINDOW line for checkpoint " + n);
    }
}
