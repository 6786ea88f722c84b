package dev.mapscribe.analyzer.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IntMapTest {
    @Test
    void keepsPutsRemovesAndTheKeyZero() {
        IntMap<String> m = new IntMap<>();
        assertNull(m.get(0));
        assertNull(m.put(0, "zero"));
        assertNull(m.put(-7, "minus seven"));
        assertEquals("zero", m.put(0, "nought"));
        assertEquals("nought", m.get(0));
        assertEquals("minus seven", m.get(-7));
        assertEquals(2, m.size());
        assertEquals("nought", m.remove(0));
        assertNull(m.remove(0));
        assertNull(m.get(0));
        assertEquals(1, m.size());
        assertThrows(NullPointerException.class, () -> m.put(1, null));
    }

    /** A burst of entries grows the table; removing them shrinks it again, so a scan costs what is left. */
    @Test
    void theTableFollowsTheNumberOfEntriesBothWays() {
        IntMap<Integer> m = new IntMap<>();
        for (int k = 0; k < 100_000; k++) {
            m.put(k, k);
        }
        assertTrue(m.capacity() >= 200_000);
        for (int k = 0; k < 100_000; k++) {
            if (k % 1000 != 0) {
                assertEquals(k, m.remove(k));
            }
        }
        assertEquals(100, m.size());
        assertTrue(m.capacity() <= 8 * 100, "capacity " + m.capacity() + " for 100 entries");
        for (int k = 0; k < 100_000; k += 1000) {
            assertEquals(k, m.get(k));
        }
        m.removeIf(v -> true);
        assertEquals(0, m.size());
        assertEquals(IntMap.INITIAL_SLOTS, m.capacity());
    }

    /** The first {@code n} non-negative keys whose probe starts at {@code slot} of a new map. */
    private static int[] keysAt(int slot, int n) {
        int[] out = new int[n];
        int found = 0;
        for (int key = 0; found < n; key++) {
            if (IntMap.home(key, IntMap.INITIAL_SLOTS - 1) == slot) {
                out[found++] = key;
            }
        }
        return out;
    }

    /**
     * A probe run that wraps from the table's last slot to its first: removing any of its keys must leave
     * every other one reachable (the backward shift has to move entries across the wrap, and entries whose
     * home is the hole itself).
     */
    @Test
    void removalKeepsAProbeRunThatWrapsAroundTheTableEnd() {
        int last = IntMap.INITIAL_SLOTS - 1;
        int[] atLast = keysAt(last, 3); // slots 63, 0, 1
        int[] atZero = keysAt(0, 2); // slots 2, 3 (0 and 1 are taken)
        int[][] runs = {
            {atLast[0], atLast[1], atLast[2]}, // a hole at slot 0 must take slot 1's entry, whose home is slot 63
            {atLast[0], atLast[1], atLast[2], atZero[0], atZero[1]}, // and entries whose home is the hole itself
        };
        for (int[] all : runs) {
            for (int gone : all) {
                IntMap<Integer> m = new IntMap<>();
                for (int k : all) {
                    m.put(k, k);
                }
                assertEquals(gone, m.remove(gone));
                for (int k : all) {
                    assertEquals(k == gone ? null : Integer.valueOf(k), m.get(k), "key " + k + " after removing " + gone);
                }
                assertEquals(all.length - 1, m.size());
            }
        }
    }

    /**
     * Random puts and removes over a small key range (long probe runs, runs that wrap around the table's end,
     * growth) against a HashMap: a wrong backward shift in remove() loses a key or keeps a removed one.
     */
    @Test
    void agreesWithAHashMapUnderRandomChurn() {
        for (long seed = 1; seed <= 20; seed++) {
            Random rnd = new Random(seed);
            IntMap<Integer> m = new IntMap<>();
            Map<Integer, Integer> expected = new HashMap<>();
            int range = seed % 2 == 0 ? 32 : 5000; // 32 keys fill the first 64 slots to half, never growing them; 5000 grow it many times
            for (int op = 0; op < 20_000; op++) {
                int key = rnd.nextInt(range) - range / 4;
                switch (rnd.nextInt(3)) {
                    case 0, 1 -> assertEquals(expected.put(key, op), m.put(key, op), "put " + key + " (seed " + seed + ")");
                    default -> assertEquals(expected.remove(key), m.remove(key), "remove " + key + " (seed " + seed + ")");
                }
                if (op % 1000 == 0) {
                    int cut = rnd.nextInt(20_000);
                    m.removeIf(v -> v < cut);
                    expected.values().removeIf(v -> v < cut);
                }
            }
            assertEquals(expected.size(), m.size());
            for (int key = -range; key < range; key++) {
                assertEquals(expected.get(key), m.get(key), "key " + key + " (seed " + seed + ")");
            }
            List<Integer> values = new ArrayList<>(m.values());
            values.sort(null);
            List<Integer> want = new ArrayList<>(expected.values());
            want.sort(null);
            assertEquals(want, values);
        }
    }
}
