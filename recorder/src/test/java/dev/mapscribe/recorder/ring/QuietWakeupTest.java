package dev.mapscribe.recorder.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.formats.raw.Layouts;
import dev.mapscribe.recorder.bpf.HookTier;
import dev.mapscribe.recorder.bpf.KernelPrograms;
import dev.mapscribe.recorder.sys.Libc;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The writer's doze through a quiet spell ({@link QuietWakeup}): while it sleeps, the programs submit with no wake-up
 * flag, so the kernel wakes the ring's waiter at the first record into the empty ring. The records come from a child
 * (/bin/true: fork, exec, its mappings, exit; the test's own calls are filtered out as the recorder's are), run once
 * before the doze so that none of its files is new: a file's first executable mapping wakes the waiter whatever the
 * flags (BPF_RB_FORCE_WAKEUP, for the holder), and would end the doze without the flags' help.
 *
 * <p>Another process's record can also end the doze (the host keeps running: CI's Maven, a cron job), and one that
 * maps a file new to the programs wakes the waiter whatever the flags. So the doze counts only when the first record
 * in the ring is the child's: that record found the ring empty, and it wakes the waiter only by the flags the doze
 * set. Otherwise the round is another's and is run again.
 */
class QuietWakeupTest {
    private static final long BPF_RB_NO_WAKEUP = 1;
    private static final long PID_OFFSET = Layouts.MS_HDR.byteOffset(MemoryLayout.PathElement.groupElement("pid"));

    @Test
    void theFirstRecordAfterAQuietSpellEndsTheDoze() throws Exception {
        BpfRequirement.assumeRootAndBpf();
        int self = (int) ProcessHandle.current().pid();
        try (KernelPrograms programs = KernelPrograms.open(HookTier.SYSCALLS, null, self, 1 << 20)) {
            programs.load();
            MemorySegment flags = programs.quietWakeup();
            assertEquals(BPF_RB_NO_WAKEUP, flags.get(ValueLayout.JAVA_LONG, 0), "the programs load polling (mapscribe.bpf.c)");
            programs.attachAll();
            try (Libc libc = new Libc(); RingWait wait = new RingWait(libc, programs.ringFd());
                 RingReader ring = new RingReader(programs.ringFd(), programs.ringBytes())) {
                runTrue(); // its files seen: the run below wakes nobody by itself
                for (int round = 1; ; round++) {
                    while (ring.drain((seg, at, length) -> true) > 0) {
                        // empty the ring: the doze begins with nothing pending
                    }
                    wait.upTo(1_000_000); // and takes no wake-up left from before (edge-triggered: at most one)
                    CompletableFuture<Long> child = CompletableFuture.supplyAsync(() -> {
                        try {
                            Thread.sleep(300); // into the doze
                            return runTrue();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    long t0 = System.nanoTime();
                    boolean woken = new QuietWakeup(flags).doze(wait, ring, TimeUnit.SECONDS.toNanos(30));
                    long sleptMs = (System.nanoTime() - t0) / 1_000_000;
                    long childPid = child.get(30, TimeUnit.SECONDS);
                    assertTrue(woken, "the doze slept its 30 s through the child's records (" + sleptMs + " ms)");
                    assertTrue(ring.pendingBytes() > 0, "woken with no record in the ring");
                    assertEquals(BPF_RB_NO_WAKEUP, flags.get(ValueLayout.JAVA_LONG, 0), "after the doze the programs poll again");
                    long firstPid = firstRecordPid(ring);
                    if (firstPid == childPid) {
                        return; // the child's record found the ring empty and woke the doze
                    }
                    assertTrue(round < 10, "in 10 rounds another process's record (pid " + firstPid
                            + ") always reached the empty ring before the child's: the doze's wake-up was never the child's");
                }
            }
        }
    }

    /** The tgid in the header of the oldest record in the ring, which stays there. */
    private static long firstRecordPid(RingReader ring) {
        long[] pid = {-1};
        ring.drain((seg, at, length) -> {
            pid[0] = Integer.toUnsignedLong(seg.get(ValueLayout.JAVA_INT_UNALIGNED, at + PID_OFFSET));
            return false; // not consumed
        });
        return pid[0];
    }

    /** Runs /bin/true; returns its pid, the tgid of its records (ProcessBuilder spawns it, then it execs). */
    private static long runTrue() throws Exception {
        Process p = new ProcessBuilder("/bin/true").start();
        assertEquals(0, p.waitFor());
        return p.pid();
    }
}
