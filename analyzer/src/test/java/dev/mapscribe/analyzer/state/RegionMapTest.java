package dev.mapscribe.analyzer.state;

import static dev.mapscribe.analyzer.state.Maps.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RegionMapTest {
    final Recording rec = new Recording();
    final RegionMap m = RegionMap.of(1, 100, "t", rec.history, List.of(), RegionMap.USER_END, 0, "test");
    final MappedFile lib = file("/usr/lib/libx.so", 42);

    @Test
    void mmapAnonymousCreatesOneRegionRoundedToPages() {
        m.mmap(0x10000, 5000, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        assertEquals(List.of("10000-12000 rw-p ANON"), lines(m));
    }

    @Test
    void aMappingWithoutMapFixedOverKnownPagesIsAnInconsistency() {
        m.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mmap(0x10000, P, R, MAP_PRIVATE | MAP_ANON, null, 0, 20); // the kernel only picks free ranges
        assertEquals(List.of("10000-11000 r--p ANON"), lines(m));
        assertEquals(1, rec.history.inconsistencies());
        m.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON | MAP_FIXED, null, 0, 30);
        assertEquals(1, rec.history.inconsistencies(), "MAP_FIXED replaces by design");
    }

    @Test
    void successfulCallsOnRangesNoKernelAcceptsAreCountedAndChangeNothing() {
        // A damaged or forged journal: the replay must neither crash nor build regions the kernel cannot have made.
        m.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mmap(0x20000, Long.MAX_VALUE, R, MAP_PRIVATE | MAP_ANON, null, 0, 20);       // the length wraps around
        m.mmap(0x20010, P, R, MAP_PRIVATE | MAP_ANON, null, 0, 30);                    // not page-aligned
        m.mmap(RegionMap.USER_END, P, R, MAP_PRIVATE | MAP_ANON | MAP_FIXED, null, 0, 40); // above user space
        m.munmap(0x10000, -1, 0, 50);                                                 // the length wraps around
        assertEquals(List.of(), m.mprotect(0x10000, Long.MAX_VALUE, R | X, 0, 60));     // the length wraps around
        m.mremap(0x10000, -2 * P, P, RegionMap.MREMAP_MAYMOVE, 0, 0x30000, 70);                  // a negative old length
        m.mremap(0x10000, P, 0, RegionMap.MREMAP_MAYMOVE, 0, 0x30000, 80);                       // to nothing
        assertEquals(List.of("10000-11000 rw-p ANON"), lines(m));
        assertEquals(7, rec.history.impossible());
        assertEquals(0, rec.history.inconsistencies());
    }

    @Test
    void failedMmapChangesNothing() {
        m.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mmap(-17 /* EEXIST from MAP_FIXED_NOREPLACE */, P, R | W | X, MAP_PRIVATE | MAP_ANON | MAP_FIXED, null, 0, 20);
        assertEquals(List.of("10000-11000 rw-p ANON"), lines(m));
        assertTrue(rec.closed.isEmpty());
    }

    @Test
    void mmapFixedReplacesTheMiddleOfARegion() {
        m.mmap(0x10000, 4 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mmap(0x11000, 2 * P, R | X, MAP_PRIVATE | MAP_FIXED, lib, 0x3000, 20);
        assertEquals(List.of("10000-11000 rw-p ANON", "11000-13000 r-xp FILE /usr/lib/libx.so@3000", "13000-14000 rw-p ANON"), lines(m));
        assertEquals(1, rec.closed.size());
        assertEquals(20, rec.closed.getFirst().validToNs());
    }

    @Test
    void sharedAnonymousMappingIsShmemAtOffsetZero() {
        m.mmap(0x10000, P, R | W, MAP_SHARED | MAP_ANON, null, 0, 10);
        assertEquals(List.of("10000-11000 rw-s SHMEM /dev/zero (deleted)@0"), lines(m));
    }

    @Test
    void adjacentAnonymousMappingsWithSameProtectionAreOneRegion() {
        m.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mmap(0x11000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 20);
        assertEquals(List.of("10000-12000 rw-p ANON"), lines(m));
    }

    @Test
    void fileMappingsAreOneRegionOnlyWhenTheOffsetRunsOn() {
        m.mmap(0x10000, P, R, MAP_PRIVATE, lib, 0, 10);
        m.mmap(0x11000, P, R, MAP_PRIVATE, lib, P, 20);
        m.mmap(0x12000, P, R, MAP_PRIVATE, lib, 0, 30);
        assertEquals(List.of("10000-12000 r--p FILE /usr/lib/libx.so@0", "12000-13000 r--p FILE /usr/lib/libx.so@0"), lines(m));
    }

    @Test
    void munmapPunchesAHoleAndRoundsTheLengthUp() {
        m.mmap(0x10000, 4 * P, R | W, MAP_PRIVATE, lib, 0, 10);
        m.munmap(0x11000, 1, 0, 20);
        assertEquals(List.of("10000-11000 rw-p FILE /usr/lib/libx.so@0", "12000-14000 rw-p FILE /usr/lib/libx.so@2000"), lines(m));
    }

    @Test
    void failedMunmapChangesNothing() {
        m.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.munmap(0x10000, P, EINVAL, 20);
        assertEquals(List.of("10000-11000 rw-p ANON"), lines(m));
    }

    @Test
    void mprotectSplitsRegionAtPageBoundary() {
        m.mmap(0x10000, 3 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        List<ProtChange> changes = m.mprotect(0x11000, 100, R | X, 0, 20);
        assertEquals(List.of("10000-11000 rw-p ANON", "11000-12000 r-xp ANON", "12000-13000 rw-p ANON"), lines(m));
        assertEquals(1, changes.size());
        assertEquals(0x11000, changes.getFirst().start());
        assertEquals(0x12000, changes.getFirst().end());
        assertEquals(R | W, changes.getFirst().prevProt());
    }

    @Test
    void mprotectBackToTheOldProtectionMakesOneRegionAgain() {
        m.mmap(0x10000, 3 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mprotect(0x11000, P, R | X, 0, 20);
        m.mprotect(0x11000, P, R | W, 0, 30);
        assertEquals(List.of("10000-13000 rw-p ANON"), lines(m));
    }

    @Test
    void mprotectToTheSameProtectionKeepsTheVersion() {
        m.mmap(0x10000, 3 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        long version = m.at(0x10000).version();
        m.mprotect(0x11000, P, R | W, 0, 20);
        assertEquals(version, m.at(0x10000).version());
        assertTrue(rec.closed.isEmpty());
    }

    @Test
    void mprotectReportsEachRegionItTouchesWithItsPreviousProtection() {
        m.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mmap(0x11000, P, R, MAP_PRIVATE, lib, 0, 10);
        List<ProtChange> changes = m.mprotect(0x10000, 2 * P, R | W | X, 0, 20);
        assertEquals(2, changes.size());
        assertEquals(R | W, changes.get(0).prevProt());
        assertEquals(R, changes.get(1).prevProt());
        assertEquals("/usr/lib/libx.so", changes.get(1).before().file().path());
        assertEquals(List.of("10000-11000 rwxp ANON", "11000-12000 rwxp FILE /usr/lib/libx.so@0"), lines(m));
    }

    @Test
    void mprotectFailingWithEnomemChangesTheRegionsBeforeTheHole() {
        m.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mmap(0x12000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        List<ProtChange> changes = m.mprotect(0x10000, 3 * P, R, ENOMEM, 20);
        assertTrue(changes.isEmpty(), "a failed call yields no alert");
        assertEquals(List.of("10000-11000 r--p ANON", "12000-13000 rw-p ANON"), lines(m));
        assertEquals(0, rec.history.uncertainties());
    }

    @Test
    void mprotectFailingWithEnomemOnAnUnmappedStartChangesNothing() {
        m.mmap(0x11000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mprotect(0x10000, 2 * P, R, ENOMEM, 20);
        assertEquals(List.of("11000-12000 rw-p ANON"), lines(m));
    }

    @Test
    void mprotectFailingWithEnomemOverUnknownPagesMakesTheirProtectionUnknown() {
        RegionMap u = RegionMap.of(2, 200, "t", rec.history,
                List.of(Region.piece(0x10000, 0x11000, R | W, false, Backing.ANON, null, 0, null)), 0x11000, 0, "test");
        u.mprotect(0x10000, 3 * P, R, ENOMEM, 20);
        assertEquals("10000-11000 r--p ANON", line(u.at(0x10000)), "before the unknown part the kernel changed it");
        assertEquals("11000-fffffffffff000 ???? UNKNOWN", line(u.at(0x11000)), "still unknown, and one with the rest");
        assertEquals(1, rec.history.uncertainties());
    }

    @Test
    void mprotectRefusedWithEaccesLeavesTheLastRegionAndMakesEarlierOnesUnknown() {
        m.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mmap(0x11000, P, R, MAP_SHARED, lib, 0, 10);
        m.mprotect(0x10000, 2 * P, R | W, EACCES, 20);
        assertEquals(List.of("10000-11000 rw-p ANON", "11000-12000 r--s FILE /usr/lib/libx.so@0"), lines(m),
                "the first region already had rw-: nothing is uncertain");
        m.mprotect(0x10000, 2 * P, R | X, EACCES, 30);
        assertEquals(List.of("10000-11000 ???p ANON", "11000-12000 r--s FILE /usr/lib/libx.so@0"), lines(m));
    }

    @Test
    void mprotectRefusedOnASingleRegionChangesNothing() {
        m.mmap(0x10000, 2 * P, R, MAP_SHARED, lib, 0, 10);
        m.mprotect(0x10000, 2 * P, R | W, EACCES, 20);
        assertEquals(List.of("10000-12000 r--s FILE /usr/lib/libx.so@0"), lines(m));
    }

    @Test
    void mprotectAcceptedOverPagesTheMapLacksCountsAnInconsistency() {
        m.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        List<ProtChange> changes = m.mprotect(0x10000, 2 * P, R, 0, 20);
        assertEquals(List.of("10000-11000 r--p ANON", "11000-12000 r--? UNKNOWN"), lines(m));
        assertNull(changes.get(1).before());
        assertEquals(Prot.UNKNOWN, changes.get(1).prevProt());
        assertEquals(1, rec.history.inconsistencies());
    }

    @Test
    void aLibrarysRelroStaysApartFromItsReadOnlyDataAsTheKernelKeepsThem() {
        // ld.so: the whole file read-only, its data segment over the end private and writable, then RELRO read-only
        m.mmap(0x10000, 4 * P, R, MAP_PRIVATE, lib, 0, 10);
        m.mmap(0x12000, 2 * P, R | W, MAP_PRIVATE | MAP_FIXED, lib, 0x2000, 20);
        m.mprotect(0x12000, P, R, 0, 30);
        // As /proc/PID/maps shows libc: two r--p pieces at running offsets, apart only by VM_ACCOUNT (smaps' "ac"),
        // which a private file mapping gets when writable and keeps
        assertEquals(List.of("10000-12000 r--p FILE /usr/lib/libx.so@0", "12000-13000 r--p FILE /usr/lib/libx.so@2000",
                "13000-14000 rw-p FILE /usr/lib/libx.so@3000"), lines(m));
        assertEquals(List.of(false, true, true), m.regions().stream().map(Region::accounted).toList());
        // tracee raises one alert per VMA the call touches: two
        assertEquals(2, dev.mapscribe.analyzer.derive.ProtAlerts.forChanges(m.mprotect(0x11000, 2 * P, R | X, 0, 40)).size());
        // anonymous memory is not charged here: the kernel drops the charge of pages never written, not recorded
        m.mmap(0x20000, 2 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 50);
        m.mprotect(0x20000, P, R, 0, 60);
        m.mprotect(0x20000, P, R | W, 0, 70);
        assertEquals("20000-22000 rw-p ANON", lines(m).getLast());
    }

    @Test
    void aWritableFileMappingUnderMapNoreserveIsNeverCharged() {
        // The kernel charges a private mapping on its way to writable only: one writable from the start under
        // MAP_NORESERVE stays uncharged through later changes, and merges back with its neighbour
        m.mmap(0x30000, 2 * P, R | W, MAP_PRIVATE | RegionMap.MAP_NORESERVE, lib, 0, 10);
        m.mprotect(0x30000, P, R | W | X, 0, 20);
        m.mprotect(0x30000, P, R | W, 0, 30);
        assertEquals(List.of("30000-32000 rw-p FILE /usr/lib/libx.so@0"), lines(m));
        assertEquals(List.of(false), m.regions().stream().map(Region::accounted).toList());
    }

    @Test
    void anAnonymousMappingUnderMapNoreserveStaysApartFromItsNeighbourAndEachRaisesItsAlert() {
        // As the kernel keeps them (VM_NORESERVE, smaps' "nr"): two VMAs with the same perms, and tracee's hook
        // sees an mprotect over both as two changes
        m.mmap(0x40000, 2 * P, R | W, MAP_PRIVATE | MAP_ANON | MAP_NORESERVE, null, 0, 10);
        m.mmap(0x42000, 2 * P, R | W, MAP_PRIVATE | MAP_ANON | MAP_FIXED, null, 0, 20);
        assertEquals(List.of("40000-42000 rw-p ANON", "42000-44000 rw-p ANON"), lines(m));
        assertEquals(List.of(true, false), m.regions().stream().map(Region::noReserve).toList());
        List<dev.mapscribe.analyzer.derive.ProtAlerts.ProtAlert> alerts =
                dev.mapscribe.analyzer.derive.ProtAlerts.forChanges(m.mprotect(0x40000, 4 * P, R | X, 0, 30));
        assertEquals(List.of("40000-42000", "42000-44000"),
                alerts.stream().map(a -> Long.toHexString(a.start()) + "-" + Long.toHexString(a.end())).toList());
        // kept for good: through a move and a growth
        m.mremap(0x40000, 2 * P, 3 * P, RegionMap.MREMAP_MAYMOVE | RegionMap.MREMAP_FIXED, 0x50000, 0x50000, 40);
        assertEquals("50000-53000 r-xp ANON", lines(m).getLast());
        assertEquals(true, m.regions().stream().toList().getLast().noReserve());
    }

    @Test
    void aDroppableMappingStaysApartFromOrdinaryAnonymousMemory() {
        // MAP_DROPPABLE (type 0x08): smaps shows "nr wf dd dp" for it
        m.mmap(0x70000, 2 * P, R | W, 0x08 | MAP_ANON, null, 0, 10);
        m.mmap(0x72000, 2 * P, R | W, MAP_PRIVATE | MAP_ANON | MAP_FIXED, null, 0, 20);
        assertEquals(List.of("70000-72000 rw-p ANON", "72000-74000 rw-p ANON"), lines(m));
        assertEquals(Region.VM_NORESERVE | Region.VM_WIPEONFORK | Region.VM_DONTDUMP, m.at(0x70000).vmFlags());
    }

    @Test
    void aPrivateFileMappingUnderMapNoreserveIsNotChargedWhenMadeWritable() {
        // mprotect_fixup charges only what is neither VM_ACCOUNT, writable, shared nor VM_NORESERVE: a read-only
        // mapping under MAP_NORESERVE made writable stays uncharged; its twin without MAP_NORESERVE is charged
        m.mmap(0x60000, P, R, MAP_PRIVATE | MAP_NORESERVE, lib, 0, 10);
        m.mmap(0x61000, P, R, MAP_PRIVATE | MAP_FIXED, lib, P, 20);
        m.mprotect(0x60000, 2 * P, R | W, 0, 30);
        assertEquals(List.of(false, true), m.regions().stream().filter(r -> r.start() >= 0x60000).map(Region::accounted).toList());
        assertEquals(2, m.regions().stream().filter(r -> r.start() >= 0x60000).count());
    }

    @Test
    void walkedRegionsOverlappingAtTheTopOfUserSpaceAreClippedNotAnError() {
        // A damaged walk: the second region overlaps the first and reaches past user space, whose top the first
        // already ends at (found by HostileValuesReplayTest: it made an empty region, and the replay threw)
        long top = RegionMap.USER_END;
        RegionMap walked = RegionMap.of(2, 100, "t", rec.history, List.of(
                Region.piece(top - 2 * P, top, R, false, Backing.ANON, null, 0, null),
                Region.piece(top - P, top + P, R | W, false, Backing.ANON, null, 0, null)), top, 0, "exec");
        assertEquals("ffffffffffd000-fffffffffff000 r--p ANON", lines(walked).getLast());
    }

    @Test
    void mremapShrinksInPlace() {
        m.mmap(0x10000, 4 * P, R | W, MAP_PRIVATE, lib, 0, 10);
        m.mremap(0x10000, 4 * P, P + 1, 0, 0, 0x10000, 20);
        assertEquals(List.of("10000-12000 rw-p FILE /usr/lib/libx.so@0"), lines(m));
    }

    @Test
    void mremapGrowsInPlaceFromTheLastPage() {
        m.mmap(0x10000, 2 * P, R | W, MAP_PRIVATE, lib, 0, 10);
        m.mprotect(0x11000, P, R, 0, 15);
        m.mremap(0x11000, P, 3 * P, 0, 0, 0x11000, 20);
        assertEquals(List.of("10000-11000 rw-p FILE /usr/lib/libx.so@0", "11000-14000 r--p FILE /usr/lib/libx.so@1000"), lines(m));
    }

    @Test
    void mremapMoveCarriesAttributesAndFileOffset() {
        m.mmap(0x10000, 2 * P, R | X, MAP_PRIVATE, lib, 0x5000, 10);
        m.mremap(0x11000, P, P, 1 /* MAYMOVE */, 0, 0x40000, 20);
        assertEquals(List.of("10000-11000 r-xp FILE /usr/lib/libx.so@5000", "40000-41000 r-xp FILE /usr/lib/libx.so@6000"), lines(m));
    }

    @Test
    void mremapFixedReplacesTheTargetAndShrinksFirst() {
        m.mmap(0x10000, 3 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mmap(0x40000, 4 * P, R, MAP_PRIVATE, lib, 0, 10);
        m.mremap(0x10000, 3 * P, 2 * P, 3 /* MAYMOVE|FIXED */, 0x41000, 0x41000, 20);
        assertEquals(List.of("40000-41000 r--p FILE /usr/lib/libx.so@0", "41000-43000 rw-p ANON",
                "43000-44000 r--p FILE /usr/lib/libx.so@3000"), lines(m));
    }

    @Test
    void aPureMoveCarriesEachRegionAndLeavesTheTargetFacingTheGaps() {
        // Seen on 6.18 (mapfuzz.c): MREMAP_FIXED with equal lengths moves VMA by VMA, gaps included.
        m.mmap(0x10000, P, R, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mmap(0x13000, P, R | X, MAP_PRIVATE, lib, 0, 10);
        m.mmap(0x40000, 4 * P, R | W, MAP_SHARED | MAP_ANON, null, 0, 10);
        m.mremap(0x10000, 4 * P, 4 * P, 3, 0x40000, 0x40000, 20);
        assertEquals(List.of("40000-41000 r--p ANON", "41000-43000 rw-s SHMEM /dev/zero (deleted)@1000",
                "43000-44000 r-xp FILE /usr/lib/libx.so@0"), lines(m));
    }

    @Test
    void mremapGrowingMoveExtendsFromTheLastOldPage() {
        m.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mmap(0x11000, P, R, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mremap(0x10000, P, 3 * P, 1, 0, 0x50000, 20);
        assertEquals(List.of("11000-12000 r--p ANON", "50000-53000 rw-p ANON"), lines(m));
    }

    @Test
    void mremapDontUnmapLeavesTheOldRangeMapped() {
        m.mmap(0x10000, 2 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mremap(0x10000, 2 * P, 2 * P, 5 /* MAYMOVE|DONTUNMAP */, 0, 0x60000, 20);
        assertEquals(List.of("10000-12000 rw-p ANON", "60000-62000 rw-p ANON"), lines(m));
    }

    @Test
    void mremapWithOldLengthZeroDuplicatesASharedMapping() {
        m.mmap(0x10000, 2 * P, R | W, MAP_SHARED, lib, 0, 10);
        m.mremap(0x11000, 0, P, 1, 0, 0x70000, 20);
        assertEquals(List.of("10000-12000 rw-s FILE /usr/lib/libx.so@0", "70000-71000 rw-s FILE /usr/lib/libx.so@1000"), lines(m));
    }

    @Test
    void aFixedMremapThatFailsAfterItsChecksHasUnmappedTheTarget() {
        // Seen on 6.18 (mapfuzz.c): old_len 0 with the target over the source unmaps the target, then EFAULT.
        m.mmap(0x10000, 3 * P, R, MAP_SHARED, lib, 0, 10);
        m.mremap(0x10000, 0, 2 * P, 3, 0x10000, -14, 20);
        assertEquals(List.of("12000-13000 r--s FILE /usr/lib/libx.so@2000"), lines(m));
    }

    @Test
    void aFixedMremapRefusedByItsSourceCheckChangesNothing() {
        m.mmap(0x40000, P, R, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mremap(0x10000, P, P * 2, 3, 0x40000, -14, 20); // nothing at 0x10000: EFAULT before the target is touched
        m.mremap(0x40000, P, P, 3, 0x40000, -22, 30);     // EINVAL: checked before anything
        assertEquals(List.of("40000-41000 r--p ANON"), lines(m));
    }

    @Test
    void failedMremapChangesNothing() {
        m.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mremap(0x10000, P, 2 * P, 0, 0, ENOMEM, 20);
        assertEquals(List.of("10000-11000 rw-p ANON"), lines(m));
    }

    @Test
    void brkGrowsAndShrinksTheHeap() {
        m.brk(0x600000, 0x600000, 10); // brk(0) right after exec: no heap yet
        assertTrue(m.regions().isEmpty());
        m.brk(0x600000, 0x621010, 20);
        assertEquals(List.of("600000-622000 rw-p ANON [heap]"), lines(m));
        m.brk(0x600000, 0x610000, 30);
        assertEquals(List.of("600000-610000 rw-p ANON [heap]"), lines(m));
    }

    @Test
    void brkWithoutAnEarlierCallStartsFromTheHeapTheMapHolds() {
        RegionMap s = RegionMap.of(3, 300, "t", rec.history,
                List.of(Region.piece(0x600000, 0x602000, R | W, false, Backing.ANON, null, 0, "[heap]")), RegionMap.USER_END, 0, "test");
        s.brk(0x600000, 0x604000, 10);
        assertEquals(List.of("600000-604000 rw-p ANON [heap]"), lines(s));
    }

    @Test
    void anUnknownAddressSpaceIsReportedUnknownUntilCallsMakePartsKnown() {
        RegionMap u = RegionMap.unknown(4, 400, "t", rec.history, 0);
        assertEquals(List.of("0-fffffffffff000 ???? UNKNOWN"), lines(u));
        u.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        u.munmap(0x20000, P, 0, 20);
        assertEquals(List.of("0-10000 ???? UNKNOWN", "10000-11000 rw-p ANON", "11000-20000 ???? UNKNOWN",
                "21000-fffffffffff000 ???? UNKNOWN"), lines(u));
        List<ProtChange> changes = u.mprotect(0x30000, P, R | X, 0, 30);
        assertEquals(Prot.UNKNOWN, changes.getFirst().prevProt());
        assertEquals("30000-31000 r-x? UNKNOWN", line(u.at(0x30000)));
    }

    @Test
    void theSnapshotFillsOnlyWhatTheRecordingDoesNotKnow() {
        RegionMap u = RegionMap.unknown(5, 500, "t", rec.history, 0);
        u.mmap(0x10000, P, R | W | X, MAP_PRIVATE | MAP_ANON | MAP_FIXED, null, 0, 10);
        u.munmap(0x30000, P, 0, 20);
        u.fillUnknown(List.of(
                Region.piece(0x10000, 0x11000, R | W, false, Backing.ANON, null, 0, null),
                Region.piece(0x20000, 0x40000, R, false, Backing.FILE, lib, 0, null)), 30);
        assertEquals(List.of("10000-11000 rwxp ANON", "20000-30000 r--p FILE /usr/lib/libx.so@0",
                "31000-40000 r--p FILE /usr/lib/libx.so@11000"), lines(u));
    }

    @Test
    void aWalkCutShortLeavesTheRestUnknown() {
        RegionMap w = RegionMap.of(6, 600, "t", rec.history,
                List.of(Region.piece(0x400000, 0x401000, R | X, false, Backing.FILE, lib, 0, null)), 0x401000, 0, "test");
        assertEquals(List.of("400000-401000 r-xp FILE /usr/lib/libx.so@0", "401000-fffffffffff000 ???? UNKNOWN"), lines(w));
    }

    @Test
    void forkCopiesEveryRegionAsANewVersion() {
        m.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        RegionMap child = m.forkCopy(7, 700, "child", 20);
        assertEquals(lines(m), lines(child));
        assertEquals(20, child.at(0x10000).validFromNs());
        assertTrue(child.at(0x10000).version() != m.at(0x10000).version());
        child.munmap(0x10000, P, 0, 30);
        assertEquals(List.of("10000-11000 rw-p ANON"), lines(m), "the parent keeps its copy");
    }

    @Test
    void madviseThatChangesFlagsSplitsTheRegionsItCutsAndEachRaisesItsAlert() {
        m.mmap(0x10000, 4 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.madvise(0x11000, 2 * P, RegionMap.MADV_DONTDUMP, 0, 20);
        assertEquals(List.of("10000-11000 rw-p ANON", "11000-13000 rw-p ANON", "13000-14000 rw-p ANON"), lines(m));
        assertEquals(3, dev.mapscribe.analyzer.derive.ProtAlerts.forChanges(m.mprotect(0x10000, 4 * P, R | X, 0, 30)).size());
        // MADV_DODUMP takes the flag back: the three are one again
        m.madvise(0x10000, 4 * P, RegionMap.MADV_DODUMP, 0, 40);
        assertEquals(List.of("10000-14000 r-xp ANON"), lines(m));
        // advice that changes no VMA (MADV_DONTNEED, which the recorder does not record anyway) changes nothing
        m.madvise(0x10000, P, 4, 0, 50);
        assertEquals(List.of("10000-14000 r-xp ANON"), lines(m));
    }

    @Test
    void madviseOverAHoleChangesEverythingMappedAndWipeonforkStopsAtAFile() {
        m.mmap(0x10000, 2 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mmap(0x13000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        // The kernel walks on past the hole at 0x12000 and says ENOMEM at the end (checked on 6.18)
        m.madvise(0x10000, 4 * P, RegionMap.MADV_DONTFORK, -12, 20);
        assertEquals(List.of(true, true), m.regions().stream().filter(Region::known).map(r -> (r.vmFlags() & Region.VM_DONTCOPY) != 0).toList());
        // MADV_WIPEONFORK: private anonymous memory only; the first VMA that is not refuses, those before it changed
        m.mmap(0x20000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 30);
        m.mmap(0x21000, P, R | W, MAP_PRIVATE, lib, 0, 30);
        m.mmap(0x22000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 30);
        m.madvise(0x20000, 3 * P, RegionMap.MADV_WIPEONFORK, -22, 40);
        assertEquals(List.of(true, false, false), m.regions().stream().filter(r -> r.start() >= 0x20000)
                .map(r -> (r.vmFlags() & Region.VM_WIPEONFORK) != 0).toList());
    }

    @Test
    void forkLeavesOutWhatMadviseMarkedDontfork() {
        m.mmap(0x10000, 3 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.madvise(0x11000, P, RegionMap.MADV_DONTFORK, 0, 20);
        RegionMap child = m.forkCopy(7, 700, "child", 30);
        assertEquals(List.of("10000-11000 rw-p ANON", "12000-13000 rw-p ANON"), lines(child));
        // the child's two pieces are one VMA apart by a hole; the parent keeps three
        assertEquals(3, lines(m).size());
    }

    @Test
    void aSealedRegionStopsAnMprotectPartWayAsTheKernelDoes() {
        m.mmap(0x10000, 3 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mseal(0x11000, P, 0, 20);
        assertEquals(List.of("10000-11000 rw-p ANON", "11000-12000 rw-p ANON", "12000-13000 rw-p ANON"), lines(m));
        // EPERM: the region before the sealed one changed (6.18 checks the seal VMA by VMA), it and the rest did not
        m.mprotect(0x10000, 3 * P, R, -1, 30);
        assertEquals(List.of("10000-11000 r--p ANON", "11000-12000 rw-p ANON", "12000-13000 rw-p ANON"), lines(m));
        assertEquals(0, rec.history.uncertainties());
        // a failed mseal (a hole: ENOMEM) sealed nothing
        m.mseal(0x12000, 4 * P, -12, 40);
        assertTrue(!m.at(0x12000).sealed());
    }

    /** The lock flags of every known region, in address order: "lo", "lf" (on fault too) or "-". */
    private static List<String> locks(RegionMap map) {
        return map.regions().stream().filter(Region::known).map(r -> (r.vmFlags() & Region.VM_LOCKONFAULT) != 0 ? "lf"
                : (r.vmFlags() & Region.VM_LOCKED) != 0 ? "lo" : "-").toList();
    }

    @Test
    void mlockSplitsWhatItCutsAndMunlockMergesItBack() {
        m.mmap(0x10000, 4 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mlock(0x11800, P, Region.VM_LOCKED, 0, 20); // an unaligned start is rounded down: two pages are locked
        assertEquals(List.of("10000-11000 rw-p ANON", "11000-13000 rw-p ANON", "13000-14000 rw-p ANON"), lines(m));
        assertEquals(List.of("-", "lo", "-"), locks(m));
        m.mlock(0x13000, P, Region.VM_LOCKED | Region.VM_LOCKONFAULT, 0, 30); // mlock2(MLOCK_ONFAULT)
        assertEquals(List.of("-", "lo", "lf"), locks(m));
        // munlock over a hole: everything before the hole is unlocked, ENOMEM; what lies after it is not reached
        m.mmap(0x15000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 40);
        m.mlock(0x15000, P, Region.VM_LOCKED, 0, 45);
        m.mlock(0x10000, 6 * P, 0, ENOMEM, 50);
        assertEquals(List.of("10000-14000 rw-p ANON", "15000-16000 rw-p ANON"), lines(m));
        assertEquals(List.of("-", "lo"), locks(m));
        // mlock's ENOMEM is most often RLIMIT_MEMLOCK's, before anything changed: taken so, and not uncertain here
        m.mlock(0x10000, 4 * P, Region.VM_LOCKED, ENOMEM, 60);
        assertEquals(List.of("-", "lo"), locks(m));
        assertEquals(0, rec.history.uncertainties());
        // ... but over a hole it may have locked a part: counted as uncertain
        m.mlock(0x10000, 6 * P, Region.VM_LOCKED, ENOMEM, 70);
        assertEquals(1, rec.history.uncertainties());
        // EAGAIN: the pages could not be faulted in, after every VMA was locked
        m.mlock(0x10000, 4 * P, Region.VM_LOCKED, -11, 80);
        assertEquals(List.of("lo", "lo"), locks(m));
        assertEquals(0, rec.history.inconsistencies());
    }

    @Test
    void mlockallLocksWhatIsThereOrWhatComesAndAForkCopiesNoLocks() {
        m.mmap(0x10000, 2 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        RegionMap vdso = RegionMap.of(2, 200, "t", rec.history, List.of(
                Region.piece(0x10000, 0x12000, R | W, false, Backing.ANON, null, 0, null),
                Region.piece(0x20000, 0x22000, R | X, false, Backing.ANON, null, 0, "[vdso]").withVmFlagsChanged(Region.VM_DONTEXPAND, 0)),
                RegionMap.USER_END, 0, "snapshot");
        vdso.mlockall(RegionMap.MCL_CURRENT, 0, 20);
        assertEquals(List.of("lo", "-"), locks(vdso), "a special mapping is left as it is");
        // MCL_FUTURE alone: what is there stays as it is, every later mapping and the heap's growth are locked
        m.mlockall(RegionMap.MCL_FUTURE | RegionMap.MCL_ONFAULT, 0, 20);
        m.mmap(0x12000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 30);
        m.brk(0x40000, 0x41000, 35);
        assertEquals(List.of("10000-12000 rw-p ANON", "12000-13000 rw-p ANON", "40000-41000 rw-p ANON [heap]"), lines(m));
        assertEquals(List.of("-", "lf", "lf"), locks(m));
        RegionMap child = m.forkCopy(7, 700, "child", 40);
        assertEquals(List.of("-", "-", "-"), locks(child));
        child.mmap(0x13000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 45);
        // the child maps without locks: the new page joins the copy before it (the copies stay apart, as dup_mmap's)
        assertEquals(List.of("10000-12000 rw-p ANON", "12000-14000 rw-p ANON", "40000-41000 rw-p ANON [heap]"), lines(child));
        assertEquals(List.of("-", "-", "-"), locks(child));
        // munlockall: nothing locked, now or later; MAP_LOCKED locks one mapping
        m.mlockall(0, 0, 50);
        m.mmap(0x14000, P, R | W, MAP_PRIVATE | MAP_ANON | 0x2000, null, 0, 60);
        m.mmap(0x15000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 60);
        assertEquals(List.of("-", "lo", "-", "-"), locks(m));
        // a failed mlockall (ENOMEM past the limit) changed nothing
        m.mlockall(RegionMap.MCL_CURRENT | RegionMap.MCL_FUTURE, ENOMEM, 70);
        assertEquals(List.of("-", "lo", "-", "-"), locks(m));
    }

    @Test
    void closeEndsEveryVersion() {
        m.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.mmap(0x20000, P, R, MAP_PRIVATE | MAP_ANON, null, 0, 10);
        m.close(50);
        assertTrue(m.regions().isEmpty());
        assertEquals(2, rec.closed.size());
        assertEquals(50, rec.closed.get(1).validToNs());
    }

    @Test
    void aVersionNeverEndsBeforeItBegan() {
        m.mmap(0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 100);
        m.munmap(0x10000, P, 0, 90); // a record from another CPU, stamped a little earlier
        assertEquals(100, rec.closed.getFirst().validToNs());
    }
}
