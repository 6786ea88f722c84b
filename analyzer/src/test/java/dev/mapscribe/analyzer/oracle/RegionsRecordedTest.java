package dev.mapscribe.analyzer.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.derive.MmapExecEvent;
import dev.mapscribe.analyzer.oracle.RegionsWorkload.Checkpoint;
import dev.mapscribe.analyzer.oracle.RegionsWorkload.Expect;
import dev.mapscribe.analyzer.replay.ProcessLifetime;
import dev.mapscribe.analyzer.replay.RegionVersion;
import dev.mapscribe.analyzer.replay.SyscallRow;
import dev.mapscribe.formats.testkit.BpfRequirement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with real eBPF: scripts/workloads/regions.c runs under the recorder; the journal is replayed;
 * the regions valid at each checkpoint's CLOCK_MONOTONIC time must match the /proc/self/maps it dumped then,
 * page by page, and the alerts and mmap_exec events must be the ones the sequence produces.
 */
class RegionsRecordedTest {
    @TempDir
    static Path tmp;

    static RecordedReplay run;

    @BeforeAll
    static void record() throws Exception {
        BpfRequirement.assumeRootAndBpf();
        run = RecordedReplay.of(tmp, "regions");
    }

    @Test
    void theJournalIsCleanAndNothingWasLost() {
        assertNull(run.read.damage());
        assertEquals(List.of(), run.losses.stream().filter(l -> l.count() > 0).toList());
        List<ProcessLifetime> workload = run.processes.stream().filter(p -> p.pid() == run.pid).toList();
        assertEquals(1, workload.size());
        assertTrue(workload.getFirst().memoryKnown(), "an exec the recording saw: every region known");
    }

    @Test
    void theRegionsValidAtEachCheckpointAreTheOnesTheKernelShowed() {
        List<String> failures = new ArrayList<>();
        for (Checkpoint c : RegionsWorkload.checkpoints(run.items)) {
            failures.addAll(run.differences(c));
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void processMadviseRowsNameTheProcessTheirPidfdNamesAndTheirRanges() {
        // regions.c's checkpoint 24: two calls through a pidfd of the workload itself, each over two ranges
        List<SyscallRow> calls = run.syscalls.stream().filter(r -> r.pid() == run.pid && r.name().equals("process_madvise")).toList();
        assertEquals(2, calls.size(), calls.toString());
        for (SyscallRow r : calls) {
            assertEquals(run.pid, r.targetPid(), "the pidfd's process: " + r);
            assertTrue(r.ranges() != null && r.ranges().split(" ").length == 2, "its two ranges: " + r);
        }
    }

    @Test
    void eachLineOfALibraryIsOneRegionAsTheKernelKeepsIt() {
        // A library's pieces are the kernel's VMAs: its RELRO part apart from its read-only data (Region#accounted)
        RecordedReplay.LineCheck check = run.linesNotRegions(c -> l -> l.path().contains(".so") && l.perms().endsWith("p"));
        assertTrue(check.lines() > 0, "the workload maps no shared library");
        assertEquals(List.of(), check.notRegions());
    }

    @Test
    void vmasTheKernelKeptApartOrMergedByFlagsMapsDoesNotShowAreRegionsAsInMaps() {
        // The ranges the workload names (EXPECT vmas): neighbours apart by VM_NORESERVE, a NORESERVE file mapping
        // merged back, a droppable mapping, MADV_DONTDUMP's three VMAs, a sealed page
        RecordedReplay.LineCheck check = run.linesNotRegions(c -> RegionsWorkload.expectedBefore(run.items, c.n(), "vmas").stream()
                .map(e -> MapsComparison.inside(e.addr(), e.addr() + e.len()))
                .reduce(l -> false, java.util.function.Predicate::or));
        assertTrue(check.lines() >= 4, "the workload checks " + check.lines() + " lines");
        assertEquals(List.of(), check.notRegions());
    }

    @Test
    void theRegionVersionsCarryTheCommOfTheProgramThatOwnedThem() {
        // The JVM starts the workload through jspawnhelper (vfork + exec), which then execs regions: versions of
        // the first image carry its name, every version valid at a checkpoint (after the second exec) "regions".
        Set<String> all = run.regions.stream().filter(v -> v.pid() == run.pid).map(RegionVersion::comm).collect(Collectors.toSet());
        assertTrue(all.contains("regions"), all.toString());
        for (Checkpoint c : RegionsWorkload.checkpoints(run.items)) {
            Set<String> valid = run.regions.stream()
                    .filter(v -> v.pid() == run.pid && v.validFromNs() <= c.monotonicNs() && (v.validToNs() == null || v.validToNs() > c.monotonicNs()))
                    .map(RegionVersion::comm).collect(Collectors.toSet());
            assertEquals(Set.of("regions"), valid, "versions valid at checkpoint " + c.n());
        }
    }

    @Test
    void theAlertsAreTheOnesTheSequenceMustRaise() {
        assertEquals(run.expectedAlerts(), run.alertsOf(List.of(run.pid)));
    }

    @Test
    void theMemfdMappedExecutableIsAnMmapExecEvent() {
        Expect e = RegionsWorkload.expected(run.items, "mmap_exec").getFirst();
        MmapExecEvent m = run.mmapExec.stream()
                .filter(x -> x.task().pid() == run.pid && "mmap".equals(x.via()) && x.addr() != null && x.addr() == e.addr())
                .findFirst().orElseThrow(() -> new AssertionError("no mmap_exec at " + Long.toHexString(e.addr())));
        assertTrue(m.success());
        assertEquals(e.len(), m.len());
        assertTrue(m.mappedPath() != null && m.mappedPath().contains(e.what()), m.mappedPath());
    }

    @Test
    void aSystemVSegmentAttachedExecutableIsAnMmapExecEventViaShmat() {
        Expect e = RegionsWorkload.expected(run.items, "mmap_exec").stream().filter(x -> x.what().equals("SYSV")).findFirst().orElseThrow();
        MmapExecEvent m = run.mmapExec.stream()
                .filter(x -> x.task().pid() == run.pid && "shmat".equals(x.via()) && x.addr() != null && x.addr() == e.addr())
                .findFirst().orElseThrow(() -> new AssertionError("no mmap_exec via shmat at " + Long.toHexString(e.addr())));
        assertTrue(m.success());
        assertEquals(e.len(), m.len());
        assertEquals(7, m.prot(), "read, write and exec");
        assertTrue(m.mappedPath() != null && m.mappedPath().startsWith("/SYSV"), m.mappedPath());
        assertTrue(run.syscalls.stream().anyMatch(s -> s.pid() == run.pid && s.name().equals("shmdt") && Long.valueOf(0).equals(s.ret())));
    }

    @Test
    void theFailedMprotectIsASyscallRowWithItsErrno() {
        assertTrue(run.syscalls.stream().anyMatch(s -> s.pid() == run.pid && s.name().equals("mprotect")
                && Integer.valueOf(12).equals(s.errno())));
    }
}
