package dev.mapscribe.analyzer.state;

import static dev.mapscribe.analyzer.state.Maps.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mapscribe.analyzer.derive.ProtAlerts;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random sequences of mmap/mprotect/munmap/mremap: the page model decides each result as the kernel would,
 * the region map applies the same calls with those results, and both must hold the same pages and raise the
 * same alerts after every call.
 */
class RegionMapPropertyTest {
    static final long BASE = 0x7f0000000000L;
    static final int ARENA = 24;
    static final MappedFile FILE_A = Maps.file("/srv/a.so", 11);
    static final MappedFile FILE_B = Maps.file("/memfd:jit (deleted)", 12);

    sealed interface Op permits Mmap, Mprotect, Munmap, Mremap, Madvise, Mlock, Mlockall {}

    /** kind: 0 private anon, 1 shared anon, 2 private file A, 3 shared file B, 4 private anon MAP_LOCKED. */
    record Mmap(int page, int pages, int slack, int prot, int kind, int offPages, boolean fixed, boolean noReserve) implements Op {}

    record Mprotect(int page, int pages, int slack, int prot) implements Op {}

    record Madvise(int page, int pages, int advice) implements Op {}

    record Munmap(int page, int pages) implements Op {}

    /** kind: 0 mlock, 1 mlock2(MLOCK_ONFAULT), 2 munlock. */
    record Mlock(int page, int pages, int slack, int kind) implements Op {}

    /** flags 0: munlockall. */
    record Mlockall(int flags) implements Op {}

    record Mremap(int page, int oldPages, int newPages, int flags, int newPage) implements Op {}

    @Property(tries = 3000)
    void regionMapHoldsTheSamePagesAndAlertsAsThePageModel(@ForAll("programs") List<Op> program) {
        Recording rec = new Recording();
        RegionMap map = RegionMap.of(1, 1, "t", rec.history, List.of(), RegionMap.USER_END, 0, "test");
        PageModel model = new PageModel(BASE, ARENA);
        long now = 0;
        int lockRefused = 0;
        for (Op op : program) {
            now += 10;
            List<PageModel.Alert> expected = new ArrayList<>();
            List<PageModel.Alert> actual = new ArrayList<>();
            switch (op) {
                case Mmap(int page, int pages, int slack, int prot, int kind, int offPages, boolean fixed, boolean noReserve) -> {
                    long addr = addr(page);
                    long len = pages * P - slack;
                    int flags = switch (kind) {
                        case 0 -> MAP_PRIVATE | MAP_ANON;
                        case 1 -> MAP_SHARED | MAP_ANON;
                        case 2 -> MAP_PRIVATE;
                        case 3 -> MAP_SHARED;
                        default -> MAP_PRIVATE | MAP_ANON | 0x2000; // MAP_LOCKED
                    } | (fixed ? MAP_FIXED : 0) | (noReserve ? MAP_NORESERVE : 0);
                    MappedFile f = kind == 2 ? FILE_A : kind == 3 ? FILE_B : null;
                    long ret = model.mmap(addr, len, prot, flags, f, offPages * P);
                    map.mmap(ret, len, prot, flags, f, offPages * P, now);
                }
                case Mprotect(int page, int pages, int slack, int prot) -> {
                    long addr = addr(page);
                    long len = pages * P - slack;
                    long ret = model.mprotect(addr, len, prot, expected);
                    if (ret != 0) {
                        model.mprotectPrefix(addr, len, prot);
                    }
                    for (ProtAlerts.ProtAlert a : ProtAlerts.forChanges(map.mprotect(addr, len, prot, ret, now))) {
                        actual.add(new PageModel.Alert(a.alert(), a.start(), a.end(), a.prot(), a.prevProt()));
                    }
                }
                case Munmap(int page, int pages) -> {
                    long ret = model.munmap(addr(page), pages * P);
                    map.munmap(addr(page), pages * P, ret, now);
                }
                case Mremap(int page, int oldPages, int newPages, int flags, int newPage) -> {
                    long ret = model.mremap(addr(page), oldPages * P, newPages * P, flags, addr(newPage));
                    map.mremap(addr(page), oldPages * P, newPages * P, flags, addr(newPage), ret, now);
                }
                case Madvise(int page, int pages, int advice) -> {
                    long ret = model.madvise(addr(page), pages * P, advice);
                    map.madvise(addr(page), pages * P, advice, ret, now);
                }
                case Mlock(int page, int pages, int slack, int kind) -> {
                    long addr = addr(page) + slack; // an unaligned start: the kernel locks from its page
                    long lock = kind == 0 ? Region.VM_LOCKED : kind == 1 ? Region.VM_LOCKED | Region.VM_LOCKONFAULT : 0;
                    long ret = model.mlock(addr, pages * P, lock);
                    lockRefused += lock != 0 && ret != 0 ? 1 : 0;
                    map.mlock(addr, pages * P, lock, ret, now);
                }
                case Mlockall(int flags) -> map.mlockall(flags, model.mlockall(flags), now);
            }
            assertEquals(model.pages, PageModel.pagesOf(map), () -> "after " + op + "\n" + map);
            assertEquals(expected, actual, () -> "alerts of " + op);
        }
        assertEquals(0, rec.history.inconsistencies());
        // an ENOMEM of mprotect always has a hole the map knows; one of mlock may have locked a part (here it did not)
        assertEquals(lockRefused, rec.history.uncertainties());
    }

