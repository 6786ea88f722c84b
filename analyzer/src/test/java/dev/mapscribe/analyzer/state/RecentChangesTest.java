package dev.mapscribe.analyzer.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The window of an MS_ORDER note over an address space's last changes, and what it says once they wrap around. */
class RecentChangesTest {
    private static final long P = 0x1000;

    @Test
    void theWindowIsTheChangesAfterTheThreadsPreviousOneOrTheLastKOfOtherThreads() {
        RecentChanges r = new RecentChanges();
        r.add(0x10000, 0x20000, 10, 7);        // thread 7's previous change
        r.add(0x11000, 0x12000, 20, 8);        // thread 8, inside the range asked about
        r.add(0x30000, 0x31000, 30, 9);        // thread 9, elsewhere
        r.threadStarted(10, 35);               // thread 10 starts: no range
        // since thread 7's previous change: 8's and 9's; only 8's touches [0x10000, 0x20000)
        assertArrayEquals(new long[] {0x11000, 0x12000}, r.touchedSince(0x10000, 0x20000, 7));
        assertEquals(10, r.latestOf(7));
        // the last change of another thread is 9's (the start is no change): nothing in the range; the last two, 8's too
        assertArrayEquals(new long[] {}, r.touchedByLast(0x10000, 0x20000, 1, 7));
        assertArrayEquals(new long[] {0x11000, 0x12000}, r.touchedByLast(0x10000, 0x20000, 2, 7));
        // a thread with nothing kept but its start: the changes after the start (none)
        assertArrayEquals(new long[] {}, r.touchedSince(0, RegionMap.USER_END, 10));
        // a thread never seen, while nothing was pushed out: every kept change
        assertArrayEquals(new long[] {0x10000, 0x20000}, sorted(r.touchedSince(0x10000, 0x20000, 11)));
    }

    @Test
    void whatWasPushedOutPutsTheWholeRangeInDoubt() {
        RecentChanges r = new RecentChanges();
        r.add(0x10000, 0x20000, 1, 7);
        for (int i = 0; i < RecentChanges.CAPACITY; i++) {
            r.add(0x40000 + i * P, 0x40000 + (i + 1) * P, 2 + i, 8);
        }
        assertNull(r.touchedSince(0x10000, 0x20000, 7), "thread 7's previous change was pushed out");
        assertEquals(0, r.latestOf(7));
        assertArrayEquals(new long[] {}, r.touchedByLast(0x10000, 0x20000, RecentChanges.CAPACITY, 7), "all kept: none touches");
        assertNull(r.touchedByLast(0x10000, 0x20000, RecentChanges.CAPACITY + 1, 7), "more asked than kept");
    }

    private static long[] sorted(long[] pairs) {
        long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
        for (int i = 0; i < pairs.length; i += 2) {
            lo = Math.min(lo, pairs[i]);
            hi = Math.max(hi, pairs[i + 1]);
        }
        return new long[] {lo, hi};
    }
}
