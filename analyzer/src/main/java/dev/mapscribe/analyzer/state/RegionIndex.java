package dev.mapscribe.analyzer.state;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;

/**
 * The regions of one address space sorted by start, in two parallel arrays: the starts, searched by binary
 * search, and the regions. A process has tens to a few thousand regions, and a replay visits the maps of many
 * processes in turn: a TreeMap's entries and boxed keys lie scattered over the heap, and its walks were the
 * replay's largest cost (cache misses at every level); here a search reads one small array of longs.
 * A change replaces a run of neighbouring entries at once ({@link #replace}), which is how
 * {@link RegionMap} changes the map: one array copy per call, at worst the size of the map.
 */
final class RegionIndex {
    private long[] starts = new long[8];
    private Region[] regions = new Region[8];
    private int size;
    private final View view = new View();

    int size() {
        return size;
    }

    Region get(int i) {
        return regions[i];
    }

    /** Index of the last region starting at or below {@code addr}, or -1. */
    int floor(long addr) {
        int i = Arrays.binarySearch(starts, 0, size, addr);
        return i >= 0 ? i : -i - 2;
    }

    /** Index of the first region starting at or above {@code addr}; {@link #size()} when there is none. */
    int ceiling(long addr) {
        int i = Arrays.binarySearch(starts, 0, size, addr);
        return i >= 0 ? i : -i - 1;
    }

    /**
     * Replaces the entries [from, to) by {@code with} (sorted by start, and fitting between the entries
     * before {@code from} and from {@code to} on: the caller keeps the map's order).
     */
    void replace(int from, int to, List<Region> with) {
        int n = with.size();
        int newSize = size - (to - from) + n;
        if (newSize > starts.length) {
            int cap = Math.max(newSize, starts.length * 2);
            starts = Arrays.copyOf(starts, cap);
            regions = Arrays.copyOf(regions, cap);
        }
        if (to - from != n) {
            System.arraycopy(starts, to, starts, from + n, size - to);
            System.arraycopy(regions, to, regions, from + n, size - to);
        }
        for (int i = 0; i < n; i++) {
            Region r = with.get(i);
            starts[from + i] = r.start();
            regions[from + i] = r;
        }
        for (int i = newSize; i < size; i++) {
            regions[i] = null; // no stale references past the end
        }
        size = newSize;
        view.changed();
    }

    /** Adds a region after all others (a copy made in address order). */
    void append(Region r) {
        replace(size, size, List.of(r));
    }

    void clear() {
        Arrays.fill(regions, 0, size, null);
        size = 0;
        view.changed();
    }

    /** A read-only view in address order, live (it sees later changes). */
    List<Region> values() {
        return view;
    }

    /** Its iterators fail fast, like a TreeMap's, when the index changes under them. */
    private final class View extends AbstractList<Region> {
        void changed() {
            modCount++;
        }

        @Override
        public Region get(int i) {
            if (i < 0 || i >= size) {
                throw new IndexOutOfBoundsException(i);
            }
            return regions[i];
        }

        @Override
        public int size() {
            return size;
        }
    }
}
