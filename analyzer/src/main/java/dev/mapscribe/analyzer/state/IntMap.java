package dev.mapscribe.analyzer.state;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * A map from int keys (pids, tids) to values, by open addressing with linear probing: the process table looks
 * up a thread and a process for every record replayed, and a {@code HashMap<Integer, V>} boxed both keys
 * (pids above 127 are not cached by {@code Integer.valueOf}) and chased a node per lookup. Values are never
 * null; {@link #get} answers null for a missing key. Iteration order is the table's, so callers that need a
 * deterministic order sort what {@link #values} returns.
 */
final class IntMap<V> {
    static final int INITIAL_SLOTS = 64;

    private int[] keys; // any int is a key, 0 included: whether a slot holds one is in `used`
    private Object[] values;
    private boolean[] used;
    private int size;

    IntMap() {
        allocate(INITIAL_SLOTS);
    }

    private void allocate(int capacity) {
        keys = new int[capacity];
        values = new Object[capacity];
        used = new boolean[capacity];
    }

    int size() {
        return size;
    }

    /** The slot of {@code key}, or of the empty slot where it would go. */
    private int slot(int key) {
        int mask = keys.length - 1;
        int i = home(key, mask);
        while (used[i] && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /**
     * The slot where the probe for {@code key} starts in a table of {@code mask + 1} slots. Pids run on in
     * steps of one: the multiply spreads them so that neighbours do not form one long probe run.
     */
    static int home(int key, int mask) {
        int h = key * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    @SuppressWarnings("unchecked")
    V get(int key) {
        int i = slot(key);
        return used[i] ? (V) values[i] : null;
    }

    /** Sets the value of {@code key}; returns the previous one, or null. */
    @SuppressWarnings("unchecked")
    V put(int key, V value) {
        if (value == null) {
            throw new NullPointerException("IntMap values are never null (key " + key + ")");
        }
        int i = slot(key);
        if (used[i]) {
            V old = (V) values[i];
            values[i] = value;
            return old;
        }
        keys[i] = key;
        values[i] = value;
        used[i] = true;
        if (++size * 2 > keys.length) { // at most half full: probe runs stay short
            resize(keys.length * 2);
        }
        return null;
    }

    /** Removes {@code key}; returns its value, or null when it had none. */
    @SuppressWarnings("unchecked")
    V remove(int key) {
        int i = slot(key);
        if (!used[i]) {
            return null;
        }
        V old = (V) values[i];
        size--;
        // Backward-shift deletion: move later entries of the probe run into the hole when the hole lies on
        // their way from their home slot, so that no lookup meets an empty slot before its key.
        int mask = keys.length - 1;
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (!used[j]) {
                break;
            }
            int home = home(keys[j], mask);
            boolean holeOnTheWay = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (holeOnTheWay) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        used[hole] = false;
        values[hole] = null; // let the value be collected
        if (keys.length > INITIAL_SLOTS && size * 8 < keys.length) {
            // Shrink once an eighth full: after a burst of threads, removeIf() and values() scan every slot,
            // and the process table calls removeIf() at every process end.
            resize(keys.length / 2);
        }
        return old;
    }

    /** The values, in table order (a copy: the map may change afterwards). */
    @SuppressWarnings("unchecked")
    List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (int i = 0; i < keys.length; i++) {
            if (used[i]) {
                out.add((V) values[i]);
            }
        }
        return out;
    }

    /** Removes every entry whose value passes {@code test}. */
    @SuppressWarnings("unchecked")
    void removeIf(Predicate<? super V> test) {
        int[] doomed = new int[0];
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (used[i] && test.test((V) values[i])) {
                if (n == doomed.length) {
                    doomed = Arrays.copyOf(doomed, Math.max(8, n * 2));
                }
                doomed[n++] = keys[i];
            }
        }
        for (int k = 0; k < n; k++) { // after the scan: removing shifts entries the scan has not reached
            remove(doomed[k]);
        }
    }

    /** Slots in the table (for tests: it follows the number of entries both ways). */
    int capacity() {
        return keys.length;
    }

    private void resize(int slots) {
        int[] oldKeys = keys;
        Object[] oldValues = values;
        boolean[] oldUsed = used;
        allocate(slots);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldUsed[i]) {
                int s = slot(oldKeys[i]);
                keys[s] = oldKeys[i];
                values[s] = oldValues[i];
                used[s] = true;
            }
        }
    }
}
