package dev.mapscribe.recorder.proc;

import dev.mapscribe.formats.raw.UserRecord.ProcSnapshot;
import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import dev.mapscribe.formats.raw.UserRecord;
import dev.mapscribe.formats.raw.UserRecordCodec;
import dev.mapscribe.formats.testkit.CWorkloads;
import dev.mapscribe.formats.testkit.ProcMaps;
import dev.mapscribe.recorder.testing.MapHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcSnapshotterTest {
    private static final int SELF = (int) ProcessHandle.current().pid();

    @Test
    void workloadRegionsEqualItsProcMapsAndOwnPidIsAbsent(@TempDir Path dir) throws Exception {
        Path spaced = Files.copy(Path.of("/bin/true"), dir.resolve("lib with space (x).so"));
        Path doomed = Files.copy(Path.of("/bin/false"), dir.resolve("doomed.so"), StandardCopyOption.REPLACE_EXISTING);
        try (MapHolder holder = MapHolder.start("--comm", "x) y (z", "--exec", spaced.toString(),
                "--exec-unlink", doomed.toString(), "--memfd-from", "/bin/true");
             ProcSnapshotter snapshotter = new ProcSnapshotter()) {
            List<UserRecord> records = snapshotter.snapshot(SELF);
            // The workload is idle: its maps now are its maps at the snapshot.
            List<ProcMaps.Line> oracle = ProcMaps.read(holder.pid());
            List<String> oracleFlags = vmFlags(holder.pid());

            assertFalse(records.stream().anyMatch(r -> pidOf(r) == SELF), "the snapshot must leave out its own pid");

            int at = indexOfSnapshot(records, holder.pid());
            ProcSnapshot snap = assertInstanceOf(ProcSnapshot.class, records.get(at));
            assertEquals("x) y (z", snap.comm());
            assertEquals(SELF, snap.ppid());
            assertEquals(holder.command(), snap.argv());
            assertEquals(Path.of(holder.command().getFirst()).toRealPath().toString(), snap.exe());
            assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString(), "mnt:[" + snap.mntns() + "]");
            assertEquals(startTicks(holder.pid()), snap.startTicks());
            assertNull(snap.error());

            List<SnapshotRegion> regions = new ArrayList<>();
            for (int i = at + 1; i < records.size() && records.get(i) instanceof SnapshotRegion r; i++) {
                regions.add(r);
            }
            assertEquals(oracle.size(), oracleFlags.size(), "one VmFlags line per VMA");
            List<SnapshotRegion> expected = new ArrayList<>();
            for (int i = 0; i < oracle.size(); i++) {
                expected.add(region(holder.pid(), oracle.get(i), oracleFlags.get(i)));
            }
            assertEquals(expected, regions);
            // What the flags are for: a private file mapping made writable (the holder's data) is charged, "ac".
            assertTrue(regions.stream().anyMatch(r -> r.inode() != 0 && r.vmFlags() != null && List.of(r.vmFlags().split(" ")).contains("ac")), regions.toString());
            assertTrue(regions.stream().anyMatch(r -> r.path().equals(spaced.toString()) && r.prot() == 5));
            assertTrue(regions.stream().anyMatch(r -> r.path().equals(doomed + " (deleted)")));
            assertTrue(regions.stream().anyMatch(r -> r.path().startsWith("/memfd:mapholder")));
        }
    }

    @Test
    void anExecutableWhoseNameIsNotUtf8IsNamedByItsBytes(@TempDir Path dir) throws Exception {
        // A copy of sleep named "sl\xffeep" (printf's \377: the byte 0xff, which no UTF-8 text holds), running.
        Process p = new ProcessBuilder("bash", "-c", "f=$(printf '%s/sl\\377eep' \"$1\"); cp /bin/sleep \"$f\" && exec \"$f\" 30",
                "_", dir.toString()).start();
        try (ProcSnapshotter snapshotter = new ProcSnapshotter()) {
            String exe = null;
            for (int i = 0; i < 50 && (exe == null || !exe.contains("eep")); i++) {
                Thread.sleep(100); // until bash has exec'd the copy
                List<UserRecord> out = new ArrayList<>();
                snapshotter.snapshotProcess((int) p.pid(), out);
                exe = ((ProcSnapshot) out.getFirst()).exe();
            }
            // Java's readSymbolicLink would give "sl\uFFFDeep"; the regions' path (from maps) reads the same way.
            assertEquals(dir + "/sl\\xffeep", exe);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void zombieHasNoRegionsAndNoError() throws Exception {
        try (MapHolder holder = MapHolder.start("--comm", "zparent", "--zombie");
             ProcSnapshotter snapshotter = new ProcSnapshotter()) {
            List<UserRecord> records = snapshotter.snapshot(SELF);
            int at = indexOfSnapshot(records, holder.zombiePid());
            ProcSnapshot zombie = assertInstanceOf(ProcSnapshot.class, records.get(at));
            assertEquals(holder.pid(), zombie.ppid());
            assertEquals("zparent", zombie.comm()); // a fork keeps the parent's comm
            assertNull(zombie.error());
            assertEquals("", zombie.exe());
            assertEquals(List.of(), zombie.argv());
            assertTrue(at + 1 == records.size() || records.get(at + 1) instanceof ProcSnapshot);
        }
    }

    @Test
    void aZombieSaysItHasNoLiveThread() throws Exception {
        try (MapHolder holder = MapHolder.start("--zombie");
             ProcSnapshotter snapshotter = new ProcSnapshotter()) {
            List<UserRecord> records = new ArrayList<>();
            snapshotter.snapshotProcess(holder.zombiePid(), records);
            ProcSnapshot zombie = (ProcSnapshot) records.getFirst();
            assertEquals('Z', zombie.state());
            assertTrue(zombie.leaderExited());
            assertEquals(1, zombie.threads()); // itself: the process has ended
            assertEquals(0, zombie.readVia());
            assertEquals(1, records.size());
        }
    }

    /**
     * A process whose first thread exited while another runs on: through its pid /proc shows a zombie (no exe, argv,
     * namespace or maps), and a snapshot that stopped there would hide a live program's whole address space. It is
     * read through the live thread: everything the kernel shows there, the page mapped after the leader's exit too.
     */
    @Test
    void aProcessWhoseLeaderExitedIsReadThroughALiveThread() throws Exception {
        try (MapHolder holder = MapHolder.start("--comm", "hider", "--leader-exits");
             ProcSnapshotter snapshotter = new ProcSnapshotter()) {
            int pid = holder.pid();
            String task = "/proc/" + pid + "/task/" + holder.thread();
            assertEquals("", Files.readString(Path.of("/proc/" + pid + "/maps")), "/proc shows no maps through the leader");
            List<UserRecord> records = new ArrayList<>();
            snapshotter.snapshotProcess(pid, records);
            List<ProcMaps.Line> oracle = ProcMaps.parse(Files.readString(Path.of(task + "/maps")));
            List<String> oracleFlags = smapsFlags(Path.of(task + "/smaps"));

            ProcSnapshot snap = (ProcSnapshot) records.getFirst();
            assertNull(snap.error());
            assertEquals('Z', snap.state());
            assertEquals(2, snap.threads()); // the exited leader and the thread
            assertEquals(holder.thread(), snap.readVia());
            assertEquals("hider", snap.comm());
            assertEquals(holder.command(), snap.argv());
            assertEquals(Path.of(holder.command().getFirst()).toRealPath().toString(), snap.exe());
            assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString(), "mnt:[" + snap.mntns() + "]");
            assertEquals(startTicks(pid), snap.startTicks()); // the process's start: its leader's, not the thread's

            List<SnapshotRegion> expected = new ArrayList<>();
            for (int i = 0; i < oracle.size(); i++) {
                expected.add(region(pid, oracle.get(i), oracleFlags.get(i)));
            }
            assertEquals(expected, records.subList(1, records.size()));
            long[] late = holder.late();
            assertTrue(expected.stream().anyMatch(r -> r.start() <= late[0] && late[1] <= r.end() && r.prot() == 7),
                    "the page mapped after the leader's exit");
        }
    }

    @Test
    void everyListedProcessGetsASnapshotBeforeItsRegions() throws Exception {
        try (ProcSnapshotter snapshotter = new ProcSnapshotter()) {
            List<UserRecord> records = snapshotter.snapshot(SELF);
            assertInstanceOf(ProcSnapshot.class, records.getFirst());
            int currentPid = -1;
            for (UserRecord r : records) {
                switch (r) {
                    case ProcSnapshot p -> currentPid = p.pid();
                    case SnapshotRegion region -> assertEquals(currentPid, region.pid(), "region out of its process");
                    default -> throw new AssertionError("unexpected record " + r);
                }
            }
            // The parent of this JVM (surefire's launcher or a shell) is running, so it must be there.
            int parent = (int) ProcessHandle.current().parent().orElseThrow().pid();
            assertTrue(indexOfSnapshot(records, parent) >= 0);
        }
    }

    @Test
    void snapshotRecordsRoundTripThroughTheJournalCodec() throws Exception {
        try (ProcSnapshotter snapshotter = new ProcSnapshotter()) {
            List<UserRecord> records = snapshotter.snapshot(SELF);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (UserRecord r : records) {
                buf = UserRecordCodec.encode(r, buf);
            }
            buf.flip();
            List<UserRecord> decoded = new ArrayList<>();
            while (buf.hasRemaining()) {
                decoded.add(UserRecordCodec.decode(buf)); // advances past the record
            }
            assertEquals(records, decoded);
        }
    }

    /**
     * The stamp of a process's snapshot is the instant after which no change is in it: the analyzer replays the
     * kernel records older than the stamp before the snapshot, and a change made after it must not be in it as well
     * (it would then be replayed onto a state that already had it: an mprotect to RX onto RX raises no alert). The
     * workload grows one mapping a page per mmap as fast as it can while the snapshots are taken; the pages a
     * snapshot shows say how many calls it saw, and the last of those must have begun before its stamp. Stamped as
     * the read began, a fifth to a half of the snapshots here held calls begun after their stamps.
     */
    @Test
    void aSnapshotHoldsNoChangeBegunAfterItsStamp() throws Exception {
        Process p = new ProcessBuilder(CWorkloads.build("growmap").toString(), "1000000")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        String first = out.readLine();
        assertTrue(first != null && first.startsWith("base "), "growmap said " + first);
        long base = Long.parseUnsignedLong(first.substring(5), 16);
        // The rest of its output (the call log, ~16 MB) is read as it comes, so that the workload never blocks on it.
        List<String> rest = new ArrayList<>();
        Thread reader = Thread.ofPlatform().start(() -> out.lines().forEach(rest::add));

        List<long[]> seen = new ArrayList<>(); // {stamp, pages the snapshot showed}
        try (ProcSnapshotter snapshotter = new ProcSnapshotter()) {
            while (p.isAlive() && seen.size() < 5000) {
                List<UserRecord> records = new ArrayList<>();
                snapshotter.snapshotProcess((int) p.pid(), records);
                if (!(records.getFirst() instanceof ProcSnapshot snap) || snap.error() != null) {
                    continue; // it exited during the read
                }
                long pages = records.stream().filter(r -> r instanceof SnapshotRegion g && g.start() == base)
                        .mapToLong(r -> (((SnapshotRegion) r).end() - base) / 4096).findFirst().orElse(0);
                seen.add(new long[] {snap.ktimeNs(), pages});
            }
        }
        assertEquals(0, p.waitFor());
        reader.join();
        assertTrue(rest.getFirst().startsWith("done "), rest.getFirst());
        int calls = Integer.parseInt(rest.getFirst().substring(5));
        long[] begun = rest.stream().skip(1).mapToLong(Long::parseLong).toArray();
        assertEquals(calls, begun.length);

        int growing = 0; // snapshots taken while the mapping grew: the ones that can catch a late stamp
        List<String> late = new ArrayList<>();
        for (long[] s : seen) {
            long stamp = s[0];
            int pages = (int) s[1];
            if (pages == 0 || pages == calls) {
                continue;
            }
            growing++;
            if (begun[pages - 1] >= stamp) {
                late.add("call " + (pages - 1) + " began " + (begun[pages - 1] - stamp) + " ns after the stamp");
            }
        }
        assertTrue(growing >= 20, "only " + growing + " snapshots were taken while the mapping grew");
        assertTrue(late.isEmpty(), late.size() + " of " + growing + " snapshots hold a call begun after their stamps, e.g. "
                + late.subList(0, Math.min(3, late.size())));
    }

    private static long startTicks(int pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(after[22 - 3]);
    }

    private static SnapshotRegion region(int pid, ProcMaps.Line l, String vmFlags) {
        String perms = l.perms();
        int prot = (perms.charAt(0) == 'r' ? 1 : 0) | (perms.charAt(1) == 'w' ? 2 : 0) | (perms.charAt(2) == 'x' ? 4 : 0);
        return new SnapshotRegion(pid, l.start(), l.end(), prot, perms.charAt(3) == 's', l.offset(), l.devMajor(),
                l.devMinor(), l.inode(), l.path(), vmFlags);
    }

    /** The VmFlags of each VMA in /proc/PID/smaps, in order, as the kernel prints them. */
    private static List<String> vmFlags(int pid) throws java.io.IOException {
        return smapsFlags(Path.of("/proc/" + pid + "/smaps"));
    }

    private static List<String> smapsFlags(Path smaps) throws java.io.IOException {
        return Files.readAllLines(smaps, java.nio.charset.StandardCharsets.ISO_8859_1).stream()
                .filter(l -> l.startsWith("VmFlags:")).map(l -> l.substring("VmFlags:".length()).strip()).toList();
    }

    private static int indexOfSnapshot(List<UserRecord> records, int pid) {
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i) instanceof ProcSnapshot p && p.pid() == pid) {
                return i;
            }
        }
        return -1;
    }

    private static int pidOf(UserRecord r) {
        return switch (r) {
            case ProcSnapshot p -> p.pid();
            case SnapshotRegion s -> s.pid();
            default -> 0;
        };
    }
}
