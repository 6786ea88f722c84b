package dev.mapscribe.analyzer.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.derive.ProtAlerts;
import dev.mapscribe.analyzer.oracle.RegionsWorkload.Call;
import dev.mapscribe.analyzer.oracle.RegionsWorkload.Checkpoint;
import dev.mapscribe.analyzer.oracle.RegionsWorkload.Expect;
import dev.mapscribe.analyzer.oracle.RegionsWorkload.Item;
import dev.mapscribe.analyzer.state.MappedFile;
import dev.mapscribe.analyzer.state.ProcessTable;
import dev.mapscribe.analyzer.state.Prot;
import dev.mapscribe.analyzer.state.Region;
import dev.mapscribe.analyzer.state.RegionHistory;
import dev.mapscribe.analyzer.state.RegionMap;
import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import dev.mapscribe.formats.testkit.CWorkloads;
import dev.mapscribe.formats.testkit.ProcMaps;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs scripts/workloads/regions.c without the recorder: checks the parser of its output, the page comparison,
 * and — with the real kernel as the oracle — that the region map, seeded from one checkpoint's
 * /proc/self/maps and fed the calls the program made, ends with exactly the next checkpoint's pages.
 */
class RegionsWorkloadTest {
    static List<Item> items;

    @BeforeAll
    static void run() throws Exception {
        Path exe = CWorkloads.build("regions");
        Process p = new ProcessBuilder(exe.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        items = RegionsWorkload.parse(out);
    }

    @Test
    void theOutputHasTwentyFiveCheckpointsInTimeOrderAndTheExpectedEvents() {
        List<Checkpoint> cps = RegionsWorkload.checkpoints(items);
        assertEquals(List.of("start", "rwx-mmap", "flips", "partial-mprotect", "mremap", "map-fixed", "munmap-holes",
                "mprotect-enomem", "memfd-twice", "dontunmap", "pkey-brk", "noreserve", "madvise", "shm", "mseal", "mlock",
                "mlockall", "munlockall", "read-implies-exec", "int80", "uring-madvise", "aio", "remap-file-pages", "mbind",
                "process-madvise"), cps.stream().map(Checkpoint::label).toList());
        for (int i = 1; i < cps.size(); i++) {
            assertTrue(cps.get(i).monotonicNs() > cps.get(i - 1).monotonicNs());
        }
        assertTrue(cps.getFirst().maps().stream().anyMatch(l -> l.path().equals("[stack]")));
        List<String> kinds = new ArrayList<>(List.of(ProtAlerts.MMAP_W_X, ProtAlerts.MPROT_X_ADD, ProtAlerts.MPROT_W_ADD,
                ProtAlerts.MPROT_W_REM, ProtAlerts.MPROT_X_ADD, ProtAlerts.MPROT_X_ADD, ProtAlerts.MPROT_X_ADD));
        if (!IGNORES_NORESERVE) {
            kinds.add(ProtAlerts.MPROT_X_ADD); // step 11: two VMAs apart by VM_NORESERVE, two alerts
        }
        kinds.addAll(List.of(ProtAlerts.MPROT_X_ADD, ProtAlerts.MPROT_X_ADD, ProtAlerts.MPROT_X_ADD)); // step 12: three VMAs
        kinds.addAll(List.of(ProtAlerts.MMAP_W_X, ProtAlerts.MPROT_X_ADD)); // step 18: no PROT_EXEC asked, READ_IMPLIES_EXEC
        kinds.add(ProtAlerts.MPROT_X_ADD); // step 19: a 32-bit mprotect
        kinds.addAll(java.util.Collections.nCopies(4, ProtAlerts.MPROT_X_ADD)); // step 23: four VMAs apart by their NUMA policies
        assertEquals(kinds,
                RegionsWorkload.expected(items, "mem_prot_alert").stream().map(Expect::what).toList());
        assertEquals("memfd:regions", RegionsWorkload.expected(items, "mmap_exec").getFirst().what());
        assertEquals("mprotect 12", RegionsWorkload.expected(items, "failed").getFirst().what());
        assertEquals(2, RegionsWorkload.callsBefore(items, 6).size());
        assertTrue(RegionsWorkload.pid(items) > 1);
    }

    @Test
    void theKernelLeavesTheRegionsBeforeTheHoleChangedWhenMprotectFailsWithEnomem() {
        Call failed = RegionsWorkload.callsBefore(items, 7).getFirst();
        assertEquals(-12, failed.ret());
        List<ProcMaps.Line> after = RegionsWorkload.checkpoints(items).get(7).maps();
        long addr = failed.get(0);
        assertEquals("r--p", lineAt(after, addr).perms(), "before the hole: changed");
        assertEquals("rwxp", lineAt(after, addr + 2 * Prot.PAGE_SIZE).perms(), "after the hole: untouched");
    }

    @Test
    void aCheckpointAgreesWithItselfAndAChangedPageIsFound() {
        List<ProcMaps.Line> maps = RegionsWorkload.checkpoints(items).get(8).maps();
        List<MapsComparison.Span> same = regions(maps).stream().map(MapsComparison.Span::of).toList();
        assertEquals(List.of(), MapsComparison.differences(maps, same));
        RegionMap m = seeded(maps);
        long x = RegionsWorkload.expected(items, "mmap_exec").getFirst().addr();
        m.mprotect(x, Prot.PAGE_SIZE, Prot.READ, 0, 1);
        List<String> diff = MapsComparison.differences(maps, m.regions().stream().map(MapsComparison.Span::of).toList());
        assertEquals(1, diff.size(), diff.toString());
        assertTrue(diff.getFirst().startsWith(Long.toHexString(x) + "-" + Long.toHexString(x + Prot.PAGE_SIZE) + ": maps has r-xs"));
    }

    @Test
    void theRegionMapAppliesEveryStepExactlyAsTheKernelDid() {
        List<Checkpoint> cps = RegionsWorkload.checkpoints(items);
        List<String> alerts = new ArrayList<>();
        boolean readImpliesExec = false; // the workload's personality, which no dump shows
        for (int n = 1; n < cps.size(); n++) {
            RegionMap m = seeded(cps.get(n - 1).maps());
            for (Call c : RegionsWorkload.callsBefore(items, n)) {
                if (c.syscall().equals("personality") && c.ret() >= 0) {
                    readImpliesExec = (c.get(0) & READ_IMPLIES_EXEC) != 0;
                }
                alerts.addAll(apply(m, c, n, readImpliesExec));
            }
            List<MapsComparison.Span> state = m.regions().stream().map(MapsComparison.Span::of).toList();
            List<String> diff = MapsComparison.differences(cps.get(n).maps(), state);
            assertEquals(List.of(), diff, "checkpoint " + n + " " + cps.get(n).label());
            for (Expect e : RegionsWorkload.expectedBefore(items, n, "vmas")) {
                assertEquals(List.of(), MapsComparison.linesNotRegions(cps.get(n).maps(), state, MapsComparison.inside(e.addr(), e.addr() + e.len())),
                        "checkpoint " + n + " " + cps.get(n).label() + ": VMAs " + e.what());
            }
        }
        List<String> expected = RegionsWorkload.expected(items, "mem_prot_alert").stream()
                .map(e -> Long.toHexString(e.addr()) + " " + e.len() + " " + e.what()).toList();
        assertEquals(expected, alerts);
    }

    @Test
    void theParserRejectsATruncatedDump() {
        assertFalse(RegionsWorkload.parse("CHECKPOINT 0 start 5\nEND 0\n").isEmpty());
        try {
            RegionsWorkload.parse("CHECKPOINT 0 start 5\n00400000-00401000 r-xp 00000000 08:01 5 /bin/x\n");
            throw new AssertionError("accepted a checkpoint without END");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("no END"));
        }
    }

