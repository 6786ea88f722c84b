package dev.mapscribe.analyzer.state;

/**
 * The last {@link #CAPACITY} ranges an address space's calls changed, with when each call returned and which thread
 * made it: what an MS_ORDER note is checked against. Records come in the order their calls returned; a call whose
 * return another change of its address space overtook (the note) may have made its own change before that other
 * change, whose record came first. Only the changes that returned after the call took its lock can be such.
 */
final class RecentChanges {
    static final int CAPACITY = 16; // a power of two
    /** sinceNs for a note that does not say when the call took its lock. */
    static final long LOCK_UNKNOWN = Long.MIN_VALUE;

    private long[] lo, hi, ns; // allocated at the first change: most maps never meet a note
    private int[] tid;
    private long count; // changes ever added

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

    /**
     * The parts of [from, to) that changes which returned after {@code sinceNs} touched, as [lo, hi) pairs (possibly
     * overlapping); an empty array when none did. With {@link #LOCK_UNKNOWN} the bound is the latest change of the
     * same thread: its call began after that one returned. Null when the ring no longer reaches back to the bound (more
     * changes came since than it keeps): all of [from, to) is in doubt.
     */
    long[] touchedSince(long from, long to, long sinceNs, int byTid) {
        int kept = (int) Math.min(count, CAPACITY);
        long since = sinceNs;
        if (since == LOCK_UNKNOWN) {
            for (int k = 1; k <= kept; k++) { // newest first
                int i = (int) ((count - k) & (CAPACITY - 1));
                if (tid[i] == byTid) {
                    since = ns[i];
                    break;
                }
            }
        }
        if (count > CAPACITY && ns[(int) (count & (CAPACITY - 1))] > since) {
            return null; // the oldest kept change is already after the bound: older ones may be too
        }
        long[] out = new long[2 * kept];
        int n = 0;
        for (int k = 1; k <= kept; k++) {
            int i = (int) ((count - k) & (CAPACITY - 1));
            if (ns[i] > since && lo[i] < to && hi[i] > from) {
                out[n++] = Math.max(lo[i], from);
                out[n++] = Math.min(hi[i], to);
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
