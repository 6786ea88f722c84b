package dev.mapscribe.analyzer.replay;

import static dev.mapscribe.analyzer.replay.Recs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.derive.MemProtAlertEvent;
import dev.mapscribe.analyzer.derive.MmapExecEvent;
import dev.mapscribe.analyzer.derive.ProtAlerts;
import dev.mapscribe.analyzer.state.Region;
import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.KernelRecord.Hdr;
import dev.mapscribe.formats.raw.KernelRecord.MmapRecord;
import dev.mapscribe.formats.raw.KernelRecord.MprotectRecord;
import dev.mapscribe.formats.raw.KernelRecord.SyscallRecord;
import dev.mapscribe.formats.raw.Record;
import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import dev.mapscribe.formats.raw.UserRecord.Loss;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReplayerTest {
    static final FileRef APP = file("/usr/bin/app", 77);
    static final FileRef LIB = file("/usr/lib/libjit.so", 88);
    static final long VM_R = 1, VM_W = 2, VM_X = 4, VM_GROWSDOWN = 0x100;

    /** A process 100 that exec'd /usr/bin/app: text at 0x400000, stack below 0x7ffd2000. */
    static List<Record> started() {
        return new ArrayList<>(List.of(
                task(5, 100, 100, 1, 1000, "app"),
                exec(10, 100, "/usr/bin/app", "app", "-x"),
                vma(10, 100, 0, false, 0x400000, 0x401000, VM_R | VM_X, APP, 0),
                vma(10, 100, 1, true, 0x7ffd0000, 0x7ffd2000, VM_R | VM_W | VM_GROWSDOWN, null, 0)));
    }

    static CollectingSink replay(List<Record> records) {
        return replay(HEADER, records);
    }

    static CollectingSink replay(JournalHeader header, List<Record> records) {
        CollectingSink sink = new CollectingSink();
        Replayer r = new Replayer(header, sink);
        long batch = 0;
        for (Record rec : records) {
            r.accept(rec, batch++);
        }
        r.finish();
        return sink;
    }

    /**
     * The recorder writes the start-up snapshot once all of /proc is read, behind the kernel records drained meanwhile
     * (the demo's `sleep 0.1`: read 10 ms before it exited, its snapshot in the journal after its exit record).
     */
    static List<Record> snapshotBehindItsRecords() {
        return new ArrayList<>(List.of(
                HEADER,
                task(900, 303, 303, 1, 500, "jit"), // before its read: the snapshot shows this mapping
                mmap(950, 303, 0x20000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 0x20000),
                task(2000, 300, 300, 1, 500, "sleep"), // maps and exits after its read
                mmap(2050, 300, 0x30000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 0x30000),
                exit(2100, 300, 300, true),
                task(2200, 301, 301, 1, 500, "cat"), // maps after its read, still running at the end
                task(3000, 302, 302, 1, 500, "old"), // ended before its pid was read: the snapshot's 302 is another one
                exit(3100, 302, 302, true),
                snap(1000, 300, 1, 0, "sleep", "/usr/bin/sleep"), // read at 1000, while 300 lived
                line(300, 0x400000, 0x401000, R | X, "/usr/bin/sleep", 5, 0),
                snap(1100, 301, 1, 0, "cat", "/usr/bin/cat"),
                line(301, 0x500000, 0x501000, R | X, "/usr/bin/cat", 6, 0),
                snap(1200, 303, 1, 0, "jit", "/usr/bin/jit"),
                line(303, 0x20000, 0x21000, R | W, null, 0, 0),
                line(303, 0x600000, 0x601000, R | X, "/usr/bin/jit", 8, 0),
                snap(4000, 302, 1, 0, "new", "/usr/bin/new"), // read at 4000: a process that reused the pid
                line(302, 0x700000, 0x701000, R | X, "/usr/bin/new", 7, 0),
                mmap(5000, 301, 0x10000, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 0x10000)));
    }

    /** The header's time suspended sets a snapshot's start ticks (boot clock) back onto the records' clock. */
    @Test
    void aSnapshotsStartIsOnTheRecordsClockOnAHostThatWasSuspended() {
        long suspended = 3_600_000_000_000L; // an hour asleep before the recording
        JournalHeader h = new JournalHeader(1, "test", "host1", "machine1", "6.18.0", BOOT_UTC, "syscalls", "sha",
                BOOT_UTC + 1000, 1000, List.of("mapscribe", "record"), 1, 0, suspended);
        long startNs = 120_000_000_000L; // started 2 min after boot on the monotonic clock
        CollectingSink out = replay(h, List.of(h, snap(2000, 300, 1, (startNs + suspended) / 10_000_000, "cron",
                "/usr/sbin/cron")));
        assertEquals(startNs, only(out.processes, 300).startNs());
        // a journal that does not say is taken for a host that never slept
        CollectingSink old = replay(List.of(HEADER, snap(2000, 300, 1, startNs / 10_000_000, "cron", "/usr/sbin/cron")));
        assertEquals(startNs, only(old.processes, 300).startNs());
    }

    /** Each process's snapshot is replayed where its read falls among the records before it: as the kernel had it. */
    @Test
    void theSnapshotIsReplayedInItsPlaceAmongTheRecordsTheJournalHoldsBeforeIt() {
        CollectingSink out = new CollectingSink();
        Replayer replayer = new Replayer(HEADER, out);
        long batch = 0;
        for (Record rec : snapshotBehindItsRecords()) {
            replayer.accept(rec, batch++);
        }
        assertFalse(replayer.finish().snapshotLate());
        ProcessLifetime sleep = only(out.processes, 300);
        assertEquals("/usr/bin/sleep", sleep.exe());
        assertEquals("snapshot", sleep.source());
        assertTrue(sleep.memoryKnown(), "read while it lived: its memory is known to its end");
        assertEquals(2100L, sleep.exitNs());
        assertTrue(sleep.exitRecorded());
        assertEquals(List.of("30000-31000 rw-p", "400000-401000 r-xp /usr/bin/sleep"), out.regionsAt(300, 2080));
        assertEquals(List.of(), out.regionsAt(300, 2100), "nothing of it mapped after its exit");
        ProcessLifetime cat = only(out.processes, 301);
        assertTrue(cat.memoryKnown());
        assertEquals(List.of("10000-11000 rw-p", "500000-501000 r-xp /usr/bin/cat"), out.regionsAt(301, 6000));
        ProcessLifetime jit = only(out.processes, 303);
        assertEquals(List.of("20000-21000 rw-p", "600000-601000 r-xp /usr/bin/jit"), out.regionsAt(303, 6000));
        assertEquals(List.of("/usr/bin/new", "old"), out.processes.stream().filter(p -> p.pid() == 302)
                .map(p -> p.exe() != null ? p.exe() : p.comm()).sorted().toList(), "a pid read after its lifetime ended");
        // rows keep their records' journal positions (seq counts from 0): 303's mmap, held and replayed first; 300's,
        // held and replayed after the snapshot records that came after it; 301's, after the snapshot
        assertEquals(List.of(2L), out.syscalls.stream().filter(r -> r.pid() == 303).map(SyscallRow::seq).toList());
        assertEquals(List.of(4L), out.syscalls.stream().filter(r -> r.pid() == 300).map(SyscallRow::seq).toList());
        assertEquals(List.of(18L), out.syscalls.stream().filter(r -> r.pid() == 301).map(SyscallRow::seq).toList());
    }

    /**
     * When more records come before the snapshot than are held (a busy host's long walk), the rest is replayed in the
     * journal's order: a snapshot of a process that ended before it must not start a second lifetime that never ends.
     */
    @Test
    void aSnapshotReplayedAfterItsProcessEndedNamesThatLifetimeAndStartsNoOther() {
        CollectingSink out = new CollectingSink();
        Replayer r = new Replayer(HEADER, out, 0); // nothing held: journal order
        long batch = 0;
        for (Record rec : snapshotBehindItsRecords()) {
            r.accept(rec, batch++);
        }
        ReplayStats stats = r.finish();
        assertTrue(stats.snapshotLate(), "the summary says the snapshot came too late to be put in its place");
        // the summary's count of processes with memory partly unknown is the table's
        assertEquals(out.processes.stream().filter(p -> !p.memoryKnown()).count(), stats.memoryUnknown());
        assertTrue(stats.memoryUnknown() > 0);
        ProcessLifetime sleep = only(out.processes, 300);
        assertEquals("/usr/bin/sleep", sleep.exe(), "its name from the snapshot");
        assertEquals(List.of("/usr/bin/sleep"), sleep.argv());
        assertFalse(sleep.memoryKnown(), "met in its records first");
        assertEquals(2100L, sleep.exitNs());
        assertTrue(sleep.exitRecorded());
        assertTrue(out.regions.stream().noneMatch(v -> v.pid() == 300 && v.validToNs() == null),
                "nothing of it mapped after its exit");
        assertEquals(List.of("10000-11000 rw-p", "500000-501000 r-xp /usr/bin/cat"), out.regionsAt(301, 6000));
        assertEquals(List.of("/usr/bin/new", "old"), out.processes.stream().filter(p -> p.pid() == 302)
                .map(p -> p.exe() != null ? p.exe() : p.comm()).sorted().toList());
    }

    private static ProcessLifetime only(List<ProcessLifetime> rows, int pid) {
        List<ProcessLifetime> of = rows.stream().filter(p -> p.pid() == pid).toList();
        assertEquals(1, of.size(), "one lifetime of " + pid + ": " + of);
        return of.getFirst();
    }

    @Test
    void mapNoreserveKeepsAMappingApartUnlessTheHostIgnoresIt() {
        List<Record> rs = started();
        rs.add(mmap(20, 100, 0x10000, 2 * P, R | W, MAP_PRIVATE | MAP_ANON | MAP_FIXED | 0x4000, null, 0, 0x10000));
        rs.add(mmap(30, 100, 0x12000, 2 * P, R | W, MAP_PRIVATE | MAP_ANON | MAP_FIXED, null, 0, 0x12000));
        assertEquals(List.of("10000-12000 rw-p", "12000-14000 rw-p"), replay(rs).regionsAt(100, 40).subList(0, 2));
        // the flags column says which (MAP_NORESERVE 0x4000)
        assertEquals(List.of(0x4022, 0x22), replay(rs).regions.stream().filter(v -> v.start() >= 0x10000 && v.end() <= 0x14000)
                .map(RegionVersion::flags).toList());
        // vm.overcommit_memory 2: the kernel ignores MAP_NORESERVE, and the two are one VMA
        JournalHeader never = new JournalHeader(1, "test", "host1", "machine1", "6.18.0", BOOT_UTC, "syscalls", "sha",
                BOOT_UTC + 1000, 1000, List.of("mapscribe", "record"), 1, JournalHeader.OVERCOMMIT_NEVER);
        assertEquals(List.of("10000-14000 rw-p"), replay(never, rs).regionsAt(100, 40).subList(0, 1));
    }

    @Test
    void aSystemVSegmentIsMappedAndDetachedAndOneTheRecorderCouldNotSeeIsUnknown() {
        List<Record> rs = started();
        FileRef seg = file("/SYSV00000000", 32768);
        // shmat(shmid 32768, NULL, SHM_EXEC): read, write, exec; the segment 3 pages
        rs.add(shmat(20, 100, 32768, 0, 0100000, 3 * P, 7, seg, 0x20000));
        rs.add(new dev.mapscribe.formats.raw.KernelRecord.SyscallRecord(h(dev.mapscribe.formats.raw.RecordKind.SYSCALL, 30, 100, 100),
                67, new long[] {0x20000, 0, 0, 0, 0, 0}, 0)); // shmdt
        // an attach whose VMA the recorder could not look up: no file, no size
        rs.add(shmat(40, 100, 32768, 0, 0, 0, 3, null, 0x30000));
        CollectingSink s = replay(rs);
        assertTrue(s.regionsAt(100, 25).contains("20000-23000 rwxs /SYSV00000000"), s.regionsAt(100, 25).toString());
        assertTrue(s.regionsAt(100, 35).stream().noneMatch(l -> l.startsWith("20000-")), "detached");
        assertTrue(s.regionsAt(100, 45).contains("30000-31000 ????"), s.regionsAt(100, 45).toString());
        assertEquals("shmat", s.mmapExec.stream().filter(e -> e.addr() != null && e.addr() == 0x20000).findFirst().orElseThrow().via());
    }

    @Test
    void aProcessMemoryFileOpenedForWritingIsASyscallRowWithItsPath() {
        List<Record> rs = started();
        // openat(AT_FDCWD, "/proc/7950/mem", O_RDWR) = 5: the recorder names the file (MS_F_FILE)
        rs.add(new dev.mapscribe.formats.raw.KernelRecord.SyscallRecord(h(dev.mapscribe.formats.raw.RecordKind.SYSCALL, 30, 100, 100),
                257, new long[] {-100, 0x7ffd0000, 2, 0, 0, 0}, 5, 0, file("/proc/7950/mem", 88001)));
        SyscallRow open = replay(rs).syscalls.stream().filter(r -> r.nr() == 257).findFirst().orElseThrow();
        assertEquals("openat", open.name());
        assertEquals(List.of(-100L, 0x7ffd0000L, 2L, 0L), java.util.Arrays.stream(open.args()).boxed().toList());
        assertEquals(5L, open.ret());
        assertEquals("/proc/7950/mem", open.path());
        assertEquals(88001L, open.inode());
        assertEquals(7950, open.targetPid());
        assertNull(open.targetAddr());
    }

    @Test
    void readImpliesExecMakesPROT_READExecutableExceptOnANoexecMount() {
        List<Record> rs = started();
        // personality(READ_IMPLIES_EXEC): the recorder restates the task with its new personality before its next record
        rs.add(new KernelRecord.TaskRecord(h(dev.mapscribe.formats.raw.RecordKind.TASK, 20, 100, 100), 1, 1000, 1000, 1000,
                1000, 4026531841L, 1000, 1000, 5, "app", KernelRecord.TaskRecord.READ_IMPLIES_EXEC));
        rs.add(mmap(21, 100, 0, 0x2000, 3, 0x22, null, 0, 0x10000)); // RW anonymous: rwx, tracee's W+E alert
        FileRef lib = file("/opt/lib.so", 77);
        rs.add(mmap(22, 100, 0, 0x1000, 1, 0x2, lib, 0, 0x20000)); // a file PROT_READ: r-x, an mmap_exec row
        FileRef nx = new FileRef(78, 16384, 1_700_000_000L, 5, (8 << 20) | 1, 0100644, FileRef.NOEXEC, "/mnt/nx/f");
        rs.add(mmap(23, 100, 0, 0x1000, 1, 0x2, nx, 0, 0x30000)); // on a noexec mount: stays r--
        rs.add(mmap(24, 100, 0, 0x1000, 2, 0x22, null, 0, 0x40000)); // write-only: no PROT_READ, no PROT_EXEC
        rs.add(brk(25, 100, 0x602000, 0x600000, 0x602000)); // the heap grows rwx
        rs.add(new KernelRecord.TaskRecord(h(dev.mapscribe.formats.raw.RecordKind.TASK, 30, 100, 100), 1, 1000, 1000, 1000,
                1000, 4026531841L, 1000, 1000, 5, "app", 0)); // personality(PER_LINUX)
        rs.add(mmap(31, 100, 0, 0x1000, 1, 0x22, null, 0, 0x50000)); // r-- again
        rs.add(mprotect(32, 100, 0x10000, 0x1000, 1, 0)); // r--: the first page loses its exec
        CollectingSink s = replay(rs);
        assertEquals(List.of("10000-11000 r--p", "11000-12000 rwxp", "20000-21000 r-xp /opt/lib.so", "30000-31000 r--p /mnt/nx/f",
                "40000-41000 -w-p", "50000-51000 r--p", "600000-602000 rwxp [heap]"),
                s.regionsAt(100, 40).stream().filter(l -> !l.startsWith("400000-") && !l.startsWith("7ffd0000-")).sorted().toList());
        assertEquals(List.of(ProtAlerts.MMAP_W_X), s.alerts.stream().map(MemProtAlertEvent::alert).toList());
        assertEquals(7, s.alerts.getFirst().prot());
        List<MmapExecEvent> mapped = s.mmapExec.stream().filter(e -> e.tsNs() > 10).toList(); // not the exec's own
        assertEquals(List.of("/opt/lib.so"), mapped.stream().map(MmapExecEvent::mappedPath).toList());
        assertEquals(5, mapped.getFirst().prot(), "the protection the mapping got");
        assertEquals(1L, s.syscalls.stream().filter(r -> r.tsNs() == 22).findFirst().orElseThrow().args()[2], "the call's own");
    }

    @Test
    void aThirtyTwoBitCallIsMarkedOnItsRow() {
        List<Record> rs = started();
        // int 0x80 mmap2, recorded as the mmap it equals and flagged F_COMPAT; then a 64-bit mprotect of the same page
        rs.add(new dev.mapscribe.formats.raw.KernelRecord.MmapRecord(new Hdr(dev.mapscribe.formats.raw.RecordKind.MMAP.id(), 0, 0,
                KernelRecord.F_COMPAT, 20, 100, 100), 0, 0x1000, 3, 0x22, -1, 0, 0xf7ff0000L, null));
        rs.add(mprotect(21, 100, 0xf7ff0000L, 0x1000, 5, 0));
        CollectingSink s = replay(rs);
        List<SyscallRow> rows = s.syscalls.stream().filter(r -> r.tsNs() >= 20).toList();
        assertEquals(List.of("mmap", "mprotect"), rows.stream().map(SyscallRow::name).toList());
        assertEquals(List.of(true, false), rows.stream().map(SyscallRow::compat).toList());
        assertTrue(s.regionsAt(100, 30).contains("f7ff0000-f7ff1000 r-xp"), s.regionsAt(100, 30).toString());
    }

    @Test
    void anX32CallIsMarkedOnItsRowAndReplayedAsTheCallOfItsNumber() {
        List<Record> rs = started();
        // an x32 mmap (9 | 0x40000000) that the kernel ran, recorded as the 64-bit mmap and flagged F_X32; then an x32
        // mprotect that failed with ENOSYS (a kernel without x32): it changed nothing
        rs.add(new dev.mapscribe.formats.raw.KernelRecord.MmapRecord(new Hdr(dev.mapscribe.formats.raw.RecordKind.MMAP.id(), 0, 0,
                KernelRecord.F_X32, 20, 100, 100), 0, 0x1000, 3, 0x22, -1, 0, 0x40000000L, null));
        rs.add(new dev.mapscribe.formats.raw.KernelRecord.MprotectRecord(new Hdr(dev.mapscribe.formats.raw.RecordKind.MPROTECT.id(), 0, 0,
                KernelRecord.F_X32, 21, 100, 100), 0x40000000L, 0x1000, 7, -1, -38));
        CollectingSink s = replay(rs);
        List<SyscallRow> rows = s.syscalls.stream().filter(r -> r.tsNs() >= 20).toList();
        assertEquals(List.of("mmap", "mprotect"), rows.stream().map(SyscallRow::name).toList());
        assertEquals(List.of(true, true), rows.stream().map(SyscallRow::x32).toList());
        assertEquals(List.of(false, false), rows.stream().map(SyscallRow::compat).toList());
        assertEquals(List.of(false, true), rows.stream().map(SyscallRow::failed).toList());
        assertTrue(s.regionsAt(100, 30).contains("40000000-40001000 rw-p"), s.regionsAt(100, 30).toString());
        assertTrue(s.alerts.isEmpty(), "the failed mprotect raised nothing: " + s.alerts);
    }

    @Test
    void writesIntoAnotherProcessNameTheTargetAndWhereTheyBegan() {
        List<Record> rs = started();
        var sc = dev.mapscribe.formats.raw.RecordKind.SYSCALL;
        // write(5, buf, 16) = 16 into a thread's memory file, which began at 0x401000 (MS_F_ADDR, MS_F_FILE)
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, KernelRecord.F_ADDR | KernelRecord.F_FILE, 30, 100, 100), 1, new long[] {5, 0x7ffd0000, 16, 0, 0, 0}, 16, 0x401000,
                file("/proc/7950/task/7951/mem", 88002)));
        // process_vm_writev(7950, local, 1, remote, 2, 0) = 32, the first remote iovec at 0x402000 (MS_F_ADDR)
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, KernelRecord.F_ADDR, 31, 100, 100), 311,
                new long[] {7950, 0x7ffd0000, 1, 0x7ffd1000, 2, 0}, 32, 0x402000, null));
        // ptrace(PTRACE_POKETEXT, 7950, 0x403000, data) = 0; ptrace(PTRACE_ATTACH, 7950) = 0; PTRACE_TRACEME
        rs.add(new SyscallRecord(h(sc, 32, 100, 100), 101, new long[] {4, 7950, 0x403000, 0x90, 0, 0}, 0));
        rs.add(new SyscallRecord(h(sc, 33, 100, 100), 101, new long[] {16, 7950, 0, 0, 0, 0}, 0));
        rs.add(new SyscallRecord(h(sc, 34, 100, 100), 101, new long[] {0, 0, 0, 0, 0, 0}, 0));
        // a thread of a process the recording knows (7960 and its thread 7961): a POKEDATA into the thread is into 7960
        rs.add(task(35, 7960, 7960, 1, 2000, "target"));
        rs.add(fork(36, 7960, 7960, 7960, 7961, 2100, dev.mapscribe.formats.raw.KernelRecord.ForkRecord.THREAD
                | dev.mapscribe.formats.raw.KernelRecord.ForkRecord.VM));
        rs.add(new SyscallRecord(h(sc, 37, 100, 100), 101, new long[] {5, 7961, 0x404000, 0x90, 0, 0}, 0));
        List<SyscallRow> rows = replay(rs).syscalls.stream().filter(r -> r.tsNs() >= 30 && r.pid() == 100).toList();
        assertEquals(List.of("write", "process_vm_writev", "ptrace", "ptrace", "ptrace", "ptrace"), rows.stream().map(SyscallRow::name).toList());
        assertEquals(java.util.Arrays.asList(7950, 7950, 7950, 7950, null, 7960), rows.stream().map(SyscallRow::targetPid).toList());
        assertEquals(java.util.Arrays.asList(0x401000L, 0x402000L, 0x403000L, null, null, 0x404000L),
                rows.stream().map(SyscallRow::targetAddr).toList());
        assertEquals(3, rows.get(0).args().length, "write takes three arguments");
    }

    /**
     * MS_ORDER (the recorder's note that a call returned after another change of its address space): the parts of its
     * range that a change which returned after the thread's previous change touched become unknown (the call began
     * after that); a change that returned before it, or one elsewhere, leaves the call's result as it is. Thread 101 of
     * process 100 maps [0x40000, 0x41000) at 40, then [0x20000, 0x24000) RW at 50 (noted); thread 102's mprotect of a
     * page to RWX returned at 45 (after 101's previous change: maybe after its map too) or at 35 (before it), of a page
     * of 101's range or of another.
     */
    @Test
    void aCallOvertakenByAnOverlappingChangeLeavesThoseBytesUnknown() {
        var order = dev.mapscribe.formats.raw.RecordKind.ORDER;
        var kind = dev.mapscribe.formats.raw.RecordKind.MMAP;
        for (long mprotectAt : new long[] {45, 35}) {
            for (long page : new long[] {0x21000, 0x30000}) {
                List<Record> rs = started();
                rs.add(task(20, 100, 101, 1, 1000, "app"));
                rs.add(task(20, 100, 102, 1, 1000, "app"));
                rs.add(mmap(30, 100, 0x20000, 4 * P, R | W, MAP_PRIVATE | MAP_ANON | MAP_FIXED, null, 0, 0x20000));
                rs.add(mmap(31, 100, 0x30000, P, R | W, MAP_PRIVATE | MAP_ANON | MAP_FIXED, null, 0, 0x30000));
                MprotectRecord mprotect = new MprotectRecord(h(dev.mapscribe.formats.raw.RecordKind.MPROTECT, mprotectAt, 100, 102),
                        page, P, R | W | X, -1, 0);
                MmapRecord previous = new MmapRecord(h(kind, 40, 100, 101), 0x40000, P, R, MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0, 0x40000, null);
                rs.addAll(mprotectAt < 40 ? List.of(mprotect, previous) : List.of(previous, mprotect));
                rs.add(new KernelRecord.OrderRecord(h(order, 50, 100, 101), 0, 11));
                rs.add(new MmapRecord(h(kind, 50, 100, 101), 0x20000, 4 * P, R | W, MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0, 0x20000, null));
                CollectingSink sink = replay(rs);
                boolean doubt = mprotectAt == 45 && page == 0x21000;
                List<String> at60 = sink.regionsAt(100, 60).stream().filter(s -> s.startsWith("2") || s.startsWith("3")).toList();
                assertEquals(doubt ? List.of("20000-21000 rw-p", "21000-22000 ????", "22000-24000 rw-p", "30000-31000 " + (page == 0x30000 ? "rwxp" : "rw-p"))
                                : List.of("20000-24000 rw-p", "30000-31000 " + (page == 0x30000 ? "rwxp" : "rw-p")),
                        at60, "mprotect at " + mprotectAt + " of " + Long.toHexString(page));
                assertEquals(doubt ? List.of(LossRow.ORDER + " from 40") : List.of(),
                        sink.losses.stream().map(l -> l.source() + " from " + l.firstNs()).toList());
            }
        }
    }

    /**
     * A note that knows its call's lock counts the write locks completed between that lock and the call's return: the
     * last that many changes of other threads are the ones in doubt. Thread 102 mprotects a page of [0x20000, 0x24000)
     * at 45, thread 103 maps 0x50000 at 46, then thread 101's map of [0x20000, 0x24000) returns at 50 noting one lock
     * between (103's: nothing overlaps) or two (102's too).
     */
    @Test
    void aNoteThatKnowsItsLockDoubtsOnlyTheChangesAfterIt() {
        var kind = dev.mapscribe.formats.raw.RecordKind.MMAP;
        for (int between : new int[] {1, 2}) {
            List<Record> rs = started();
            for (int tid : new int[] {101, 102, 103}) rs.add(task(20, 100, tid, 1, 1000, "app"));
            rs.add(mmap(30, 100, 0x20000, 4 * P, R | W, MAP_PRIVATE | MAP_ANON | MAP_FIXED, null, 0, 0x20000));
            rs.add(new MprotectRecord(h(dev.mapscribe.formats.raw.RecordKind.MPROTECT, 45, 100, 102), 0x21000, P, R | W | X, -1, 0));
            rs.add(new MmapRecord(h(kind, 46, 100, 103), 0x50000, P, R, MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0, 0x50000, null));
            rs.add(new KernelRecord.OrderRecord(h(dev.mapscribe.formats.raw.RecordKind.ORDER, 50, 100, 101), 9, 9 + 1 + 2 * between));
            rs.add(new MmapRecord(h(kind, 50, 100, 101), 0x20000, 4 * P, R | W, MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0, 0x20000, null));
            CollectingSink sink = replay(rs);
            List<String> at60 = sink.regionsAt(100, 60).stream().filter(s -> s.startsWith("2")).toList();
            assertEquals(between == 2 ? List.of("20000-21000 rw-p", "21000-22000 ????", "22000-24000 rw-p") : List.of("20000-24000 rw-p"),
                    at60, between + " locks between");
        }
    }

    @Test
    void everyRangeAWriteIntoAProcessWroteIsAMemoryWritesRow() {
        List<Record> rs = started();
        var sc = dev.mapscribe.formats.raw.RecordKind.SYSCALL;
        int addr = KernelRecord.F_ADDR, ranges = KernelRecord.F_IOVECS | KernelRecord.F_ADDR, fileAddr = addr | KernelRecord.F_FILE;
        // write(5, buf, 16) = 16 into a memory file at 0x401000; pwritev(6, iov, 2, 0x405000) = -EIO
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, fileAddr, 30, 100, 100), 1, new long[] {5, 0x7ffd0000, 16, 0, 0, 0}, 16,
                0x401000, file("/proc/7950/mem", 88002)));
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, fileAddr | KernelRecord.F_IOVECS, 31, 100, 100), 296,
                new long[] {6, 0x7ffd0000, 2, 0x405000, 0, 0}, -5, 0x405000, new long[] {0x405000, 24}, file("/proc/7950/mem", 88002)));
        // process_vm_writev(7950, local, 1, remote, 3, 0) = 20 over 8, 0 and 16 bytes: filled in order, 8, 0, 12; its
        // array read as the call began, and rewritten before it returned
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, ranges, 32, 100, 100), 311, new long[] {7950, 0x7ffd0000, 1, 0x7ffd1000, 3, 0},
                20, 0x402000, new long[] {0x402000, 8, 0x402100, 0, 0x402200, 16},
                SyscallRecord.RANGES_AT_ENTRY | SyscallRecord.RANGES_CHANGED, null, null, null));
        // ... naming 70 remote iovecs of which the recording holds 2 (the kernel program reads at most 64), read as it began
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, ranges, 33, 100, 100), 311, new long[] {7950, 0x7ffd0000, 1, 0x7ffd1000, 70, 0},
                2, 0x406000, new long[] {0x406000, 1, 0x406001, 1}, SyscallRecord.RANGES_AT_ENTRY, null, null, null));
        // ... one at an unmapped page (EFAULT: nothing written); one whose array the kernel program could not read
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, ranges, 34, 100, 100), 311, new long[] {7950, 0x7ffd0000, 1, 0x7ffd1000, 1, 0},
                -14, 0x1000, new long[] {0x1000, 8}, null));
        rs.add(new SyscallRecord(h(sc, 35, 100, 100), 311, new long[] {7950, 0x7ffd0000, 1, 8, 2, 0}, -14));
        // ... as an older recorder wrote it: the first base alone
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, addr, 36, 100, 100), 311, new long[] {7950, 0x7ffd0000, 1, 0x7ffd1000, 2, 0},
                32, 0x407000, null));
        // ptrace(PTRACE_POKETEXT, 7950, 0x403000, data) = 0; PTRACE_ATTACH writes no memory
        rs.add(new SyscallRecord(h(sc, 37, 100, 100), 101, new long[] {4, 7950, 0x403000, 0x90, 0, 0}, 0));
        rs.add(new SyscallRecord(h(sc, 38, 100, 100), 101, new long[] {16, 7950, 0, 0, 0, 0}, 0));
        // an io_uring write of 16 bytes at 0x404000, recorded as submitted (no result); an open of the file writes nothing
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, KernelRecord.F_ENTER_ONLY | fileAddr, 39, 100, 100),
                SyscallRecord.NR_IO_URING + 23, new long[] {5, 0x7ffd0000, 16, 0x404000, 0, 0}, 0, 0x404000, file("/proc/7950/mem", 88002)));
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, KernelRecord.F_FILE, 40, 100, 100), 257, new long[] {-100, 0x7ffd0000, 2, 0, 0, 0},
                7, 0, file("/proc/7950/mem", 88002)));
        // an io_uring writev of 2 iovecs, 40 bytes in all, at the file position 0x408000; a writev whose iovecs were not read
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, KernelRecord.F_ENTER_ONLY | fileAddr | KernelRecord.F_IOVECS, 41, 100, 100),
                SyscallRecord.NR_IO_URING + 2, new long[] {5, 0x7ffd0000, 2, -1, 0, 0}, 0, 0x408000, new long[] {0x408000, 40},
                file("/proc/7950/mem", 88002)));
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, fileAddr, 42, 100, 100), 20, new long[] {5, 0x7ffd0000, 100, 0, 0, 0}, 16,
                0x409000, file("/proc/7950/mem", 88002)));
        CollectingSink sink = replay(rs);
        List<String> rows = sink.memoryWrites.stream().map(w -> w.tsNs() + " " + w.syscall() + " " + w.targetPid() + " #" + w.part() + " "
                + (w.addr() == null ? "?" : Long.toHexString(w.addr())) + " len " + w.len() + " written " + w.written()
                + (w.failed() ? " failed" : "") + " unrecorded " + w.partsUnrecorded() + " iovecs " + w.iovecsRead() + "/"
                + w.iovecsChanged()).toList();
        assertEquals(List.of(
                "30 write 7950 #0 401000 len 16 written 16 unrecorded 0 iovecs null/null",
                "31 pwritev 7950 #0 405000 len 24 written 0 failed unrecorded 0 iovecs return/null",
                "32 process_vm_writev 7950 #0 402000 len 8 written 8 unrecorded 0 iovecs entry/true",
                "32 process_vm_writev 7950 #1 402100 len 0 written 0 unrecorded 0 iovecs entry/true",
                "32 process_vm_writev 7950 #2 402200 len 16 written 12 unrecorded 0 iovecs entry/true",
                "33 process_vm_writev 7950 #0 406000 len 1 written 1 unrecorded 68 iovecs entry/false",
                "33 process_vm_writev 7950 #1 406001 len 1 written 1 unrecorded 68 iovecs entry/false",
                "34 process_vm_writev 7950 #0 1000 len 8 written 0 failed unrecorded 0 iovecs return/null",
                "35 process_vm_writev 7950 #0 ? len null written null failed unrecorded 2 iovecs null/null",
                "36 process_vm_writev 7950 #0 407000 len null written null unrecorded 1 iovecs null/null",
                "37 ptrace 7950 #0 403000 len 8 written 8 unrecorded 0 iovecs null/null",
                "39 io_uring_write 7950 #0 404000 len 16 written null unrecorded 0 iovecs null/null",
                "41 io_uring_writev 7950 #0 408000 len 40 written null unrecorded 0 iovecs return/null",
                "42 writev 7950 #0 409000 len null written 16 unrecorded 0 iovecs null/null"), rows);
        // each row names its call: the syscalls row with the same seq
        for (MemoryWriteRow w : sink.memoryWrites) {
            assertEquals(List.of(w.syscall()), sink.syscalls.stream().filter(r -> r.seq() == w.seq()).map(SyscallRow::name).toList());
        }
    }

    /** Format 6: the recorder writes an io_uring write request's completion too. */
    private static final JournalHeader V6 = new JournalHeader(6, "test", "host1", "machine1", "6.18.0", BOOT_UTC, "syscalls",
            "sha", BOOT_UTC + 1000, 1000, List.of("mapscribe", "record"), 1);

    /** An IORING_OP_WRITE's record at time t by thread tid: its submission (flags with F_ENTER_ONLY) or completion. */
    private static SyscallRecord uringWrite(long t, int tid, int flags, long[] args, long ret, long at, FileRef file) {
        return new SyscallRecord(new Hdr(dev.mapscribe.formats.raw.RecordKind.SYSCALL.id(), 0, 0, flags, t, 100, tid),
                SyscallRecord.NR_IO_URING + 23, args, ret, at, file);
    }

    private static final int SUBMITTED = KernelRecord.F_ENTER_ONLY | KernelRecord.F_ADDR | KernelRecord.F_FILE,
            COMPLETED = KernelRecord.F_ADDR | KernelRecord.F_FILE;

    @Test
    void anIoUringWriteRequestsRowSaysWhatItsCompletionReports() {
        long skip = 1 << 6; // IOSQE_CQE_SKIP_SUCCESS: no completion if it succeeds
        FileRef mem = file("/proc/7950/mem", 88002), other = file("/proc/7951/mem", 88003);
        List<Record> subs = started();
        subs.add(uringWrite(30, 100, SUBMITTED, new long[] {5, 0x7ffd0000, 16, 0x404000, 0, 0}, 0, 0x404000, mem));
        subs.add(uringWrite(31, 100, SUBMITTED, new long[] {5, 0x7ffd0000, 8, 0x1000, 0, 0}, 0, 0x1000, mem));
        // two identical requests in flight at once; one that posts no completion when it succeeds, and one that fails
        for (long t : new long[] {32, 33}) {
            subs.add(uringWrite(t, 100, SUBMITTED, new long[] {6, 0x7ffd0000, 4, 0x405000, 0, 0}, 0, 0x405000, mem));
        }
        subs.add(uringWrite(34, 100, SUBMITTED, new long[] {5, 0x7ffd0000, 16, 0x406000, 0, skip}, 0, 0x406000, mem));
        subs.add(uringWrite(35, 100, SUBMITTED, new long[] {5, 0x7ffd0000, 2, 0x407000, 0, 0}, 0, 0x407000, mem));
        subs.add(uringWrite(36, 100, SUBMITTED, new long[] {5, 0x7ffd0000, 16, 0x408000, 0, skip}, 0, 0x408000, mem));
        List<Record> rs = new ArrayList<>(subs);
        // completions (of the ring's worker, thread 101), in another order: the one at 0x1000 failed (EIO), the first
        // wrote 16 bytes, the identical ones 4 and 3, the one with IOSQE_CQE_SKIP_SUCCESS that failed (it posts a
        // completion then); the one at 0x407000 never completes
        long[][] done = {{0x1000, -5}, {0x404000, 16}, {0x405000, 4}, {0x405000, 3}, {0x408000, -5}};
        long t = 40;
        for (long[] d : done) {
            rs.add(uringWrite(t++, 101, COMPLETED, new long[] {0, 0x7ffd0000, 4, d[0], 0, 0}, d[1], d[0], mem));
        }
        // completions no submission names: a write through a registered slot its chain filled with a memory file
        // (submitted naming the slot's earlier file), and one whose submission's record was lost
        rs.add(uringWrite(45, 101, COMPLETED, new long[] {0, 0x7ffd0000, 8, 0x409000, 0, 1}, 8, 0x409000, mem));
        rs.add(uringWrite(46, 101, COMPLETED, new long[] {0, 0x7ffd0000, 8, 0x404000, 0, 0}, 8, 0x404000, other));
        CollectingSink sink = replay(V6, rs);
        List<String> rows = sink.memoryWrites.stream().map(w -> w.tsNs() + " " + w.targetPid() + " "
                + Long.toHexString(w.addr()) + " len " + w.len() + " written " + w.written() + (w.failed() ? " failed" : "")).toList();
        assertEquals(List.of(
                "31 7950 1000 len 8 written 0 failed",
                "30 7950 404000 len 16 written 16",
                "32 7950 405000 len 4 written 4",
                "33 7950 405000 len 4 written 3",
                "36 7950 408000 len 16 written 0 failed",
                "45 7950 409000 len null written 8", // rows of their own: their length by then is not what was asked
                "46 7951 404000 len null written 8",
                "34 7950 406000 len 16 written null", // no completion: at the journal's end, the result unknown
                "35 7950 407000 len 2 written null"), rows);
        // every record a syscalls row: the completions with their results, their files' targets and starts
        List<SyscallRow> calls = sink.syscalls.stream().filter(r -> r.tsNs() >= 30).toList();
        assertEquals(java.util.Arrays.asList(null, null, null, null, null, null, null, -5L, 16L, 4L, 3L, -5L, 8L, 8L),
                calls.stream().map(SyscallRow::ret).toList());
        assertEquals(java.util.Collections.nCopies(13, 7950), calls.subList(0, 13).stream().map(SyscallRow::targetPid).toList());
        assertEquals(7951, calls.get(13).targetPid());
        assertEquals(0x1000L, calls.get(7).targetAddr());
        assertTrue(calls.get(7).failed());
        // each row names a record of its write: the syscalls row with the same seq
        for (MemoryWriteRow w : sink.memoryWrites) {
            assertEquals(List.of(w.tsNs()), sink.syscalls.stream().filter(r -> r.seq() == w.seq()).map(SyscallRow::tsNs).toList());
        }
        // an older journal has no completions: each request's row comes at once, without a result
        assertEquals(List.of(30L, 31L, 32L, 33L, 34L, 35L, 36L),
                replay(subs).memoryWrites.stream().map(MemoryWriteRow::tsNs).toList());
    }

    @Test
    void ioUringWriteRequestsWaitForTheirCompletionsInBoundedNumber() {
        FileRef mem = file("/proc/7950/mem", 88002);
        List<Record> rs = started();
        // a request, then as many more as may wait (successful IOSQE_CQE_SKIP_SUCCESS requests, which post no
        // completion): the first is let go, its row written without a result, so its late completion pairs with nothing
        int n = UringWritesInFlight.MAX_WAITING + 1;
        for (int i = 0; i < n; i++) {
            long at = 0x500000 + 8L * i;
            rs.add(uringWrite(1000 + i, 100, SUBMITTED, new long[] {5, 0x7ffd0000, 8, at, 0, i == 0 ? 0 : 1 << 6}, 0, at, mem));
        }
        rs.add(uringWrite(9000, 100, COMPLETED, new long[] {0, 0x7ffd0000, 8, 0x500000, 0, 0}, 8, 0x500000, mem));
        List<MemoryWriteRow> rows = replay(V6, rs).memoryWrites;
        assertEquals(n + 1, rows.size());
        assertEquals(List.of(1000L, 9000L), rows.subList(0, 2).stream().map(MemoryWriteRow::tsNs).toList(),
                "the first let go at once, then its completion's own row");
        assertNull(rows.get(0).written());
        assertEquals(8L, rows.get(1).written());
        assertNull(rows.get(1).len(), "a completion's own row");
    }

    @Test
    void anIoUringWriteRequestNamesItsTargetAndHasNoResult() {
        List<Record> rs = started();
        var sc = dev.mapscribe.formats.raw.RecordKind.SYSCALL;
        int flags = KernelRecord.F_ENTER_ONLY | KernelRecord.F_ADDR | KernelRecord.F_FILE;
        // IORING_OP_WRITE (23) of 16 bytes at offset 0x401000 to fd 5, /proc/7950/mem, recorded as submitted
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, flags, 30, 100, 100), SyscallRecord.NR_IO_URING + 23,
                new long[] {5, 0x7ffd0000, 16, 0x401000, 0, 0}, 0, 0x401000, file("/proc/7950/mem", 88002)));
        // IORING_OP_WRITEV_FIXED (61) through registered file 0 (IOSQE_FIXED_FILE) at the file position 0x402000
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, flags, 31, 100, 100), SyscallRecord.NR_IO_URING + 61,
                new long[] {0, 0x7ffd0000, 1, -1, 0, 1}, 0, 0x402000, file("/proc/7950/task/7951/mem", 88003)));
        // IORING_OP_OPENAT (18) of /proc/7950/mem for writing, as it completed in the ring's worker 101: fd 7
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, KernelRecord.F_FILE, 32, 100, 101), SyscallRecord.NR_IO_URING + 18,
                new long[] {-100, 0, 0100002, 0, 0, 0}, 7, 0, file("/proc/7950/mem", 88002)));
        List<SyscallRow> rows = replay(rs).syscalls.stream().filter(r -> r.tsNs() >= 30 && r.pid() == 100).toList();
        assertEquals(List.of("io_uring_write", "io_uring_writev_fixed", "io_uring_openat"), rows.stream().map(SyscallRow::name).toList());
        assertEquals(List.of(7950, 7950, 7950), rows.stream().map(SyscallRow::targetPid).toList());
        assertEquals(java.util.Arrays.asList(0x401000L, 0x402000L, null), rows.stream().map(SyscallRow::targetAddr).toList());
        assertEquals(java.util.Arrays.asList(null, null, 7L), rows.stream().map(SyscallRow::ret).toList(),
                "the writes' results not recorded, the open's fd");
        assertEquals(6, rows.get(1).args().length, "the SQE's six fields");
        assertEquals(-1, rows.get(1).args()[3], "off -1: at the file position");
    }

    @Test
    void anIoUringMadviseChangesTheRegionsWhenItsResultWasRecorded() {
        List<Record> rs = started();
        var sc = dev.mapscribe.formats.raw.RecordKind.SYSCALL;
        int madvise = SyscallRecord.NR_IO_URING + 25;
        // MADV_DONTDUMP (16) over the stack's second page, as it completed (ret 0) in the ring's worker thread 101
        rs.add(new SyscallRecord(h(sc, 30, 100, 101), madvise, new long[] {0x7ffd1000, 0x1000, 16, 0, 0, 0}, 0));
        // MADV_DODUMP (17) over it with IOSQE_CQE_SKIP_SUCCESS, as it was submitted: no result, nothing applied
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, KernelRecord.F_ENTER_ONLY, 31, 100, 100), madvise,
                new long[] {0x7ffd1000, 0x1000, 17, 0, 0, 64}, 0));
        CollectingSink s = replay(rs);
        assertEquals(List.of("400000-401000 r-xp /usr/bin/app", "7ffd0000-7ffd1000 rw-p [stack]", "7ffd1000-7ffd2000 rw-p [stack]"),
                s.regionsAt(100, 32), "split by the DONTDUMP, not merged back by a DODUMP whose result is unknown");
        List<SyscallRow> rows = s.syscalls.stream().filter(r -> r.tsNs() >= 30).toList();
        assertEquals(List.of("io_uring_madvise", "io_uring_madvise"), rows.stream().map(SyscallRow::name).toList());
        assertEquals(java.util.Arrays.asList(0L, null), rows.stream().map(SyscallRow::ret).toList());
    }

    @Test
    void aNumaPolicyKeepsPagesApartUntilTheirPoliciesAreEqual() {
        List<Record> rs = started();
        var sc = dev.mapscribe.formats.raw.RecordKind.SYSCALL;
        int policy = KernelRecord.F_POLICY, mbind = 237, homeNode = 450;
        var bind1 = new KernelRecord.Policy(2, 0, -1, 1, 0xff); // MPOL_BIND on node 0, as the VMA keeps it (cpuset's nodes after)
        // mbind of the stack's second page: a region of its own
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, policy, 30, 100, 100), mbind, new long[] {0x7ffd1000, 0x1000, 2, 0x7ffe0000, 64, 0},
                0, 0, null, bind1, null));
        // its home node set to 0: then the first page gets the same policy without a home node (apart still)
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, policy, 31, 100, 100), homeNode, new long[] {0x7ffd1000, 0x1000, 0, 0, 0, 0},
                0, 0, null, new KernelRecord.Policy(2, 0, 0, 1, 0xff), null));
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, policy, 32, 100, 100), mbind, new long[] {0x7ffd0000, 0x1000, 2, 0x7ffe0000, 64, 0},
                0, 0, null, new KernelRecord.Policy(2, 0, -1, 1, 0x3), null)); // another cpuset: not compared
        // the home node over both: equal policies, one region again
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, policy, 33, 100, 100), homeNode, new long[] {0x7ffd0000, 0x2000, 0, 0, 0, 0},
                0, 0, null, new KernelRecord.Policy(2, 0, 0, 1, 0x3), null));
        // a failed mbind changes nothing
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, 0, 34, 100, 100), mbind, new long[] {0x7ffd0000, 0x1000, 0, 0, 0, 0}, -22));
        CollectingSink s = replay(rs);
        String stack = "7ffd0000-7ffd2000 rw-p [stack]", first = "7ffd0000-7ffd1000 rw-p [stack]", second = "7ffd1000-7ffd2000 rw-p [stack]";
        assertEquals(List.of("400000-401000 r-xp /usr/bin/app", first, second), s.regionsAt(100, 30), "the bound page apart");
        assertEquals(List.of("400000-401000 r-xp /usr/bin/app", first, second), s.regionsAt(100, 32), "the home node differs");
        assertEquals(List.of("400000-401000 r-xp /usr/bin/app", stack), s.regionsAt(100, 33), "equal policies merge");
        assertEquals(List.of("400000-401000 r-xp /usr/bin/app", stack), s.regionsAt(100, 34));
        assertEquals(List.of("mbind", "set_mempolicy_home_node", "mbind", "set_mempolicy_home_node", "mbind"),
                s.syscalls.stream().filter(r -> r.tsNs() >= 30).map(SyscallRow::name).toList());
    }

    @Test
    void execBuildsTheAddressSpaceFromTheKernelWalk() {
        CollectingSink s = replay(started());
        assertEquals(List.of("400000-401000 r-xp /usr/bin/app", "7ffd0000-7ffd2000 rw-p [stack]"), s.regionsAt(100, 20));
        MmapExecEvent binary = s.mmapExec.getFirst();
        assertEquals("execve", binary.via());
        assertEquals("/usr/bin/app", binary.mappedPath());
        assertEquals("app -x", binary.commandLine());
    }

    @Test
    void mmapExecOfAFileCarriesTheKernelsAddressAndTheRecordersHashes() {
        List<Record> rs = started();
        rs.add(mmap(20, 100, 0, 3 * P, R | X, MAP_PRIVATE, LIB, 0, 0x7f0000000000L));
        rs.add(info(30, LIB, "abc123"));
        CollectingSink s = replay(rs);
        MmapExecEvent e = s.mmapExec.getFirst();
        assertEquals("mmap", e.via(), "released as soon as its file info came; the binary's waited till the end");
        assertEquals(0x7f0000000000L, e.addr());
        assertEquals(3 * P, e.len());
        assertTrue(e.success());
        assertEquals("abc123", e.sha256());
        assertEquals("/usr/lib/libjit.so", e.mappedPath());
        assertEquals("/usr/bin/app", e.exe());
        assertEquals(BOOT_UTC + 20, e.utcNs());
        assertEquals("host1", e.host());
        assertEquals(100, e.task().pid());
    }

    @Test
    void aFailedExecMappingIsARowMarkedFailed() {
        List<Record> rs = started();
        rs.add(mmap(20, 100, 0x10000, P, R | X, MAP_PRIVATE | MAP_FIXED, LIB, 0, -13));
        CollectingSink s = replay(rs);
        MmapExecEvent e = s.mmapExec.get(1);
        assertFalse(e.success());
        assertNull(e.addr());
        assertEquals(13, e.errno());
        assertEquals("no file info recorded for this file", e.error());
        assertEquals(13, s.syscalls.getLast().errno());
    }

    @Test
    void anonymousWxMappingRaisesTheMmapAlertButIsNoMmapExec() {
        List<Record> rs = started();
        rs.add(mmap(20, 100, 0, P, R | W | X, MAP_PRIVATE | MAP_ANON, null, 0, 0x50000));
        CollectingSink s = replay(rs);
        assertEquals(1, s.mmapExec.size(), "only the exec'd binary");
        MemProtAlertEvent a = s.alerts.getFirst();
        assertEquals(ProtAlerts.MMAP_W_X, a.alert());
        assertEquals(0x50000, a.addr());
        assertEquals(P, a.len());
        assertNull(a.prevProt());
    }

    @Test
    void mprotectFlipsRaiseTraceesAlertsWithThePreviousProtection() {
        List<Record> rs = started();
        rs.add(mmap(20, 100, 0, 2 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 0x50000));
        rs.add(mprotect(30, 100, 0x50000, P, R | X, 0));         // rw- -> r-x
        rs.add(mprotect(40, 100, 0x50000, P, R | W | X, 0));     // r-x -> rwx
        rs.add(mprotect(50, 100, 0x50000, P, R | X, 0));         // rwx -> r-x
        rs.add(mprotect(60, 100, 0x50000, 2 * P, R | X, -12));   // failed: no alert
        CollectingSink s = replay(rs);
        assertEquals(List.of(ProtAlerts.MPROT_X_ADD, ProtAlerts.MPROT_W_ADD, ProtAlerts.MPROT_W_REM),
                s.alerts.stream().map(MemProtAlertEvent::alert).toList());
        assertEquals(List.of(R | W, R | X, R | W | X), s.alerts.stream().map(MemProtAlertEvent::prevProt).toList());
        assertEquals(12, s.syscalls.getLast().errno());
    }

    @Test
    void oneAlertPerRegionTheCallTouchesWithRegionAndCallExtents() {
        List<Record> rs = started();
        rs.add(mmap(20, 100, 0x50000, P, R | W, MAP_PRIVATE | MAP_ANON | MAP_FIXED, null, 0, 0x50000));
        rs.add(mmap(21, 100, 0x51000, 2 * P, R, MAP_PRIVATE | MAP_FIXED, LIB, 0, 0x51000));
        rs.add(mprotect(30, 100, 0x50000, 2 * P + 1, R | X, 0));
        CollectingSink s = replay(rs);
        assertEquals(2, s.alerts.size());
        MemProtAlertEvent anon = s.alerts.get(0), lib = s.alerts.get(1);
        assertEquals(List.of(0x50000L, P, (long) (R | W)), List.of(anon.addr(), anon.len(), (long) anon.prevProt()));
        assertEquals(List.of(0x51000L, 2 * P, (long) R), List.of(lib.addr(), lib.len(), (long) lib.prevProt()));
        assertEquals("/usr/lib/libjit.so", lib.pathname());
        assertEquals(88L, lib.inode());
        assertEquals(0x50000, lib.syscallAddr());
        assertEquals(2 * P + 1, lib.syscallLen());
        assertEquals("mprotect", lib.syscall());
    }

    @Test
    void theRegionsTableIsTemporal() {
        List<Record> rs = started();
        rs.add(mmap(20, 100, 0, 2 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 0x50000));
        rs.add(mprotect(30, 100, 0x51000, P, R, 0));
        CollectingSink s = replay(rs);
        assertTrue(s.regionsAt(100, 25).contains("50000-52000 rw-p"));
        assertTrue(s.regionsAt(100, 35).containsAll(List.of("50000-51000 rw-p", "51000-52000 r--p")));
        RegionVersion closed = s.regions.stream().filter(v -> v.start() == 0x50000 && v.end() == 0x52000).findFirst().orElseThrow();
        assertEquals(20, closed.validFromNs());
        assertEquals(30L, closed.validToNs());
        RegionVersion open = s.regions.stream().filter(v -> v.start() == 0x51000).findFirst().orElseThrow();
        assertNull(open.validToNs());
        assertEquals(List.of("mmap", "mprotect"), List.of(closed.cause(), open.cause()));
        assertEquals(MAP_PRIVATE | MAP_ANON, open.flags());
        assertTrue(open.known());
        assertEquals("exec", s.regions.stream().filter(v -> v.start() == 0x400000).findFirst().orElseThrow().cause());
    }

    @Test
    void forkGivesTheChildACopyReportedUnderItsOwnPid() {
        List<Record> rs = started();
        rs.add(mmap(20, 100, 0, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 0x50000));
        rs.add(fork(30, 100, 100, 200, 200, 3000, 0));
        rs.add(munmap(40, 200, 0x50000, P, 0));
        CollectingSink s = replay(rs);
        assertTrue(s.regionsAt(100, 50).contains("50000-51000 rw-p"));
        assertFalse(s.regionsAt(200, 50).contains("50000-51000 rw-p"));
        assertTrue(s.regionsAt(200, 50).contains("400000-401000 r-xp /usr/bin/app"));
        ProcessLifetime child = s.processes.stream().filter(p -> p.pid() == 200).findFirst().orElseThrow();
        assertEquals("fork", child.source());
        assertEquals(100, child.ppid());
        assertEquals("/usr/bin/app", child.exe());
    }

    @Test
    void regionVersionsCarryTheOwnersCommWhenTheyBegan() {
        List<Record> rs = started();                                                      // comm "app"
        rs.add(mmap(20, 100, 0, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 0x50000));
        rs.add(task(25, 100, 100, 1, 1000, "renamed"));                                   // prctl(PR_SET_NAME)
        rs.add(mprotect(30, 100, 0x50000, P, R, 0));
        rs.add(fork(35, 100, 100, 200, 200, 3000, 0x2 /* VM */));                         // a vfork child
        rs.add(task(36, 200, 200, 100, 3000, "child"));
        rs.add(mmap(40, 200, 0, P, R, MAP_PRIVATE | MAP_ANON, null, 0, 0x60000));         // lands in the parent's map
        CollectingSink s = replay(rs);
        Map<Long, String> commByStart = new TreeMap<>();
        for (RegionVersion v : s.regions) {
            if (v.start() >= 0x50000 && v.start() < 0x70000) commByStart.merge(v.start(), v.validFromNs() + ":" + v.comm(), (a, b) -> a + " " + b);
        }
        assertEquals(Map.of(0x50000L, "20:app 30:renamed", 0x60000L, "40:renamed"), commByStart,
                "a version keeps the name of its owner when it began; a CLONE_VM child's rename is not the owner's");
        assertEquals("app", s.regions.stream().filter(v -> v.start() == 0x400000).findFirst().orElseThrow().comm());
    }

    @Test
    void threadsShareTheirProcessAddressSpace() {
        List<Record> rs = started();
        rs.add(fork(20, 100, 100, 100, 101, 2000, 0x3 /* THREAD|VM */));
        rs.add(new dev.mapscribe.formats.raw.KernelRecord.MmapRecord(h(dev.mapscribe.formats.raw.RecordKind.MMAP, 30, 100, 101),
                0, P, R | W, MAP_PRIVATE | MAP_ANON, -1, 0, 0x50000, null));
        CollectingSink s = replay(rs);
        assertTrue(s.regionsAt(100, 40).contains("50000-51000 rw-p"));
        assertEquals(1, s.processes.size());
    }

    @Test
    void aVforkChildSharesTheMapUntilItExecs() {
        List<Record> rs = started();
        rs.add(fork(20, 100, 100, 300, 300, 3000, 0x2 /* VM */));
        rs.add(mmap(25, 300, 0, P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 0x50000));
        rs.add(exec(30, 300, "/bin/sh", "sh", "-c", "true"));
        rs.add(vma(30, 300, 0, true, 0x500000, 0x501000, VM_R | VM_X, file("/bin/sh", 99), 0));
        rs.add(munmap(40, 300, 0x500000, P, 0));
        CollectingSink s = replay(rs);
        assertTrue(s.regionsAt(100, 50).contains("50000-51000 rw-p"), "the child's mmap went into the shared map");
        assertTrue(s.regionsAt(100, 50).contains("400000-401000 r-xp /usr/bin/app"), "the child's exec left the parent's map");
        assertEquals(List.of("500000-501000 r-xp /bin/sh"), s.regionsAt(300, 35));
        assertEquals(List.of(), s.regionsAt(300, 45));
    }

    @Test
    void exitEndsTheProcessAndItsRegions() {
        List<Record> rs = started();
        rs.add(exit(90, 100, 100, true));
        CollectingSink s = replay(rs);
        ProcessLifetime p = s.processes.getFirst();
        assertEquals(90L, p.exitNs());
        assertTrue(p.exitRecorded());
        assertTrue(p.memoryKnown());
        assertEquals("/usr/bin/app", p.exe());
        assertTrue(s.regions.stream().allMatch(v -> v.validToNs() != null && v.validToNs() == 90));
    }

    @Test
    void aReusedPidIsANewProcess() {
        List<Record> rs = started();
        rs.add(task(50, 100, 100, 1, 5000, "other"));
        CollectingSink s = replay(rs);
        assertEquals(2, s.processes.size());
        ProcessLifetime first = s.processes.getFirst();
        assertEquals(1000, first.startNs());
        assertEquals(50L, first.exitNs());
        assertFalse(first.exitRecorded());
        assertEquals(5000, s.processes.get(1).startNs());
        assertFalse(s.processes.get(1).memoryKnown());
    }

    @Test
    void aProcessFromBeforeTheRecordingHasUnknownMemoryAndAlertsWithoutPreviousProtection() {
        List<Record> rs = new ArrayList<>(List.of(
                task(5, 400, 400, 1, 100, "old"),
                mprotect(10, 400, 0x50000, P, R | X, 0)));
        CollectingSink s = replay(rs);
        MemProtAlertEvent a = s.alerts.getFirst();
        assertEquals(ProtAlerts.MPROT_X_ADD, a.alert());
        assertNull(a.prevProt());
        assertTrue(s.regionsAt(400, 20).contains("50000-51000 r-x?"));
        assertTrue(s.regionsAt(400, 20).contains("0-50000 ????"));
        assertFalse(s.processes.getFirst().memoryKnown());
    }

    @Test
    void theSnapshotSeedsProcessesAndRegions() {
        long t = 3_000_000_000L; // the snapshot runs 3 s after boot; the daemon started at 2 s (200 ticks)
        List<Record> rs = new ArrayList<>(List.of(
                snap(t, 1, 0, 1, "init", "/sbin/init"),
                snap(t, 500, 1, 200, "daemon", "/usr/sbin/daemon"),
                line(500, 0x400000, 0x401000, R | X, "/usr/sbin/daemon", 55, 0),
                line(500, 0x600000, 0x621000, R | W, "[heap]", 0, 0),
                task(t + 5, 500, 500, 1, 2_004_000_000L, "daemon"),
                brk(t + 6, 500, 0x630000, 0x600000, 0x630000),
                mprotect(t + 7, 500, 0x400000, P, R | W | X, 0)));
        CollectingSink s = replay(rs);
        assertEquals(List.of("400000-401000 rwxp /usr/sbin/daemon", "600000-630000 rw-p [heap]"), s.regionsAt(500, t + 10),
                "the heap brk grew is one region with the heap the snapshot saw");
        MemProtAlertEvent a = s.alerts.getFirst();
        assertEquals(ProtAlerts.MPROT_W_ADD, a.alert());
        assertEquals(R | X, a.prevProt());
        ProcessLifetime daemon = s.processes.stream().filter(p -> p.pid() == 500).findFirst().orElseThrow();
        assertEquals("snapshot", daemon.source());
        assertEquals("/sbin/init", daemon.ancestors());
        assertEquals(2_004_000_000L, daemon.startNs(), "the kernel's start time replaces the snapshot's ticks");
        assertTrue(daemon.startExact());
        assertTrue(daemon.memoryKnown());
    }

    @Test
    void mremapAndBrkAreReplayed() {
        List<Record> rs = started();
        rs.add(mmap(20, 100, 0, 2 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 0x50000));
        rs.add(mremap(30, 100, 0x50000, 2 * P, 4 * P, 1, 0, 0x90000));
        rs.add(brk(40, 100, 0, 0x800000, 0x800000));
        rs.add(brk(41, 100, 0x802000, 0x800000, 0x802000));
        CollectingSink s = replay(rs);
        List<String> at = s.regionsAt(100, 50);
        assertTrue(at.containsAll(List.of("90000-94000 rw-p", "800000-802000 rw-p [heap]")), at.toString());
        assertFalse(at.contains("50000-52000 rw-p"));
    }

    @Test
    void aBreakThatPrctlMovedIsWhereTheNextBrkStarts() {
        // The heap [0x800000, 0x802000) by brk; prctl(PR_SET_MM, PR_SET_MM_BRK, 0x900000) sets mm->brk and maps
        // nothing (its record has the break as the call returned); a failed one moves nothing; brk(0x902000) then maps
        // [0x900000, 0x902000) only, from PAGE_ALIGN(mm->brk) as the kernel's brk does, and leaves the pages between.
        List<Record> rs = started();
        var sc = dev.mapscribe.formats.raw.RecordKind.SYSCALL;
        rs.add(brk(40, 100, 0, 0x800000, 0x800000));
        rs.add(brk(41, 100, 0x802000, 0x800000, 0x802000));
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, KernelRecord.F_ADDR, 42, 100, 100), 157,
                new long[] {35, 7, 0x900000, 0, 0, 0}, 0, 0x900000, null));
        rs.add(new SyscallRecord(new Hdr(sc.id(), 0, 0, KernelRecord.F_ADDR, 43, 100, 100), 157,
                new long[] {35, 7, 0xa00000, 0, 0, 0}, -1, 0x900000, null)); // EPERM
        rs.add(brk(44, 100, 0x902000, 0x800000, 0x902000));
        // An older journal's record (no address part): PR_SET_MM_BRK's argument is where the break went.
        rs.add(new SyscallRecord(h(sc, 45, 100, 100), 157, new long[] {35, 7, 0xb00000, 0, 0, 0}, 0));
        rs.add(brk(46, 100, 0xb01000, 0x800000, 0xb01000));
        CollectingSink s = replay(rs);
        List<String> at = s.regionsAt(100, 50);
        assertTrue(at.containsAll(List.of("800000-802000 rw-p [heap]", "900000-902000 rw-p [heap]", "b00000-b01000 rw-p [heap]")),
                at.toString());
        assertEquals(3, at.stream().filter(r -> r.endsWith("[heap]")).count(), at.toString());
        List<SyscallRow> prctls = s.syscalls.stream().filter(r -> r.name().equals("prctl")).toList();
        assertEquals(java.util.Arrays.asList(0x900000L, 0x900000L, null), prctls.stream().map(SyscallRow::programBreak).toList());
        assertEquals(java.util.Arrays.asList(null, null, null), prctls.stream().map(SyscallRow::targetAddr).toList(),
                "prctl writes no process's memory");
    }

    @Test
    void processMadviseAdvisesEachRangeInTurnAndItsRowNamesThem() {
        // Six RW pages at 0x50000. process_madvise(pidfd, iov, 2, MADV_DONTDUMP 16) of pages 1 and 3-4 = 3 pages' bytes:
        // five regions. Then MADV_DONTFORK 10 of page 0 and of pages 1-3 of 4 RW pages at 0x90000 whose page 2 is a hole
        // (unmapped): = 1 page's bytes, so the second range failed, with ENOMEM as the map says, and its mapped pages were
        // advised: pages 0-1 one region, page 3 one too.
        List<Record> rs = started();
        var sc = dev.mapscribe.formats.raw.RecordKind.SYSCALL;
        rs.add(mmap(20, 100, 0, 6 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 0x50000));
        rs.add(new SyscallRecord(h(sc, 21, 100, 100), 440, new long[] {3, 0x7ffd0000, 2, 16, 0, 0}, 3 * P, 0,
                new long[] {0x51000, P, 0x53000, 2 * P}, 0, null, null, null));
        rs.add(mmap(22, 100, 0, 4 * P, R | W, MAP_PRIVATE | MAP_ANON, null, 0, 0x90000));
        rs.add(munmap(23, 100, 0x92000, P, 0));
        rs.add(new SyscallRecord(h(sc, 24, 100, 100), 440, new long[] {3, 0x7ffd0000, 2, 10, 0, 0}, P, 0,
                new long[] {0x90000, P, 0x91000, 3 * P}, 0, null, null, null));
        CollectingSink s = replay(rs);
        List<dev.mapscribe.analyzer.replay.RegionVersion> at = s.regions.stream()
                .filter(v -> v.pid() == 100 && v.validFromNs() <= 30 && v.validToNs() == null
                        && (v.start() >= 0x50000 && v.end() <= 0x56000 || v.start() >= 0x90000 && v.end() <= 0x94000))
                .sorted((a, b) -> Long.compare(a.start(), b.start())).toList();
        assertEquals(List.of("50000-51000 0", "51000-52000 dd", "52000-53000 0", "53000-55000 dd", "55000-56000 0",
                        "90000-92000 dc", "93000-94000 dc"),
                at.stream().map(v -> Long.toHexString(v.start()) + "-" + Long.toHexString(v.end()) + " "
                        + ((v.vmFlags() & Region.VM_DONTDUMP) != 0 ? "dd" : (v.vmFlags() & Region.VM_DONTCOPY) != 0 ? "dc" : "0")).toList());
        assertTrue(at.stream().allMatch(v -> v.cause().equals("process_madvise")), "the versions it made say so");
        List<SyscallRow> rows = s.syscalls.stream().filter(r -> r.name().equals("process_madvise")).toList();
        assertEquals(List.of("51000-52000 53000-55000", "90000-91000 91000-94000"), rows.stream().map(SyscallRow::ranges).toList());
        assertEquals(5, rows.getFirst().args().length, "process_madvise takes five arguments");
    }

    @Test
    void lossesAndSyscallsAreRows() {
        List<Record> rs = started();
        rs.add(new Loss(60, 1, 7, 55, 59));
        rs.add(munmap(70, 100, 0x1, P, -22));
        CollectingSink s = replay(rs);
        assertEquals(List.of(new LossRow("host1", 60, BOOT_UTC + 60, LossRow.RINGBUF, 1, 7L, 55, 59, null)), s.losses);
        assertEquals(7, s.processes.getFirst().lostDuring(), "the process lived through the loss");
        SyscallRow u = s.syscalls.getLast();
        assertEquals("munmap", u.name());
        assertEquals(22, u.errno());
        assertEquals(-22L, u.ret());
    }

    @Test
    void theSameRecordsGiveTheSameRowsInTheSameOrder() {
        List<Record> rs = started();
        rs.add(mmap(20, 100, 0, 3 * P, R | X, MAP_PRIVATE, LIB, 0, 0x7f0000000000L));
        rs.add(fork(30, 100, 100, 200, 200, 3000, 0));
        rs.add(mprotect(40, 200, 0x7f0000000000L, P, R | W | X, 0));
        rs.add(exit(50, 200, 200, true));
        var first = replay(rs).log;
        // an empty log would make the comparison below pass vacuously: the calls above must give rows
        assertTrue(first.size() >= 4, "rows: " + first);
        assertEquals(first, replay(rs).log);
    }
}
