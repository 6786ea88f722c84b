package dev.mapscribe.analyzer.replay;

import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.raw.Record;
import dev.mapscribe.formats.raw.UserRecord.ProcSnapshot;
import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import java.util.ArrayDeque;

/**
 * Puts the start-up snapshot in its place among the kernel records. The recorder attaches its programs first, then
 * reads /proc, and writes the snapshot once the whole walk is read (RECORDER.md, "Start-up order"): the journal holds
 * it behind the kernel records drained meanwhile, and some of those happened after a process was read (its exit, a
 * mapping). Replayed in journal order, such a process would be met in its records first, its memory unknown, and its
 * snapshot would come after its exit. So the records before the snapshot are held, and each process's snapshot is
 * replayed after the held records older than its read ({@link ProcSnapshot#ktimeNs()}) and before the others: the
 * order in which the kernel and the walk saw them. Records that are not the kernel's (file information, losses) keep
 * their place after the kernel records before them.
 *
 * <p>At most {@link #MAX_HELD} records are held, and {@link #MAX_HELD_BYTES} of them as recorded: a journal whose
 * snapshot comes later than that (a busy host's long walk), or that has none ({@code record --no-snapshot}), is
 * replayed in journal order from there on, as before, and ProcessTable still gives a snapshot that comes after its
 * process's end to that ended lifetime. Deterministic: the order depends on the journal only.
 */
final class SnapshotOrder {
    /** Replays one record: its journal position (counting from 1) and excerpt stay the journal's. */
    interface Target {
        void apply(Record r, long batch, long position);

        /** The snapshot's records are past: no process will be named by it any more. */
        void snapshotPast();
    }

    /** ~40 MB of decoded records at most; the demo's journal holds 6 before its snapshot, a busy host's thousands. */
    static final int MAX_HELD = 1 << 17;
    /**
     * And at most 16 MiB of them as recorded (a kernel record's size, at least 64; 256 for another): an exec's record with
     * its argv is kilobytes, and 131,072 of them would not fit the analyzer's heap.
     */
    static final long MAX_HELD_BYTES = 16L << 20;

    private enum Phase {
        /** No snapshot yet: records are held. */
        HOLDING,
        /** No snapshot yet, and too many records came before it: journal order. */
        NOT_HOLDING,
        /** Inside the snapshot's records. */
        IN_SNAPSHOT,
        /** After them. */
        PAST
    }

    private record Held(Record record, long batch, long position) {}

    private final Target target;
    private final int maxHeld;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private long heldBytes; // of what was held before the first snapshot: nothing is held after it
    private Phase phase = Phase.HOLDING;
    private boolean late;

    SnapshotOrder(Target target, int maxHeld) {
        this.target = target;
        this.maxHeld = maxHeld;
    }

    void accept(Record r, long batch, long position) {
        switch (phase) {
            case PAST -> target.apply(r, batch, position);
            case HOLDING -> {
                if (r instanceof ProcSnapshot s) {
                    phase = Phase.IN_SNAPSHOT;
                    releaseOlderThan(s.ktimeNs());
                    target.apply(r, batch, position);
                } else if (held.size() < maxHeld && heldBytes + bytes(r) <= MAX_HELD_BYTES) {
                    held.add(new Held(r, batch, position));
                    heldBytes += bytes(r);
                } else {
                    releaseAll();
                    phase = Phase.NOT_HOLDING;
                    target.apply(r, batch, position);
                }
            }
            case NOT_HOLDING -> {
                if (r instanceof ProcSnapshot) {
                    phase = Phase.IN_SNAPSHOT;
                    late = true;
                }
                target.apply(r, batch, position);
            }
            case IN_SNAPSHOT -> {
                if (r instanceof ProcSnapshot s) {
                    releaseOlderThan(s.ktimeNs()); // the walk reads processes one after the other, its times grow
                } else if (!(r instanceof SnapshotRegion)) {
                    releaseAll(); // the recorder writes the snapshot in one piece: it is past
                    phase = Phase.PAST;
                    target.snapshotPast();
                }
                target.apply(r, batch, position);
            }
        }
    }

    /** The snapshot's records are past (or the journal's end): no process will be named by it any more. */
    boolean past() {
        return phase == Phase.PAST;
    }

    /** The snapshot came after more records than are held: the processes it names were replayed after those records. */
    boolean late() {
        return late;
    }

    /** The journal has ended: what is still held is replayed (the caller then ends what is open, the snapshot too). */
    void finish() {
        releaseAll();
        phase = Phase.PAST;
    }

    /** The held records up to the first kernel record at or after {@code ktimeNs}, in their journal order. */
    private void releaseOlderThan(long ktimeNs) {
        while (!held.isEmpty()) {
            Held h = held.peekFirst();
            if (h.record() instanceof KernelRecord k && k.h().ktimeNs() >= ktimeNs) {
                return;
            }
            releaseFirst();
        }
    }

    private void releaseFirst() {
        Held h = held.pollFirst();
        target.apply(h.record(), h.batch(), h.position());
    }

    private static long bytes(Record r) {
        return r instanceof KernelRecord k ? Math.max(64, k.h().size()) : 256;
    }

    private void releaseAll() {
        while (!held.isEmpty()) {
            releaseFirst();
        }
    }
}
