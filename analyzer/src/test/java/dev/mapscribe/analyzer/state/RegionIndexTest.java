package dev.mapscribe.analyzer.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegionIndexTest {
    private static Region at(long start) {
        return Region.unknown(start, start + 5, Prot.UNKNOWN);
    }

    private static List<Long> starts(RegionIndex index) {
        List<Long> out = new ArrayList<>();
        for (Region r : index.values()) {
            out.add(r.start());
        }
        return out;
    }

    @Test
    void searchesFindTheNeighboursOfAnAddress() {
        RegionIndex index = new RegionIndex();
        for (long s = 10; s <= 40; s += 10) {
            index.append(at(s));
        }
        assertEquals(-1, index.floor(9));
        assertEquals(0, index.floor(10));
        assertEquals(0, index.floor(19));
        assertEquals(3, index.floor(1000));
        assertEquals(0, index.ceiling(0));
        assertEquals(1, index.ceiling(11));
        assertEquals(1, index.ceiling(20));
        assertEquals(4, index.ceiling(41)); // none: the size
    }

    @Test
    void replacingARunGrowsShrinksAndKeepsTheOthersInPlace() {
        RegionIndex index = new RegionIndex();
        for (long s = 0; s < 200; s += 10) {
            index.append(at(s)); // 20 entries: past the first capacity
        }
        Region kept = index.get(19);
        index.replace(5, 8, List.of(at(55))); // three become one
        assertEquals(18, index.size());
        assertEquals(List.of(0L, 10L, 20L, 30L, 40L, 55L, 80L, 90L), starts(index).subList(0, 8));
        assertSame(kept, index.get(17));
        index.replace(0, 0, List.of(at(-20), at(-10))); // inserted in front
        assertEquals(List.of(-20L, -10L, 0L), starts(index).subList(0, 3));
        index.replace(2, index.size(), List.of()); // everything from 0 on removed
        assertEquals(List.of(-20L, -10L), starts(index));
        assertEquals(-1, index.floor(-21));
        assertEquals(1, index.floor(190)); // no stale entry answers past the end
        index.clear();
        assertEquals(0, index.size());
        assertEquals(-1, index.floor(0));
    }

    @Test
    void theViewFailsFastWhenTheIndexChangesUnderIt() {
        RegionIndex index = new RegionIndex();
        index.append(at(0));
        index.append(at(10));
        Iterator<Region> it = index.values().iterator();
        it.next();
        index.append(at(20));
        assertThrows(ConcurrentModificationException.class, it::next);
        assertThrows(UnsupportedOperationException.class, () -> index.values().add(at(30)));
    }
}
