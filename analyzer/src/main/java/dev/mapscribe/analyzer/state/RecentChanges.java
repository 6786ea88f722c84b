package dev.mapscribe.analyzer.state;

/**
 * The last {@link #CAPACITY} ranges an address space's calls changed, with when each call returned and which thread
 * made it: what an MS_ORDER note is checked against. Records come in the order their calls returned; a call whose
 * return another change of its address space overtook (the note) may have made its own change before that other
 * change, whose record came first. Only changes that returned after the thread's previous change can be such: the
 * noted call began after that one returned.
 */
public final class RecentChanges {
    static final int CAPACITY = 64; // a power of two

    private long[] lo, hi, ns; // allocated at the first change
    private int[] tid;
    private long count; // changes ever added

    /**
     * Thread {@code tid} began at {@code nowNs} (a fork or clone record): a call it makes later began after that, and its
     * first change is checked against the changes since (an empty change of its own marks the start).
     */
    void threadStarted(int tid, long nowNs) {
        add(0, 0, nowNs, tid);
    }

    void add(long from, long to, long nowNs, int byTid) {
        if (lo == null) {
            lo = new long[CAPACITY];
            hi = new long[CAPACITY];
            ns = new long[CAPACITY];
            tid = new int[CAPACITY];
        }
        int i = (int) (count++ & (CAPACITY - 1));
        lo[i] = from;
        hi[i] = to;
        ns[i] = nowNs;
        tid[i] = byTid;
    }

    /** When the latest change of thread {@code byTid} that is kept returned; 0 when none is. */
    public long latestOf(int byTid) {
        for (int k = 1; k <= kept(); k++) { // newest first
            int i = slot(k);
            if (tid[i] == byTid) {
                return ns[i];
            }
        }
        return 0;
    }

    /**
     * The parts of [from, to) that changes which returned after thread {@code byTid}'s latest change touched, as
     * [lo, hi) pairs (possibly overlapping); an empty array when none did. Null when the ring no longer reaches back to
     * that change (it was pushed out, or there is none and changes were): all of [from, to) is in doubt.
     */
    public long[] touchedSince(long from, long to, int byTid) {
        int kept = kept();
        int newer = kept; // the changes newer than the thread's latest: all kept ones when it has none kept
        for (int k = 1; k <= kept; k++) {
            if (tid[slot(k)] == byTid) {
                newer = k - 1;
                break;
            }
        }
        if (newer == kept && count > CAPACITY) {
            return null; // its latest change was pushed out: older ones may be after it too
        }
        long[] out = new long[2 * newer];
        int n = 0;
        for (int k = 1; k <= newer; k++) {
            int i = slot(k);
            if (lo[i] < to && hi[i] > from) {
                out[n++] = Math.max(lo[i], from);
                out[n++] = Math.min(hi[i], to);
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * The parts of [from, to) that the last {@code k} changes of other threads than {@code byTid} touched (a noted
     * call's count says that k write locks were completed between its own and its return: their records, when they
     * came before its own, are the last ones), as [lo, hi) pairs. Null when fewer than k are kept and some were pushed
     * out: all of [from, to) is in doubt.
     */
    public long[] touchedByLast(long from, long to, int k, int byTid) {
        int kept = kept();
        long[] out = new long[2 * Math.min(k, kept)];
        int n = 0, seen = 0;
        for (int j = 1; j <= kept && seen < k; j++) {
            int i = slot(j);
            if (tid[i] == byTid || lo[i] >= hi[i]) {
                continue; // the thread's own, or a thread's start (no range)
            }
            seen++;
            if (lo[i] < to && hi[i] > from) {
                out[n++] = Math.max(lo[i], from);
                out[n++] = Math.min(hi[i], to);
            }
        }
        if (seen < k && count > CAPACITY) {
            return null;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private int kept() {
        return (int) Math.min(count, CAPACITY);
    }

    /** The k-th newest change's slot, k from 1. */
    private int slot(int k) {
        return (int) ((count - k) & (CAPACITY - 1));
    }
}
