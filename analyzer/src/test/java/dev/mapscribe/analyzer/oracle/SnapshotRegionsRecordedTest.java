package dev.mapscribe.analyzer.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.derive.MemProtAlertEvent;
import dev.mapscribe.analyzer.derive.MmapExecEvent;
import dev.mapscribe.analyzer.replay.EventSink;
import dev.mapscribe.analyzer.replay.FileRow;
import dev.mapscribe.analyzer.replay.LossRow;
import dev.mapscribe.analyzer.replay.ProcessLifetime;
import dev.mapscribe.analyzer.replay.RegionVersion;
import dev.mapscribe.analyzer.replay.ReplayStats;
import dev.mapscribe.analyzer.replay.Replayer;
import dev.mapscribe.analyzer.replay.SyscallRow;
import dev.mapscribe.formats.journal.JournalReader;
import dev.mapscribe.formats.journal.ReadResult;
import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.raw.UserRecord;
import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.formats.testkit.ProcMaps;
import dev.mapscribe.recorder.Recorder;
import dev.mapscribe.recorder.testing.MapHolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With real eBPF: a process already running when the recording starts is known from the start-up snapshot, which
 * reads smaps, so that its regions are the kernel's VMAs for files too. Every library's read-only data and its RELRO
 * part are adjacent r--p lines of one file at running offsets, apart only by VM_ACCOUNT (smaps' "ac"); from maps
 * alone they read as one region.
 */
class SnapshotRegionsRecordedTest {
    @TempDir
    Path tmp;

    @Test
    void eachFileLineOfAProcessRunningBeforeTheRecordingIsOneRegion() throws Exception {
        BpfRequirement.assumeRootAndBpf();
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            int pid = (int) sleeper.pid();
            List<ProcMaps.Line> maps = awaitLibraries(pid);
            Path journal = recordBriefly("snapshot");
            assertEquals(maps, ProcMaps.read(pid), "the sleeper's maps changed during the recording");

            List<RegionVersion> regions = new ArrayList<>();
            ReadResult read;
            try (JournalReader reader = JournalReader.open(journal)) {
                Replayer replayer = new Replayer(reader.header(), regionsOnly(regions));
                read = reader.read(replayer::accept);
                replayer.finish();
            }
            assertNull(read.damage());
            List<MapsComparison.Span> state = regions.stream()
                    .filter(v -> v.pid() == pid && v.validToNs() == null).map(MapsComparison.Span::of).toList();
            assertEquals(List.of(), MapsComparison.differences(maps, state));
            // The case this is about is there: two adjacent r--p lines of one file at running offsets
            assertTrue(hasRelroNextToReadOnlyData(maps), maps.toString());
            assertEquals(List.of(), MapsComparison.linesNotRegions(maps, state, l -> l.inode() != 0));
            assertTrue(regions.stream().anyMatch(v -> v.pid() == pid && v.accounted() && "r--p".equals(v.perms())),
                    "a RELRO part is charged");
        } finally {
            sleeper.destroy();
            sleeper.waitFor();
        }
    }

    /**
     * The recorder writes the snapshot once /proc is read, behind the kernel records drained meanwhile: a process that
     * ends after its read (here: killed between the walk and the queueing of its records, which a busy host's long walk
     * does by itself) has its exit in the journal before its snapshot. It is one lifetime, from the snapshot, its memory
     * known until it ended (the replay puts the snapshot where its read falls: SnapshotOrder).
     */
    @Test
    void aProcessThatEndsBeforeItsSnapshotIsWrittenIsOneLifetimeKnownToItsEnd() throws Exception {
        BpfRequirement.assumeRootAndBpf();
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        int pid = (int) sleeper.pid();
        List<ProcMaps.Line> maps = awaitLibraries(pid);
        Path journal = tmp.resolve("journal");
        Recorder.Config config = new Recorder.Config(journal, Recorder.Hooks.AUTO, 1L << 30, 16L << 20, false, true,
                List.of("test", "snapshot"), System.err).withAfterSnapshotWalk(() -> {
                    sleeper.destroy();
                    try {
                        sleeper.waitFor();
                        Thread.sleep(300); // its exit drained into the journal before the snapshot is queued
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        try (Recorder recorder = Recorder.start(config)) {
            Thread.sleep(200);
            recorder.awaitStopped();
        }
        List<RegionVersion> regions = new ArrayList<>();
        List<ProcessLifetime> processes = new ArrayList<>();
        List<String> order = new ArrayList<>(); // the sleeper's exit and snapshot, in journal order
        try (JournalReader reader = JournalReader.open(journal)) {
            Replayer replayer = new Replayer(reader.header(), regionsAndProcesses(regions, processes));
            ReadResult read = reader.read((r, batch) -> {
                if (r instanceof KernelRecord.ExitRecord x && x.h().pid() == pid && x.groupDead()) order.add("exit");
                if (r instanceof UserRecord.ProcSnapshot p && p.pid() == pid) order.add("snapshot");
                replayer.accept(r, batch);
            });
            replayer.finish();
            assertNull(read.damage());
        }
        assertEquals(List.of("exit", "snapshot"), order, "the case this is about: the exit comes first in the journal");
        List<ProcessLifetime> lives = processes.stream().filter(p -> p.pid() == pid).toList();
        assertEquals(1, lives.size(), lives.toString());
        ProcessLifetime life = lives.getFirst();
        assertEquals("snapshot", life.source());
        assertTrue(life.exitRecorded() && life.exitNs() != null, life.toString());
        assertTrue(life.memoryKnown(), life.toString());
        assertEquals("/usr/bin/sleep", life.exe());
        long justBeforeExit = life.exitNs() - 1;
        List<MapsComparison.Span> atItsEnd = regions.stream().filter(v -> v.pid() == pid && v.validFromNs() <= justBeforeExit
                && (v.validToNs() == null || justBeforeExit < v.validToNs())).map(MapsComparison.Span::of).toList();
        assertEquals(List.of(), MapsComparison.differences(maps, atItsEnd), "its regions until it ended are its maps");
        assertTrue(regions.stream().noneMatch(v -> v.pid() == pid && v.validToNs() == null), "nothing of it after its end");
    }

    /**
     * Two processes /proc shows as zombies when the recording starts: one that ended before it (a child its parent
     * never reaps), and one whose first thread exited while another runs on. The first is a lifetime that ended by
     * its snapshot; the second a live process whose regions, read through its thread, are the kernel's maps.
     */
    @Test
    void aZombieEndedBeforeTheRecordingAndAProcessWhoseLeaderExitedRunsOnWithItsMaps() throws Exception {
        BpfRequirement.assumeRootAndBpf();
        try (MapHolder parent = MapHolder.start("--zombie");
             MapHolder hider = MapHolder.start("--comm", "hider", "--leader-exits")) {
            int zombie = parent.zombiePid();
            int pid = hider.pid();
            List<ProcMaps.Line> maps = ProcMaps.parse(Files.readString(Path.of("/proc/" + pid + "/task/" + hider.thread() + "/maps")));
            java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
            Path journal = recordBriefly("zombies", new java.io.PrintStream(said, true, java.nio.charset.StandardCharsets.UTF_8));
            // the responder at the host is told at once
            String stderr = said.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(stderr.lines().anyMatch(l -> l.contains("hide behind an exited first thread") && l.contains(pid + " (hider, ")),
                    stderr);
            List<RegionVersion> regions = new ArrayList<>();
            List<ProcessLifetime> processes = new ArrayList<>();
            try (JournalReader reader = JournalReader.open(journal)) {
                Replayer replayer = new Replayer(reader.header(), regionsAndProcesses(regions, processes));
                assertNull(reader.read(replayer::accept).damage());
                replayer.finish();
            }

            List<ProcessLifetime> dead = processes.stream().filter(p -> p.pid() == zombie).toList();
            assertEquals(1, dead.size(), dead.toString());
            assertEquals("snapshot", dead.getFirst().source());
            assertTrue(dead.getFirst().exitNs() != null && !dead.getFirst().exitRecorded(), dead.toString());
            assertEquals(parent.pid(), dead.getFirst().ppid());

            List<ProcessLifetime> lives = processes.stream().filter(p -> p.pid() == pid).toList();
            assertEquals(1, lives.size(), lives.toString());
            ProcessLifetime life = lives.getFirst();
            assertNull(life.exitNs(), "it runs on");
            assertTrue(life.memoryKnown(), life.toString());
            assertEquals(Path.of(hider.command().getFirst()).toRealPath().toString(), life.exe());
            assertEquals(hider.command(), life.argv());
            assertTrue(life.leaderExited() && life.leaderExitNs() == null, "found so by the snapshot: " + life);
            List<MapsComparison.Span> state = regions.stream()
                    .filter(v -> v.pid() == pid && v.validToNs() == null).map(MapsComparison.Span::of).toList();
            assertEquals(List.of(), MapsComparison.differences(maps, state));
            long late = hider.late()[0];
            assertTrue(state.stream().anyMatch(r -> r.start() <= late && late < r.end()), "the page mapped after the leader's exit");
        }
    }

    /**
     * Recorded while they run: a process whose first thread calls exit(2) while another runs on is a process that
     * lost its leader at that instant (`leader_exited`), and one whose leader ends it with exit_group, passing
     * sched_process_exit before its other thread, is not.
     */
    @Test
    void aLeaderThatCallsExitIsToldFromOneThatEndsItsProcess() throws Exception {
        BpfRequirement.assumeRootAndBpf();
        Path journal = tmp.resolve("journal");
        Recorder.Config config = new Recorder.Config(journal, Recorder.Hooks.AUTO, 1L << 30, 16L << 20, false, true,
                List.of("test", "leaders"), System.err);
        int hiderPid, groupPid;
        try (Recorder recorder = Recorder.start(config)) {
            try (MapHolder hider = MapHolder.start("--comm", "hider", "--leader-exits");
                 MapHolder group = MapHolder.start("--comm", "grouped", "--thread")) {
                hiderPid = hider.pid();
                groupPid = group.pid();
            } // stdin closed: the hider's thread calls exit_group; the grouped one's leader returns from main
            Thread.sleep(100);
            recorder.awaitStopped();
        }
        List<ProcessLifetime> processes = new ArrayList<>();
        List<Boolean> groupLeaderExits = new ArrayList<>(); // group_dead of the grouped leader's exit record
        ReplayStats stats;
        try (JournalReader reader = JournalReader.open(journal)) {
            Replayer replayer = new Replayer(reader.header(), regionsAndProcesses(new ArrayList<>(), processes));
            assertNull(reader.read((r, batch) -> {
                if (r instanceof KernelRecord.ExitRecord x && x.h().pid() == groupPid && x.h().tid() == groupPid) {
                    groupLeaderExits.add(x.groupDead());
                }
                replayer.accept(r, batch);
            }).damage());
            stats = replayer.finish();
        }
        // the summary's count: the hider's row, and any other of the machine's
        assertEquals(processes.stream().filter(ProcessLifetime::leaderExited).count(), stats.leaderExited());
        assertTrue(stats.leaderExited() >= 1);
        ProcessLifetime hider = processes.stream().filter(p -> p.pid() == hiderPid).findFirst().orElseThrow();
        assertTrue(hider.leaderExited(), hider.toString());
        assertTrue(hider.leaderExitNs() != null && hider.exitNs() != null && hider.leaderExitNs() < hider.exitNs(),
                hider.toString());
        assertTrue(hider.exitRecorded());
        assertEquals(List.of(false), groupLeaderExits, "the case this is about: the leader left before its thread");
        ProcessLifetime group = processes.stream().filter(p -> p.pid() == groupPid).findFirst().orElseThrow();
        assertTrue(!group.leaderExited() && group.leaderExitNs() == null, group.toString());
        assertTrue(group.exitRecorded());
    }

    /** A recording of the whole machine for 200 ms after the recorder is ready: its start-up snapshot, mostly. */
    private Path recordBriefly(String name) throws Exception {
        return recordBriefly(name, System.err);
    }

    private Path recordBriefly(String name, java.io.PrintStream err) throws Exception {
        Path journal = tmp.resolve("journal");
        Recorder.Config config = new Recorder.Config(journal, Recorder.Hooks.AUTO, 1L << 30, 16L << 20, false, true,
                List.of("test", name), err);
        try (Recorder recorder = Recorder.start(config)) {
            Thread.sleep(200);
            recorder.awaitStopped();
        }
        return journal;
    }

    private static boolean hasRelroNextToReadOnlyData(List<ProcMaps.Line> maps) {
        for (int i = 1; i < maps.size(); i++) {
            ProcMaps.Line a = maps.get(i - 1), b = maps.get(i);
            if (a.inode() != 0 && a.inode() == b.inode() && a.end() == b.start() && a.perms().equals("r--p")
                    && b.perms().equals("r--p") && a.offset() + (a.end() - a.start()) == b.offset()) {
                return true;
            }
        }
        return false;
    }

    /** The process's maps once ld.so has mapped its libraries (and so made their RELRO parts read-only). */
    private static List<ProcMaps.Line> awaitLibraries(int pid) throws Exception {
        for (int i = 0; i < 100; i++) {
            List<ProcMaps.Line> maps = ProcMaps.read(pid);
            if (hasRelroNextToReadOnlyData(maps)) {
                Thread.sleep(50); // past ld.so's last mprotect, into sleep's nanosleep
                return ProcMaps.read(pid);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("sleep never mapped a library with a RELRO part: " + ProcMaps.read(pid));
    }

    private static EventSink regionsAndProcesses(List<RegionVersion> regions, List<ProcessLifetime> processes) {
        return new EventSink() {
            @Override public void syscall(SyscallRow row) { }
            @Override public void mmapExec(MmapExecEvent e) { }
            @Override public void memProtAlert(MemProtAlertEvent e) { }
            @Override public void regionVersion(RegionVersion v) { regions.add(v); }
            @Override public void process(ProcessLifetime p) { processes.add(p); }
            @Override public void loss(LossRow l) { }
            @Override public void file(FileRow f) { }
            @Override public void memoryWrite(dev.mapscribe.analyzer.replay.MemoryWriteRow w) { }
        };
    }

    private static EventSink regionsOnly(List<RegionVersion> regions) {
        return new EventSink() {
            @Override public void syscall(SyscallRow row) { }
            @Override public void mmapExec(MmapExecEvent e) { }
            @Override public void memProtAlert(MemProtAlertEvent e) { }
            @Override public void regionVersion(RegionVersion v) { regions.add(v); }
            @Override public void process(ProcessLifetime p) { }
            @Override public void loss(LossRow l) { }
            @Override public void file(FileRow f) { }
            @Override public void memoryWrite(dev.mapscribe.analyzer.replay.MemoryWriteRow w) { }
        };
    }
}
