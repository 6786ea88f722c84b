package dev.mapscribe.analyzer.replay;

import static dev.mapscribe.analyzer.replay.Recs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.state.Process;
import dev.mapscribe.analyzer.state.ProcessTable;
import dev.mapscribe.analyzer.state.RegionHistory;
import dev.mapscribe.analyzer.state.RegionMap;
import dev.mapscribe.formats.raw.KernelRecord.ExecRecord;
import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.KernelRecord.VmaRecord;
import dev.mapscribe.formats.raw.RecordKind;
import dev.mapscribe.formats.raw.UserRecord.ProcSnapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessTableTest {
    final List<Process> ended = new ArrayList<>();
    final ProcessTable table = new ProcessTable(new RegionHistory((m, v, t) -> {}), ended::add);

    Process proc(int pid, int tid) {
        return table.processOf(h(RecordKind.MMAP, 0, pid, tid));
    }

    RegionMap mm(int pid) {
        return table.mmOf(h(RecordKind.MMAP, 0, pid, pid));
    }

    @Test
    void aSnapshotOfAPidThatVanishedBeforeItsReadStartsNoProcess() {
        // the recorder's snapshot of a pid listed in /proc and gone when its stat was read
        table.snapshot(new ProcSnapshot(10, 300, 0, 0, -1, -1, -1, -1, 0, "", "", List.of(),
                "stat: no such file (the process exited)"), List.of());
        assertTrue(table.live().isEmpty(), table.live().toString());
        // one whose stat was read and whose maps were not is a process, its memory unknown (pid 1 of a sandbox)
        table.snapshot(new ProcSnapshot(10, 1, 0, 25, 0, 0, 0, 0, 1, "init", "", List.of(), "smaps: permission denied"),
                List.of());
        assertEquals(List.of(1), table.live().stream().map(Process::pid).toList());
        assertTrue(table.live().getFirst().mm().hasUnknown());
    }

    @Test
    void aZombieReadAfterItsExitIsTheLifetimeThatEndedNotANewOne() {
        // a sleep forked at 25.0 ms (tick 2 of the boot clock) exits at 30 ms; its parent has not reaped it when the
        // walk reads it at 40 ms: /proc lists it, its stat reads (state Z), it has no exe, argv, namespaces or maps
        table.task(task(1, 100, 100, 1, 1000, "bash"));
        table.fork(fork(25_000_000, 100, 100, 400, 400, 25_000_000, 0));
        table.exit(exit(30_000_000, 400, 400, true));
        table.snapshot(new ProcSnapshot(40_000_000, 400, 100, 2, 0, 0, 0, 0, 0, "sleep", "", List.of(), null), List.of());
        assertEquals(List.of(100), table.live().stream().map(Process::pid).toList(), "no second lifetime of 400");
        assertEquals(1, ended.size());
        assertNull(ended.getFirst().exe(), "a zombie's empty exe says nothing");
        // a snapshot of the pid with another start is another process: the pid was reused after the exit
        table.snapshot(new ProcSnapshot(50_000_000, 400, 100, 3, 0, 0, 0, 0, 1, "cat", "/usr/bin/cat", List.of("cat"), null),
                List.of());
        assertEquals(List.of(100, 400), table.live().stream().map(Process::pid).sorted().toList());
    }

    @Test
    void onAHostThatWasSuspendedTheSnapshotsStartTicksAreTakenBackByTheTimeSuspended() {
        // suspended 2 h before the recording: /proc's start ticks (boot clock) run 2 h ahead of the records' (monotonic)
        long suspended = 7_200_000_000_000L;
        table.suspendedNs(suspended);
        // a sleep forked at 25.0 ms of the monotonic clock, exited at 30 ms, read as a zombie at 40 ms: its tick is
        // that of 25 ms + 2 h of the boot clock
        long tick = (25_000_000 + suspended) / 10_000_000;
        table.task(task(1, 100, 100, 1, 1000, "bash"));
        table.fork(fork(25_000_000, 100, 100, 400, 400, 25_000_000, 0));
        table.exit(exit(30_000_000, 400, 400, true));
        table.snapshot(new ProcSnapshot(40_000_000, 400, 100, tick, 0, 0, 0, 0, 0, "sleep", "", List.of(), null, 'Z', 1, 0),
                List.of());
        assertEquals(List.of(100), table.live().stream().map(Process::pid).toList(), "no second lifetime of 400");
        assertEquals(1, ended.size());
        // a process running since 1.5 s of the monotonic clock, seen by the snapshot only: its start on the records' clock
        table.snapshot(new ProcSnapshot(50_000_000, 500, 1, (1_500_000_000 + suspended) / 10_000_000, 0, 0, 0, 0, 1, "cron",
                "/usr/sbin/cron", List.of("cron"), null), List.of());
        Process cron = table.live().stream().filter(p -> p.pid() == 500).findFirst().orElseThrow();
        assertEquals(1_500_000_000L, cron.startNs());
    }

    @Test
    void aZombieShapedSnapshotOfAnOlderRecorderStaysAProcessOfUnknownMemory() {
        // /proc reads a group leader that exited while its other threads run as a zombie too (its stat's state is Z), and
        // recorders before 2026-12-08 read no exe, argv, namespace or maps of it and wrote neither its state nor its
        // thread count: the snapshot cannot tell a dead process from a live one, and a live one must not be ended by it
        table.snapshot(new ProcSnapshot(40_000_000, 500, 100, 2, 0, 0, 0, 0, 0, "worker", "", List.of(), null), List.of());
        assertEquals(List.of(500), table.live().stream().map(Process::pid).toList());
        assertTrue(ended.isEmpty());
        assertTrue(table.live().getFirst().mm().hasUnknown(), "its maps were not read: unknown, not empty");
        // its threads' later records are that process's
        table.task(task(50_000_000, 500, 501, 100, 20_000_000, "worker"));
        assertEquals(List.of(500), table.live().stream().map(Process::pid).toList());
        assertTrue(ended.isEmpty(), ended.toString());
    }

    @Test
    void aZombieWithNoThreadLeftEndedBeforeTheRecording() {
        // a child that exited before the recording, never reaped: state Z, one thread (itself), no exit in the journal
        table.snapshot(new ProcSnapshot(40_000_000, 600, 100, 2, 0, 0, 0, 0, 0, "sleep", "", List.of(), null, 'Z', 1, 0),
                List.of());
        assertTrue(table.live().isEmpty(), table.live().toString());
        assertEquals(1, ended.size());
        Process z = ended.getFirst();
        assertEquals(600, z.pid());
        assertEquals(40_000_000, z.exitNs(), "gone by its snapshot");
        assertFalse(z.exitRecorded());
        assertEquals(100, z.ppid());
        assertEquals("sleep", z.comm());
    }

    @Test
    void aProcessWhoseLeaderExitedIsLiveWithTheMapsReadThroughItsThread() {
        // the leader exited while thread 702 runs on: state Z, two threads, read through 702
        table.snapshot(new ProcSnapshot(40_000_000, 700, 100, 2, 0, 0, 0, 0, 4026531832L, "hider", "/usr/bin/hider",
                List.of("hider"), null, 'Z', 2, 702), List.of(line(700, 0x10000, 0x12000, 7, "", 0, 0)));
        assertEquals(List.of(700), table.live().stream().map(Process::pid).toList());
        assertTrue(ended.isEmpty());
        RegionMap m = mm(700);
        assertFalse(m.hasUnknown(), "its maps were read");
        assertEquals(List.of(0x10000L), m.regions().stream().map(r -> r.start()).toList());
        assertEquals("/usr/bin/hider", table.live().getFirst().exe());
        assertTrue(table.live().getFirst().leaderExited());
        assertEquals(-1, table.live().getFirst().leaderExitNs(), "before the recording: when is not known");
        // the thread's later records are that process's
        table.task(task(50_000_000, 700, 702, 100, 20_000_000, "hider"));
        assertEquals(List.of(700), table.live().stream().map(Process::pid).toList());
        assertTrue(ended.isEmpty(), ended.toString());
    }

    @Test
    void aLeaderThatCallsExitWhileAThreadRunsOnLeavesTheProcessRunningWithoutIt() {
        table.task(task(1, 100, 100, 1, 1000, "hider"));
        table.fork(fork(2, 100, 100, 100, 101, 2000, 0x3));
        table.exitCall(h(RecordKind.SYSCALL, 3, 100, 100)); // exit(2), recorded as the leader passes sched_process_exit
        table.exit(exit(3, 100, 100, false));
        Process p = table.live().getFirst();
        assertTrue(p.leaderExited());
        assertEquals(3, p.leaderExitNs());
        table.exit(exit(9, 100, 101, true));
        assertEquals(1, ended.size());
        assertTrue(ended.getFirst().leaderExited(), "a trait of the lifetime");
    }

    @Test
    void anExitCallWhoseExitRecordWasLostSaysNothingOfALaterTaskOfItsTid() {
        table.task(task(1, 100, 100, 1, 1000, "a"));
        table.exitCall(h(RecordKind.SYSCALL, 3, 100, 100)); // its exit record lost: the process is taken to run on
        // pid 100 again, much later, a new process whose leader goes first in an exit_group (no exit call of its own)
        table.task(task(5_000_000_000L, 100, 100, 1, 4_000_000_000L, "b"));
        table.fork(fork(5_000_000_001L, 100, 100, 100, 101, 4_000_000_000L, 0x3));
        table.exit(exit(6_000_000_000L, 100, 100, false));
        assertFalse(table.live().stream().filter(p -> p.pid() == 100).findFirst().orElseThrow().leaderExited());
    }

    @Test
    void aLeaderEndedByExitGroupOrByAThreadsExecHasNotLeftItsProcess() {
        // exit_group from the leader: it passes sched_process_exit before its other thread, not the group's last
        table.task(task(1, 100, 100, 1, 1000, "app"));
        table.fork(fork(2, 100, 100, 100, 101, 2000, 0x3));
        table.exit(exit(3, 100, 100, false)); // its syscall record said exit_group: no exitCall
        assertFalse(table.live().getFirst().leaderExited());
        table.exit(exit(4, 100, 101, true));
        assertFalse(ended.getFirst().leaderExited());
        // an exec from thread 201: the kernel ends the leader (it calls nothing) and gives the pid to the caller
        table.task(task(10, 200, 200, 1, 5000, "app"));
        table.fork(fork(11, 200, 200, 200, 201, 5000, 0x3));
        table.exit(exit(12, 200, 200, false));
        table.exec(new ExecRecord(h(RecordKind.EXEC, 13, 200, 200), 201, file("/usr/bin/app", 77), List.of("app"), false));
        assertFalse(table.live().getFirst().leaderExited());
    }

    @Test
    void aThreadExitLeavesTheProcessAndTheLastThreadEndsIt() {
        table.task(task(1, 100, 100, 1, 1000, "app"));
        table.fork(fork(2, 100, 100, 100, 101, 2000, 0x3));
        table.exit(exit(3, 100, 100, false)); // the leader thread goes first
        assertTrue(ended.isEmpty());
        table.exit(exit(4, 100, 101, true));
        assertEquals(1, ended.size());
        assertEquals(4, ended.getFirst().exitNs());
    }

    @Test
    void aVforkChildKeepsTheSharedAddressSpaceWhenItsParentExitsFirst() {
        table.task(task(1, 100, 100, 1, 1000, "app"));
        table.fork(fork(2, 100, 100, 200, 200, 2000, 0x2));
        RegionMap shared = mm(100);
        assertSame(shared, mm(200));
        shared.mmap(0x50000, 4096, 3, 0x22, null, 0, 3);
        table.exit(exit(4, 100, 100, true));
        assertEquals(1, shared.regions().stream().filter(r -> r.start() == 0x50000).count(), "still in use by the child");
        table.exit(exit(5, 200, 200, true));
        assertTrue(shared.regions().isEmpty(), "the last user is gone");
    }

    @Test
    void execFromAThreadGivesThePidToThatThreadAndANewAddressSpace() {
        table.task(task(1, 100, 100, 1, 1000, "app"));
        table.fork(fork(2, 100, 100, 100, 105, 2000, 0x3));
        RegionMap before = mm(100);
        table.exit(exit(3, 100, 100, false)); // de_thread kills the old leader
        table.exec(new dev.mapscribe.formats.raw.KernelRecord.ExecRecord(h(RecordKind.EXEC, 4, 100, 100), 105,
                file("/bin/new", 5), List.of("new"), false));
        table.vma(vma(4, 100, 0, true, 0x400000, 0x401000, 5, file("/bin/new", 5), 0));
        assertEquals("/bin/new", proc(100, 100).exe());
        assertTrue(mm(100) != before);
        assertEquals(1, mm(100).regions().size());
        assertTrue(ended.isEmpty());
    }

    @Test
    void aWalkThatLostRecordsLeavesItsGapsUnknown() {
        table.task(task(1, 100, 100, 1, 1000, "app"));
        table.exec(exec(2, 100, "/bin/app", "app"));
        table.vma(vma(2, 100, 0, false, 0x400000, 0x401000, 5, file("/bin/app", 5), 0));
        table.vma(vma(2, 100, 2, true, 0x7ffd0000, 0x7ffd1000, 3, null, 0)); // seq 1 was lost
        assertTrue(mm(100).hasUnknown());
        assertFalse(mm(100).at(0x500000).known());
    }

    @Test
    void aTruncatedWalkLeavesTheTopUnknown() {
        table.task(task(1, 100, 100, 1, 1000, "app"));
        table.exec(exec(2, 100, "/bin/app", "app"));
        table.vma(new VmaRecord(h(RecordKind.VMA, 2, 100, 100), 0x400000, 0x401000, 0, 5, 0, true, true, file("/bin/app", 5)));
        assertNull(mm(100).at(0x300000), "below the last VMA walked: known to be empty");
        assertFalse(mm(100).at(0x500000).known());
    }

    @Test
    void aCompleteWalkKnowsEverything() {
        table.task(task(1, 100, 100, 1, 1000, "app"));
        table.exec(exec(2, 100, "/bin/app", "app"));
        table.vma(vma(2, 100, 0, true, 0x400000, 0x401000, 5, file("/bin/app", 5), 0));
        assertFalse(mm(100).hasUnknown());
    }

    @Test
    void aSnapshotThatCouldNotReadTheMapsGivesAnUnknownAddressSpace() {
        table.snapshot(new ProcSnapshot(10, 300, 1, 5, 0, 0, 0, 0, 1, "x", "/bin/x", List.of("x"), "EACCES reading maps"),
                List.of());
        assertTrue(mm(300).hasUnknown());
        assertEquals("/bin/x", proc(300, 300).exe());
    }

    @Test
    void aTaskRecordBeforeItsForkIsTheSameProcess() {
        table.task(task(1, 100, 100, 1, 1000, "app"));
        table.task(task(2, 200, 200, 100, 2000, "app")); // the child's context arrived first
        table.fork(fork(3, 100, 100, 200, 200, 2000, 0));
        assertTrue(ended.isEmpty());
        assertEquals(Process.Source.FORK, proc(200, 200).source());
        assertEquals("?", table.ancestors(proc(200, 200)), "its parent ran no exec the recording saw");
    }

    /** init (pid 1) forks 50, which runs bash and forks 60. */
    private void initBashChild() {
        table.task(task(1, 1, 1, 0, 10, "init"));
        table.exec(exec(2, 1, "/sbin/init", "init"));
        table.fork(fork(3, 1, 1, 50, 50, 30, 0));
        table.exec(exec(4, 50, "/bin/bash", "bash"));
        table.fork(fork(5, 50, 50, 60, 60, 50, 0));
    }

    @Test
    void ancestorsAreExePathsOldestFirst() {
        initBashChild();
        assertEquals("/sbin/init|/bin/bash", table.ancestors(proc(60, 60)));
        assertFalse(table.ancestorsTruncated(proc(60, 60)));
        assertEquals(50, table.parentOf(proc(60, 60)).pid());
    }

    @Test
    void ancestorsSayWhenAnExePathInThemWasCut() {
        table.task(task(1, 1, 1, 0, 10, "init"));
        table.exec(exec(2, 1, "/sbin/init", "init"));
        table.fork(fork(3, 1, 1, 50, 50, 30, 0));
        FileRef cut = new FileRef(77, 4096, 1, 0, 8, 0100755, FileRef.PATH_TRUNCATED, "deep/dir/tool");
        table.exec(new ExecRecord(h(RecordKind.EXEC, 4, 50, 50), 50, cut, List.of("tool"), false));
        table.fork(fork(5, 50, 50, 60, 60, 50, 0));
        assertEquals("/sbin/init|deep/dir/tool", table.ancestors(proc(60, 60)));
        assertTrue(table.ancestorsTruncated(proc(60, 60)));
        assertFalse(table.ancestorsTruncated(proc(50, 50)), "its own exe is exe_path_truncated's business");
    }

    @Test
    void ancestorsKeepTheNearest256AndSaySoWhenThereWereMore() {
        table.task(task(1, 1, 1, 0, 10, "init"));
        table.exec(exec(2, 1, "/sbin/init", "init"));
        int parent = 1;
        for (int depth = 1; depth <= 257; depth++) { // init, then 257 generations: the last has 257 ancestors
            int child = 1000 + depth;
            table.fork(fork(10L * depth, parent, parent, child, child, 10L * depth, 0));
            table.exec(exec(10L * depth + 1, child, "/gen/" + depth, "gen"));
            parent = child;
        }
        String ancestors = table.ancestors(proc(parent, parent));
        assertEquals(256, ancestors.split("\\|").length);
        assertTrue(ancestors.startsWith("/gen/1|"), "the oldest left out is init: " + ancestors.substring(0, 20));
        assertTrue(table.ancestorsTruncated(proc(parent, parent)));
        assertFalse(table.ancestorsTruncated(proc(1256, 1256)), "255 generations above it and init: 256, all of them");
    }

    // ancestors() caches its answer per process; each test below asks, changes what the chain reads, and asks again.

    @Test
    void ancestorsFollowAnAncestorsExecAfterTheyWereAskedFor() {
        initBashChild();
        assertEquals("/sbin/init|/bin/bash", table.ancestors(proc(60, 60)));
        table.exec(exec(6, 50, "/usr/bin/python3", "python3"));
        assertEquals("/sbin/init|/usr/bin/python3", table.ancestors(proc(60, 60)));
        table.exit(exit(7, 50, 50, true));
        assertEquals("/sbin/init|/usr/bin/python3", table.ancestors(proc(60, 60)), "a parent that exited stays in the chain");
    }

    @Test
    void ancestorsFindAParentThatAppearsAfterTheyWereAskedFor() {
        // snapshot processes name their parent by pid only: 300's parent 200 is not known yet
        table.snapshot(new ProcSnapshot(10, 300, 200, 5, 0, 0, 0, 0, 1, "x", "/bin/x", List.of("x"), null), List.of());
        assertEquals("", table.ancestors(proc(300, 300)));
        table.snapshot(new ProcSnapshot(11, 200, 1, 4, 0, 0, 0, 0, 1, "sh", "/bin/sh", List.of("sh"), null), List.of());
        assertEquals("/bin/sh", table.ancestors(proc(300, 300)));
    }

    @Test
    void aChildMetBeforeItsForkTakesItsParentIntoTheAncestorsItWasAskedForBefore() {
        table.task(task(1, 200, 200, 100, 2000, "app")); // the child's context first; its parent 100 is not known yet
        assertEquals("", table.ancestors(proc(200, 200)));
        table.fork(fork(3, 100, 100, 200, 200, 2000, 0)); // the parent is met at the fork, with no exec seen
        assertEquals("?", table.ancestors(proc(200, 200)));
        table.exec(exec(4, 100, "/bin/app", "app"));
        assertEquals("/bin/app", table.ancestors(proc(200, 200)));
    }
}