    @Property(tries = 300)
    void everyVersionClosedIsOneThatWasOpenAndEndsAfterItBegan(@ForAll("programs") List<Op> program) {
        Recording rec = new Recording();
        RegionMap map = RegionMap.of(1, 1, "t", rec.history, List.of(), RegionMap.USER_END, 0, "test");
        PageModel model = new PageModel(BASE, ARENA);
        long now = 0;
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (Op op : program) {
            now += 10;
            if (op instanceof Mmap(int page, int pages, int slack, int prot, int kind, int offPages, boolean fixed, boolean noReserve)) {
                int flags = MAP_PRIVATE | MAP_ANON | (fixed ? MAP_FIXED : 0);
                map.mmap(model.mmap(addr(page), pages * P, prot, flags, null, 0), pages * P, prot, flags, null, 0, now);
            } else if (op instanceof Munmap(int page, int pages)) {
                map.munmap(addr(page), pages * P, model.munmap(addr(page), pages * P), now);
            }
            for (Region r : map.regions()) {
                seen.add(r.version());
            }
        }
        map.close(now + 10);
        for (Closed c : rec.closed) {
            assertEquals(true, seen.contains(c.version().version()) || c.version().validFromNs() == c.validToNs());
            assertEquals(true, c.validToNs() >= c.version().validFromNs());
        }
    }

    static long addr(int page) {
        return BASE + page * P;
    }

    @Provide
    Arbitrary<List<Op>> programs() {
        Arbitrary<Integer> page = Arbitraries.integers().between(0, ARENA - 1);
        Arbitrary<Integer> count = Arbitraries.integers().between(1, 6);
        Arbitrary<Integer> slack = Arbitraries.of(0, 0, 1, (int) P - 1);
        Arbitrary<Integer> prot = Arbitraries.integers().between(0, 7);
        Arbitrary<Op> mmap = Combinators.combine(page, count, slack, prot, Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, 3), Arbitraries.of(true, false), Arbitraries.of(false, false, true)).as(Mmap::new);
        Arbitrary<Op> mprotect = Combinators.combine(page, count, slack, prot).as(Mprotect::new);
        Arbitrary<Op> munmap = Combinators.combine(page, count).as(Munmap::new);
        Arbitrary<Op> mremap = Combinators.combine(page, Arbitraries.integers().between(1, 4), count,
                Arbitraries.of(0, 1, 3, 5), page).as(Mremap::new);
        Arbitrary<Op> madvise = Combinators.combine(page, count, Arbitraries.of(0, 1, 2, 10, 11, 14, 15, 16, 17, 18, 19))
                .as(Madvise::new);
        Arbitrary<Op> mlock = Combinators.combine(page, count, slack, Arbitraries.integers().between(0, 2)).as(Mlock::new);
        Arbitrary<Op> mlockall = Arbitraries.of(0, 1, 2, 3, 6, 5).map(Mlockall::new);
        return Arbitraries.frequencyOf(Tuple.of(4, mmap), Tuple.of(5, mprotect), Tuple.of(2, munmap), Tuple.of(3, mremap),
                        Tuple.of(2, madvise), Tuple.of(2, mlock), Tuple.of(1, mlockall))
                .list().ofMinSize(1).ofMaxSize(30);
    }
}