    /** This host's kernel ignores MAP_NORESERVE (vm.overcommit_memory 2). */
    static final boolean IGNORES_NORESERVE = overcommitNever();

    private static boolean overcommitNever() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/sys/vm/overcommit_memory")).strip().equals("2");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static final int READ_IMPLIES_EXEC = 0x0400000;

    /** Applies one recorded call; returns the alerts it raises as "addr len alert". */
    static List<String> apply(RegionMap m, Call c, long now) {
        return apply(m, c, now, false);
    }

    /**
     * Applies one recorded call of a task whose personality has READ_IMPLIES_EXEC or not (then PROT_READ implies
     * PROT_EXEC for mmap, mprotect and brk: the workload's files are on no noexec mount).
     */
    static List<String> apply(RegionMap m, Call c, long now, boolean readImpliesExec) {
        List<String> out = new ArrayList<>();
        switch (c.syscall()) {
            case "mmap" -> {
                MappedFile f = c.values().size() > 7
                        ? new MappedFile(null, MappedFile.kernelDev((int) c.get(8), (int) c.get(9)), c.get(7), MappedFile.CTIME_UNKNOWN)
                        : null;
                int flags = (int) c.get(3) & (IGNORES_NORESERVE ? ~0x4000 : ~0); // as the replayer does on such a host
                int prot = impliedExec((int) c.get(2), readImpliesExec);
                m.mmap(c.ret(), c.get(1), prot, flags, f, c.get(5), now);
                if (c.ret() >= 0 && ProtAlerts.forMmap(prot) != null) {
                    out.add(Long.toHexString(c.ret()) + " " + Prot.pageAlign(c.get(1)) + " " + ProtAlerts.MMAP_W_X);
                }
            }
            case "mprotect", "pkey_mprotect" -> {
                int prot = impliedExec((int) c.get(2), readImpliesExec);
                for (ProtAlerts.ProtAlert a : ProtAlerts.forChanges(m.mprotect(c.get(0), c.get(1), prot, c.ret(), now))) {
                    out.add(Long.toHexString(a.start()) + " " + (a.end() - a.start()) + " " + a.alert());
                }
            }
            case "munmap" -> m.munmap(c.get(0), c.get(1), c.ret(), now);
            case "mremap" -> m.mremap(c.get(0), c.get(1), c.get(2), (int) c.get(3), c.get(4), c.ret(), now);
            case "brk" -> m.brk(c.get(0), c.ret(), readImpliesExec, now);
            case "personality" -> { } // the caller keeps the task's personality
            case "madvise" -> m.madvise(c.get(0), c.get(1), (int) c.get(2), c.ret(), now);
            case "process_madvise" -> { // advice ret, then the iovecs' base and length pairs
                long[] ranges = c.values().subList(2, c.values().size()).stream().mapToLong(Long::longValue).toArray();
                m.processMadvise(ranges, ranges.length / 2, (int) c.get(0), c.ret(), true, now); // of itself
            }
            case "shmat" -> { // shmid shmaddr shmflg ret size: mapped shared, read (+write unless SHM_RDONLY, +exec with SHM_EXEC)
                int shmflg = (int) c.get(2);
                int prot = Prot.READ | ((shmflg & 010000) != 0 ? 0 : Prot.WRITE) | ((shmflg & 0100000) != 0 ? Prot.EXEC : 0);
                MappedFile segment = new MappedFile("/SYSV (deleted)", 0, c.get(0), MappedFile.CTIME_UNKNOWN); // its inode is the shmid
                m.mmap(c.ret(), c.get(4), prot, 0x1, segment, 0, now);
            }
            case "shmdt" -> m.shmdt(c.get(0), c.ret(), now);
            case "io_setup" -> { // nr_events ctx len ret ino: the ring the kernel mapped, its size and inode read from the maps
                if (c.ret() == 0) m.aioRing(c.get(1), c.get(2), new MappedFile("/[aio] (deleted)", 0, c.get(4), MappedFile.CTIME_UNKNOWN), now);
            }
            case "io_destroy" -> m.ioDestroy(c.get(0), c.ret(), now);
            case "remap_file_pages" -> m.remapFilePages(c.get(0), c.get(1), c.get(3), c.ret(), now);
            case "mseal" -> m.mseal(c.get(0), c.get(1), c.ret(), now);
            case "mbind" -> { // addr len mode nodes ret: a policy of that mode on those nodes (MPOL_DEFAULT 0: none)
                int mode = (int) c.get(2);
                m.mbind(c.get(0), c.get(1), mode == 0 ? null : new dev.mapscribe.formats.raw.KernelRecord.Policy(mode, 0, -1, c.get(3), 0),
                        c.ret(), now);
            }
            case "mlock" -> m.mlock(c.get(0), c.get(1), Region.VM_LOCKED, c.ret(), now);
            case "mlock2" -> m.mlock(c.get(0), c.get(1), Region.VM_LOCKED | ((c.get(2) & 1) != 0 ? Region.VM_LOCKONFAULT : 0), c.ret(), now);
            case "munlock" -> m.mlock(c.get(0), c.get(1), 0, c.ret(), now);
            case "mlockall" -> m.mlockall((int) c.get(0), c.ret(), now);
            case "munlockall" -> m.mlockall(0, c.ret(), now);
            default -> throw new IllegalStateException(c.syscall());
        }
        return out;
    }

    private static int impliedExec(int prot, boolean readImpliesExec) {
        return readImpliesExec && (prot & Prot.READ) != 0 ? prot | Prot.EXEC : prot;
    }

    static RegionMap seeded(List<ProcMaps.Line> maps) {
        return RegionMap.of(1, 1, "t", new RegionHistory((map, v, to) -> {}), regions(maps), RegionMap.USER_END, 0, "test");
    }

    static List<Region> regions(List<ProcMaps.Line> maps) {
        List<Region> out = new ArrayList<>();
        for (ProcMaps.Line l : maps) {
            if (!l.path().equals("[vsyscall]")) {
                out.add(ProcessTable.fromMapsLine(new SnapshotRegion(1, l.start(), l.end(), l.prot(), l.shared(), l.offset(),
                        l.devMajor(), l.devMinor(), l.inode(), l.path(), l.vmFlags())));
            }
        }
        return out;
    }

    static ProcMaps.Line lineAt(List<ProcMaps.Line> maps, long addr) {
        return maps.stream().filter(l -> l.start() <= addr && addr < l.end()).findFirst().orElseThrow();
    }
}
