package dev.mapscribe.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mapscribe.formats.testkit.BpfRequirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The holder thread (it holds new executable files at the kernel's request) runs under SCHED_FIFO priority 1, so
 * that it is on a CPU before a process that lives a millisecond exits; it alone: the writer, which wakes every
 * millisecond under load, stays a normal thread at nice -4. The kernel's view, /proc/self/task/TID/stat, is the
 * oracle. As root, as CI runs it, SCHED_FIFO is granted.
 */
class HolderSchedulingTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void bpf() {
        BpfRequirement.assumeRootAndBpf();
    }

    private Recorder.Config config(boolean realtime) {
        return new Recorder.Config(tmp.resolve("journal"), Recorder.Hooks.SYSCALLS, 1L << 30, 1L << 20, true, false,
                List.of("test"), System.err).withRealtimeHolder(realtime);
    }

    /** A thread's policy (0 normal, 1 SCHED_FIFO), real-time priority and nice, as the kernel shows them. */
    private record Sched(String thread, int policy, int rtPriority, int nice) {}

    /** Every thread of this JVM, from /proc/self/task/TID/stat (fields 19 nice, 40 rt_priority, 41 policy). */
    private static List<Sched> threads() throws IOException {
        List<Sched> out = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                // Fields after the name, which may hold spaces: the state is field 3.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                out.add(new Sched(name, Integer.parseInt(f[41 - 3]), Integer.parseInt(f[40 - 3]), Integer.parseInt(f[19 - 3])));
            }
        }
        return out;
    }

    @Test
    void theHolderAloneRunsUnderSchedFifo() throws Exception {
        try (Recorder r = Recorder.start(config(true))) {
            List<Sched> all = threads();
            r.awaitStopped();
            assertEquals("SCHED_FIFO 1", r.holderScheduling());
            // Thread names are cut to 15 bytes in the kernel's view.
            assertEquals(List.of(new Sched("mapscribe-holde", 1, 1, 0)), all.stream().filter(t -> t.policy() != 0).toList(),
                    "only the holder may run real-time; every thread: " + all);
            assertEquals(List.of(new Sched("mapscribe-write", 0, 0, -4)),
                    all.stream().filter(t -> t.thread().equals("mapscribe-write")).toList());
        }
    }

    @Test
    void withoutRealtimeTheHolderIsANormalThreadAtNiceMinus4() throws Exception {
        try (Recorder r = Recorder.start(config(false))) {
            List<Sched> all = threads();
            r.awaitStopped();
            assertEquals("nice -4", r.holderScheduling());
            assertEquals(List.of(), all.stream().filter(t -> t.policy() != 0).toList());
            assertEquals(List.of(new Sched("mapscribe-holde", 0, 0, -4)),
                    all.stream().filter(t -> t.thread().equals("mapscribe-holde")).toList());
        }
    }
}
