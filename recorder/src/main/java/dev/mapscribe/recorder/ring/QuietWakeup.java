package dev.mapscribe.recorder.ring;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The kernel programs' {@code quiet_wakeup} (mapscribe.bpf.c): the wake-up flags of every record that needs no prompt
 * reader, in the kernel map's own memory ({@code KernelPrograms.quietWakeup()}), so that a write here is what the next
 * submit reads.
 * BPF_RB_NO_WAKEUP while the writer drains the ring on its timer; 0 while it dozes through a quiet spell, and then the
 * kernel wakes the ring's waiters when a record lands in an empty ring, that is at the first record after the spell,
 * once. Without it an idle recorder woke every 8 ms to find nothing (docs/RECORDER.md, "A quiet host").
 */
public final class QuietWakeup {
    private static final long BPF_RB_NO_WAKEUP = 1; // linux/bpf.h
    private static final long BPF_RB_WAKE_IF_EMPTY = 0; // no flag: the kernel's own rule
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment flags;

    public QuietWakeup(MemorySegment flags) {
        if (flags.byteSize() != Long.BYTES) {
            throw new IllegalArgumentException("quiet_wakeup is " + flags.byteSize() + " bytes, not 8");
        }
        this.flags = flags;
    }

    /**
     * Sleeps up to {@code ns} (whole milliseconds, at least one) unless records are pending, and the first record
     * submitted meanwhile ends the sleep (as {@link RingWait#wake()} does); true when records were pending or the wait
     * was woken.
     */
    public boolean doze(RingWait wait, RingReader ring, long ns) throws IOException {
        LONG.setVolatile(flags, 0L, BPF_RB_WAKE_IF_EMPTY);
        // The new flags before the look at the ring (store, then load: only a full fence orders them). A program that
        // read the old flags just before, and whose record this look missed, cannot be told apart here (the kernel
        // reads the flags with no fence): that record waits for the end of the doze, in a ring that was empty.
        VarHandle.fullFence();
        try {
            return ring.pendingBytes() != 0 || wait.upTo(ns);
        } finally {
            LONG.setVolatile(flags, 0L, BPF_RB_NO_WAKEUP); // the timer again: no wake-up per record while busy
        }
    }
}
