package dev.mapscribe.analyzer.replay;

import dev.mapscribe.analyzer.derive.FileInfos;
import dev.mapscribe.analyzer.derive.MemProtAlertEvent;
import dev.mapscribe.analyzer.derive.MmapExecEvent;
import dev.mapscribe.analyzer.derive.ProtAlerts;
import dev.mapscribe.analyzer.state.MappedFile;
import dev.mapscribe.analyzer.state.Process;
import dev.mapscribe.analyzer.state.ProcessTable;
import dev.mapscribe.analyzer.state.Prot;
import dev.mapscribe.analyzer.state.ProtChange;
import dev.mapscribe.analyzer.state.RecentChanges;
import dev.mapscribe.analyzer.state.Region;
import dev.mapscribe.analyzer.state.RegionHistory;
import dev.mapscribe.analyzer.state.RegionMap;
import dev.mapscribe.analyzer.state.TaskInfo;
import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.raw.KernelRecord.BrkRecord;
import dev.mapscribe.formats.raw.KernelRecord.ExecRecord;
import dev.mapscribe.formats.raw.KernelRecord.ExitRecord;
import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.KernelRecord.ForkRecord;
import dev.mapscribe.formats.raw.KernelRecord.Hdr;
import dev.mapscribe.formats.raw.KernelRecord.MmapRecord;
import dev.mapscribe.formats.raw.KernelRecord.MprotectRecord;
import dev.mapscribe.formats.raw.KernelRecord.MremapRecord;
import dev.mapscribe.formats.raw.KernelRecord.MunmapRecord;
import dev.mapscribe.formats.raw.KernelRecord.OrderRecord;
import dev.mapscribe.formats.raw.KernelRecord.SyscallRecord;
import dev.mapscribe.formats.raw.KernelRecord.TaskRecord;
import dev.mapscribe.formats.raw.KernelRecord.VmaRecord;
import dev.mapscribe.formats.raw.Record;
import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import dev.mapscribe.formats.raw.UserRecord.JournalRolled;
import dev.mapscribe.formats.raw.UserRecord.Loss;
import dev.mapscribe.formats.raw.UserRecord.ProcSnapshot;
import dev.mapscribe.formats.raw.UserRecord.RecorderStatus;
import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays a journal's records in journal order (except the start-up snapshot, which is put where its reads fall among
 * the records the journal holds before it: {@link SnapshotOrder}): keeps the process table and the region maps up to
 * date and hands every derived row to an {@link EventSink}. Deterministic (same records, same calls in the same
 * order); memory grows with the live processes and regions, not with the journal.
 *
 * <p>Use: {@code new Replayer(reader.header(), sink)}, {@code reader.read(replayer::accept)}, then {@link #finish()}.
 */
public final class Replayer {
    static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    static final int NR_MMAP = 9, NR_MPROTECT = 10, NR_MUNMAP = 11, NR_BRK = 12, NR_MREMAP = 25, NR_MADVISE = 28,
            NR_SHMAT = 30, NR_SHMDT = 67, NR_MLOCK = 149, NR_MUNLOCK = 150, NR_MLOCKALL = 151, NR_MUNLOCKALL = 152,
            NR_MLOCK2 = 325, NR_PKEY_MPROTECT = 329, NR_MSEAL = 462, NR_IO_SETUP = 206, NR_IO_DESTROY = 207,
            NR_REMAP_FILE_PAGES = 216, NR_MBIND = 237, NR_SET_MEMPOLICY_HOME_NODE = 450, NR_EXIT = 60, NR_PRCTL = 157,
            NR_PROCESS_MADVISE = 440;
    static final int PR_SET_MM = 35, PR_SET_MM_BRK = 7, PR_SET_MM_MAP = 14; // include/uapi/linux/prctl.h
    static final int MLOCK_ONFAULT = 1;

    private final EventSink sink;
    private final RegionHistory history;
    private final ProcessTable processes;
    private final FileInfos files;
    private final ReplayStats.Counter count = new ReplayStats.Counter();
    private String host;
    private String machineId;
    private long bootTimeUtcNs;
    private long ordinal;
    private long batch;
    private ProcSnapshot snapshot;
    private long startKtimeNs;
    /** The host's kernel ignores MAP_NORESERVE (vm.overcommit_memory 2): no mapping is VM_NORESERVE. */
    private boolean ignoresNoReserve;
    private JournalRolled rolled;
    private final List<SnapshotRegion> snapshotLines = new ArrayList<>();
    /**
     * Rows of processes that ended before the start-up snapshot was replayed and whose exe their records never said
     * (one seen only by a TASK record): the snapshot, which the journal holds behind the kernel records drained while
     * /proc was read, may still name it (ProcessTable.Listener#snapshotOfEnded). Held until the snapshot's records
     * are past, in the order they ended, at most {@link #ROWS_AWAITING_SNAPSHOT_MAX} (the oldest goes out as it is).
     */
    private final Map<Process, ProcessLifetime> rowsAwaitingSnapshot = new LinkedHashMap<>();
    private static final int ROWS_AWAITING_SNAPSHOT_MAX = 4096;
    private final SnapshotOrder snapshotOrder;
    private final SnapshotOrder.Target snapshotTarget = new SnapshotOrder.Target() {
        @Override
        public void apply(Record r, long batch, long position) {
            Replayer.this.apply(r, batch, position);
        }

        @Override
        public void snapshotPast() {
            processes.snapshotPast();
            releaseRowsAwaitingSnapshot();
        }
    };
    /** MS_ORDER notes by thread, each waiting for its call's record (the thread's next record). */
    private final Map<Integer, OrderRecord> orderNotes = new HashMap<>();
    private final UringWritesInFlight uringWrites = new UringWritesInFlight();
    private final NameUuids uuids = new NameUuids();
    private int formatVersion;
    /** A note's call record comes right after it: one much later is another call's (the noted one's was lost). */
    private static final long ORDER_NOTE_REACH_NS = 1_000_000;

    public Replayer(JournalHeader header, EventSink sink) {
        this(header, sink, SnapshotOrder.MAX_HELD);
    }

    /** {@code maxHeldBeforeSnapshot}: how many records before the start-up snapshot are held to be put in order with it. */
    Replayer(JournalHeader header, EventSink sink, int maxHeldBeforeSnapshot) {
        this.snapshotOrder = new SnapshotOrder(snapshotTarget, maxHeldBeforeSnapshot);
        this.sink = sink;
        this.history = new RegionHistory(this::regionClosed);
        this.processes = new ProcessTable(history, new ProcessTable.Listener() {
            @Override
            public void processEnded(Process p) {
                if (p.exe() == null && !snapshotOrder.past()) {
                    holdForSnapshot(p);
                } else {
                    emitProcess(p);
                }
            }

            @Override
            public void snapshotOfEnded(Process p) {
                ProcessLifetime row = rowsAwaitingSnapshot.remove(p);
                if (row != null) {
                    emit(row.withIdentity(p.exe(), p.argv(), p.commandLine(), p.argvTruncated(), p.comm()));
                }
            }

            @Override
            public void execMapped(Process p, VmaRecord vma, Region region) {
                execMappedFile(p, vma, region);
            }
        });
        this.files = new FileInfos(e -> {
            count.mmapExec++;
            if (e.sha256() == null) {
                count.mmapExecUnhashed++;
            }
            sink.mmapExec(e);
        });
        header(header); // after the process table: the header sets its clock
    }

    /**
     * One record, in journal order; {@code batchId} is the journal excerpt it came in. The records before the start-up
     * snapshot are replayed with it, each process's snapshot where its read falls among them (SnapshotOrder).
     */
    public void accept(Record r, long batchId) {
        snapshotOrder.accept(r, batchId, ++count.records); // the count so far is the record's journal position
    }

    private void apply(Record r, long batchId, long journalPosition) {
        ordinal = journalPosition;
        batch = batchId;
        if (snapshot != null && !(r instanceof SnapshotRegion line && line.pid() == snapshot.pid())) {
            endSnapshot();
        }
        OrderDoubt doubt = null;
        if (r instanceof KernelRecord k) {
            files.advance(k.h().ktimeNs());
            if (!orderNotes.isEmpty() && !(k instanceof TaskRecord)) {
                doubt = orderDoubt(k);
            }
        }
        switch (r) {
            case TaskRecord t -> processes.task(t);
            case OrderRecord o -> {
                count.orderNotes++;
                orderNotes.put(o.h().tid(), o);
            }
            case MmapRecord m -> mmap(m);
            case MprotectRecord p -> mprotect(p);
            case MunmapRecord u -> {
                syscall(u.h(), "munmap", NR_MUNMAP, new long[] {u.addr(), u.len()}, u.ret());
                processes.mmOf(u.h()).munmap(u.addr(), u.len(), u.ret(), u.h().ktimeNs());
            }
            case MremapRecord x -> {
                syscall(x.h(), "mremap", NR_MREMAP, new long[] {x.oldAddr(), x.oldLen(), x.newLen(), x.flags(), x.newAddr()}, x.ret());
                processes.mmOf(x.h()).mremap(x.oldAddr(), x.oldLen(), x.newLen(), x.flags(), x.newAddr(), x.ret(), x.h().ktimeNs());
            }
            case BrkRecord b -> {
                syscall(b.h(), "brk", NR_BRK, new long[] {b.addr()}, b.ret());
                processes.mmOf(b.h()).brk(b.startBrk(), b.ret(), processes.readImpliesExec(b.h()), b.h().ktimeNs());
            }
            case SyscallRecord s when SyscallNames.isUringWrite(s.nr()) -> uringWrite(s);
            case SyscallRecord s -> {
                SyscallRow row = syscall(s.h(), SyscallNames.name(s.nr()), s.nr(),
                        Arrays.copyOf(s.args(), SyscallNames.argCount(s.nr())), s.enterOnly() ? null : s.ret(),
                        s.file() != null ? processes.mappedFile(s.file()) : null,
                        targetProcess(s.nr() == NR_PROCESS_MADVISE ? madviseTarget(s) : WriteTarget.pid(s)),
                        WriteTarget.addr(s), s.nr() == NR_PRCTL && s.hasAddr() ? s.addr() : null,
                        s.nr() == NR_PROCESS_MADVISE || WriteTarget.registersRange(s) ? rangesText(s.ranges()) : null);
                memoryWrites(s, row, row.ret(), row.failed());
                if (!s.enterOnly()) {
                    syscallState(s);
                } else if (s.nr() == NR_EXIT && !s.h().has(KernelRecord.F_COMPAT)) {
                    processes.exitCall(s.h()); // exit(2), not exit_group: this thread alone
                }
            }
            case ForkRecord f -> processes.fork(f);
            case ExecRecord e -> processes.exec(e);
            case ExitRecord x -> processes.exit(x);
            case VmaRecord v -> processes.vma(v);
            case JournalHeader h -> header(h);
            case ProcSnapshot s -> snapshot = s;
            case SnapshotRegion line -> {
                if (snapshot != null) {
                    snapshotLines.add(line); // same pid: checked above
                } else {
                    count.orphanSnapshotLines++; // its process line was not just before it
                }
            }
            case FileInfo fi -> {
                files.info(fi);
                sink.file(new FileRow(host, fi.ktimeNs(), utc(fi.ktimeNs()), fi));
            }
            case Loss l -> {
                // cpu is a CPU number, or a negative code: runs skipped in the kernel, or batches the journal refused (and
                // why), or 32-bit calls left out on purpose (not lost: no record was ever made of them)
                if (l.leftOut()) count.compatCalls += l.count();
                else if (l.inKernel()) count.losses += l.count();
                else count.refused += l.count();
                if (!l.leftOut()) processes.lost(l.count());
                String source = switch (l.cpu()) {
                    case Loss.JOURNAL_FULL -> LossRow.MAX_DISK;
                    case Loss.DISK_FULL -> LossRow.DISK_FULL;
                    case Loss.RECURSION -> LossRow.RECURSION;
                    case Loss.COMPAT -> LossRow.COMPAT;
                    default -> l.cpu() < 0 ? LossRow.REFUSED : LossRow.RINGBUF;
                };
                sink.loss(new LossRow(host, l.ktimeNs(), utc(l.ktimeNs()), source, l.cpu() < 0 ? null : l.cpu(),
                        l.count(), l.firstNs(), l.lastNs(), null));
            }
            case RecorderStatus s -> {
                count.recorderStatus++;
                count.stopped |= s.last();
                if (s.last()) {
                    count.recorderNote = s.note();
                }
            }
            case JournalRolled j -> rolled = j; // totals since the start: the last one holds the earlier ones
        }
        if (doubt != null) {
            settle(doubt);
        }
    }

    /** The parts of a noted call's ranges that another call may have changed after it (lo, hi pairs). */
    private record OrderDoubt(KernelRecord call, long sinceNs, long[] parts) {}

    /**
     * The MS_ORDER note of this record's thread, if any: another change of the address space came between the call's
     * own change and its return, and its record may be among those already applied although the kernel made it after
     * this call's. The note counts the write locks completed between the call's own and its return: the parts of the
     * call's ranges that the last that many changes of other threads touched are in doubt (their records came first).
     * A note that does not know the call's lock: the changes since the thread's previous change (the call began after
     * that returned). Asked before the call is applied, settled after it ({@link #settle}); null when nothing is in
     * doubt.
     */
    private OrderDoubt orderDoubt(KernelRecord k) {
        OrderRecord note = orderNotes.remove(k.h().tid());
        if (note == null) {
            return null;
        }
        long[] ranges = changedRanges(k);
        if (ranges == null || k.h().ktimeNs() - note.h().ktimeNs() > ORDER_NOTE_REACH_NS) {
            return null; // its call's record was lost, or this is no call that changes a map: the note stands for nothing
        }
        RecentChanges recent = processes.mmOf(k.h()).recentChanges();
        int tid = k.h().tid();
        List<Long> parts = new ArrayList<>();
        for (int i = 0; i < ranges.length; i += 2) {
            long[] touched = note.lockKnown() ? recent.touchedByLast(ranges[i], ranges[i + 1], note.locksBetween(), tid)
                    : recent.touchedSince(ranges[i], ranges[i + 1], tid);
            if (touched == null) {
                touched = new long[] {ranges[i], ranges[i + 1]}; // more changed since than the map keeps track of
            }
            for (long t : touched) parts.add(t);
        }
        if (parts.isEmpty()) {
            return null; // the changes that overtook this call's return were elsewhere in the address space
        }
        return new OrderDoubt(k, recent.latestOf(tid), parts.stream().mapToLong(Long::longValue).toArray());
    }

    /** After a noted call was applied: the parts in doubt become unknown, each a losses row saying why. */
    private void settle(OrderDoubt d) {
        Hdr h = d.call().h();
        RegionMap mm = processes.mmOf(h);
        long[] p = d.parts();
        long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
        for (int i = 0; i < p.length; i += 2) {
            mm.raced(p[i], p[i + 1], h.ktimeNs());
            lo = Math.min(lo, p[i]);
            hi = Math.max(hi, p[i + 1]);
        }
        count.orderRaces++;
        sink.loss(new LossRow(host, h.ktimeNs(), utc(h.ktimeNs()), LossRow.ORDER, null, null, d.sinceNs(), h.ktimeNs(),
                "pid " + h.pid() + " tid " + h.tid() + ": a call (record " + ordinal + ") changed its address space and returned after "
                        + "another change of it within [0x" + Long.toHexString(lo) + ", 0x" + Long.toHexString(hi)
                        + "); which the kernel made last is not known, so those pages are unknown from here"));
    }

    /** The ranges a record's call changes ([lo, hi) pairs), or null for a record of no such call (or a failed one). */
    private static long[] changedRanges(KernelRecord k) {
        return switch (k) {
            case MmapRecord m -> failed(m.ret()) ? null : pair(m.ret(), m.len());
            case MprotectRecord p -> pair(p.addr(), p.len());
            case MunmapRecord u -> pair(u.addr(), u.len());
            case MremapRecord x -> failed(x.ret()) ? null : concat(pair(x.oldAddr(), x.oldLen()), pair(x.ret(), x.newLen()));
            case BrkRecord b -> { // the heap between where it began and the further of the old and new ends
                long lo = Math.min(b.startBrk(), Math.min(b.addr(), b.ret())), hi = Math.max(b.addr(), b.ret());
                yield new long[] {lo & -Prot.PAGE_SIZE, Prot.pageAlign(hi)};
            }
            case SyscallRecord s when !s.enterOnly() -> switch (s.nr()) {
                case NR_MADVISE, NR_MSEAL, NR_MBIND, NR_SET_MEMPOLICY_HOME_NODE, NR_MLOCK, NR_MLOCK2, NR_MUNLOCK,
                     NR_REMAP_FILE_PAGES -> pair(s.args()[0], s.args()[1]);
                // where these changed is not in their arguments: anywhere
                case NR_SHMDT, NR_IO_DESTROY, NR_MLOCKALL, NR_MUNLOCKALL -> new long[] {0, RegionMap.USER_END};
                default -> null;
            };
            default -> null;
        };
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static long[] pair(long addr, long len) {
        return new long[] {addr, addr + Prot.pageAlign(len)};
    }

    /** The journal has ended: emits what is still open (regions, processes, events waiting for file info). */
    public ReplayStats finish() {
        snapshotOrder.finish();
        count.snapshotLate = snapshotOrder.late();
        if (snapshot != null) {
            endSnapshot();
        }
        releaseRowsAwaitingSnapshot();
        files.flush();
        for (UringWritesInFlight.Submitted s : uringWrites.drain()) {
            memoryWrites(s.record(), s.call(), null, false); // no completion recorded: what it wrote is not known
        }
        if (rolled != null) {
            emitRolled(rolled);
        }
        for (RegionMap m : processes.liveMaps()) {
            for (Region r : m.regions()) {
                emitVersion(m, r, null);
            }
        }
        for (Process p : processes.live()) {
            emitProcess(p);
        }
        return count.stats(history.inconsistencies(), history.uncertainties(), history.impossible(),
                processes.processesSeen());
    }

    // ---- the cases --------------------------------------------------------------------------------------------

    /** A write's target as a process: a thread named by ptrace or process_vm_writev is its process's, as the regions are. */
    private Integer targetProcess(Integer tid) {
        return tid == null ? null : processes.processOfThread(tid);
    }

    /** What a generic syscall record changes in its address space (the recorder writes these with their results). */
    private void syscallState(SyscallRecord s) {
        long[] a = s.args();
        long now = s.h().ktimeNs();
        switch (s.nr()) {
            // flag-changing advice only; through an io_uring, recorded as it completed (in the ring's worker thread, of
            // the same process): addr, len, advice as the syscall's arguments
            case NR_MADVISE, SyscallNames.IO_URING + SyscallNames.IORING_OP_MADVISE ->
                    processes.mmOf(s.h()).madvise(a[0], a[1], (int) a[2], s.ret(), now);
            // another address space than the caller's refuses VMA-flag advice before anything (EINVAL)
            case NR_PROCESS_MADVISE -> {
                Boolean own = madviseTarget(s) != null ? processes.sharesAddressSpace(s.h(), madviseTarget(s)) : null;
                if (!Boolean.FALSE.equals(own)) {
                    processes.mmOf(s.h()).processMadvise(s.ranges(), a[2], (int) a[3], s.ret(), own != null, now);
                }
            }
            case NR_SHMDT -> processes.mmOf(s.h()).shmdt(a[0], s.ret(), now);
            case NR_IO_DESTROY -> processes.mmOf(s.h()).ioDestroy(a[0], s.ret(), now);
            case NR_REMAP_FILE_PAGES -> processes.mmOf(s.h()).remapFilePages(a[0], a[1], a[3], s.ret(), now);
            case NR_MSEAL -> processes.mmOf(s.h()).mseal(a[0], a[1], s.ret(), now);
            // the policy the kernel left on the range's first VMA, which the recorder read (none when it could not)
            case NR_MBIND -> {
                if (s.policy() != null) processes.mmOf(s.h()).mbind(a[0], a[1], numaPolicy(s.policy()), s.ret(), now);
            }
            case NR_SET_MEMPOLICY_HOME_NODE -> processes.mmOf(s.h()).homeNode(a[0], a[1], (int) a[2], s.ret(), now);
            case NR_MLOCK -> processes.mmOf(s.h()).mlock(a[0], a[1], Region.VM_LOCKED, s.ret(), now);
            case NR_MLOCK2 -> {
                if ((a[2] & ~MLOCK_ONFAULT) == 0) { // other flags: EINVAL, nothing changed
                    long lock = Region.VM_LOCKED | ((a[2] & MLOCK_ONFAULT) != 0 ? Region.VM_LOCKONFAULT : 0);
                    processes.mmOf(s.h()).mlock(a[0], a[1], lock, s.ret(), now);
                }
            }
            case NR_MUNLOCK -> processes.mmOf(s.h()).mlock(a[0], a[1], 0, s.ret(), now);
            case NR_MLOCKALL -> processes.mmOf(s.h()).mlockall((int) a[0], s.ret(), now);
            case NR_MUNLOCKALL -> processes.mmOf(s.h()).mlockall(0, s.ret(), now);
            // PR_SET_MM moves the program break without a brk call: the record has it as the call returned (a journal
            // recorded before the twenty-sixth session does not: there PR_SET_MM_BRK's argument is where it went)
            case NR_PRCTL -> {
                if (a[0] == PR_SET_MM && s.ret() == 0) {
                    if (s.hasAddr()) {
                        processes.mmOf(s.h()).breakMoved(s.addr());
                    } else if (a[1] == PR_SET_MM_BRK) {
                        processes.mmOf(s.h()).breakMoved(a[2]);
                    } else if (a[1] == PR_SET_MM_MAP) {
                        processes.mmOf(s.h()).breakMoved(-1);
                    }
                }
            }
            default -> { }
        }
    }

    static final int MPOL_DEFAULT = 0, MPOL_LOCAL = 4, MPOL_F_RELATIVE_NODES = 1 << 14, MPOL_F_STATIC_NODES = 1 << 15;

    /**
     * A policy with only what the kernel compares of two (mpol_equal): none for MPOL_DEFAULT, which mbind stores as no
     * policy; no nodes for MPOL_LOCAL (left unset there); the user's nodemask only under MPOL_F_STATIC_NODES or
     * MPOL_F_RELATIVE_NODES (otherwise its place holds the cpuset's nodes, which are not compared).
     */
    static KernelRecord.Policy numaPolicy(KernelRecord.Policy p) {
        if (p.mode() == MPOL_DEFAULT) return null;
        boolean userNodes = (p.flags() & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)) != 0;
        return new KernelRecord.Policy(p.mode(), p.flags(), p.homeNode(), p.mode() == MPOL_LOCAL ? 0 : p.nodes(),
                userNodes ? p.userNodes() : 0);
    }

    /**
     * io_setup(2), recorded as an mmap record (MmapRecord#isAio): the kernel mapped the AIO ring (shared, RW, a pseudo
     * file "/[aio]", VM_DONTEXPAND) at the address it returned through its second argument; the syscall row has
     * nr_events and that address as its arguments and the call's own result (0 or -errno).
     */
    private void aioRing(MmapRecord m) {
        Hdr h = m.h();
        MappedFile mapped = m.file() != null ? processes.mappedFile(m.file()) : null;
        boolean ok = !failed(m.ret());
        syscall(h, "io_setup", NR_IO_SETUP, new long[] {m.fd(), ok ? m.ret() : 0}, ok ? 0 : m.ret(), mapped);
        if (ok && m.len() == 0) {
            processes.mmOf(h).mappedWithoutExtent(m.ret(), h.ktimeNs(), "io_setup"); // the recorder could not look the ring up
        } else if (ok) {
            processes.mmOf(h).aioRing(m.ret(), m.len(), mapped, h.ktimeNs());
        }
    }

    static final int SHM_RDONLY = 010000, SHM_REMAP = 040000, SHM_EXEC = 0100000, MAP_FIXED = 0x10;

    /**
     * shmat(2), recorded as an mmap record (MmapRecord#isShmat): the segment mapped shared at the address returned,
     * as long as the segment (len), with the prot the recorder derived from shmflg. The kernel picks the place unless
     * shmaddr is given, and refuses to map over anything unless SHM_REMAP: only then is the range replaced as under
     * MAP_FIXED. kunai's hook (security_mmap_file) sees shmat too: with SHM_EXEC it is an mmap_exec event, via "shmat".
     * tracee's "Mmaped region with W+E permissions!" is its mmap syscall's only, so an RWX attach raises no alert.
     */
    private void shmat(MmapRecord m) {
        Hdr h = m.h();
        FileRef file = m.file();
        MappedFile mapped = file != null ? processes.mappedFile(file) : null;
        syscall(h, "shmat", NR_SHMAT, new long[] {m.fd(), m.addr(), m.flags()}, m.ret(), mapped);
        int flags = MAP_SHARED | ((m.flags() & SHM_REMAP) != 0 ? MAP_FIXED : 0);
        boolean ok = !failed(m.ret());
        int prot = mappedProt(h, m.prot(), file); // shmat maps through do_mmap(), READ_IMPLIES_EXEC included
        if (ok && m.len() == 0) {
            processes.mmOf(h).mappedWithoutExtent(m.ret(), h.ktimeNs(), "shmat"); // the recorder could not see the segment
        } else {
            processes.mmOf(h).mmap(m.ret(), m.len(), prot, flags, mapped, 0, h.ktimeNs());
        }
        if ((prot & Prot.EXEC) != 0 && (file != null || ok)) {
            mmapExec(h, "shmat", m, prot, flags, -1, file, mapped, ok);
        }
    }

    private void mmap(MmapRecord m) {
        if (m.isShmat()) {
            shmat(m);
            return;
        }
        if (m.isAio()) {
            aioRing(m);
            return;
        }
        Hdr h = m.h();
        boolean anon = (m.flags() & MAP_ANONYMOUS) != 0;
        FileRef file = anon ? null : m.file();
        MappedFile mapped = file != null ? processes.mappedFile(file) : null;
        syscall(h, "mmap", NR_MMAP, new long[] {m.addr(), m.len(), m.prot(), m.flags(), m.fd(), m.off()}, m.ret(), mapped);
        int prot = mappedProt(h, m.prot(), file);
        processes.mmOf(h).mmap(m.ret(), m.len(), prot, ignoresNoReserve ? m.flags() & ~MAP_NORESERVE : m.flags(), mapped,
                m.off(), h.ktimeNs());
        boolean ok = !failed(m.ret());
        TaskInfo task = processes.taskOf(h);
        Process p = processes.processOf(h);
        if (ok && ProtAlerts.forMmap(prot) != null) {
            count.memProtAlerts++;
            sink.memProtAlert(new MemProtAlertEvent(host, h.ktimeNs(), utc(h.ktimeNs()), task, ProtAlerts.MMAP_W_X, m.ret(),
                    Prot.pageAlign(m.len()), prot, null, mapped != null ? mapped.path() : null,
                    mapped != null ? mapped.dev() : null, mapped != null ? mapped.inode() : null,
                    mapped != null ? ctime(mapped) : null, "mmap", m.addr(), m.len(), ProtAlerts.id(ProtAlerts.MMAP_W_X),
                    p.ppid(), p.exe(), p.commandLine(), mapped != null && mapped.pathTruncated(), p.exeTruncated()));
        }
        // kunai's hook (security_mmap_file) sees every attempt that got as far as a file: failed ones included.
        if (!anon && (prot & Prot.EXEC) != 0 && (file != null || ok)) {
            mmapExec(h, "mmap", m, prot, m.flags(), m.fd(), file, mapped, ok);
        }
    }

    /**
     * The protection a mapping gets: the prot asked for, and PROT_EXEC with PROT_READ where the task's personality has
     * READ_IMPLIES_EXEC, unless the file is on a noexec mount (do_mmap()). No PROT_EXEC in the call, and yet executable
     * memory: what a detector that reads the arguments misses.
     */
    private int mappedProt(Hdr h, int prot, FileRef file) {
        return file != null && file.noexecMount() ? prot : impliedProt(h, prot);
    }

    /** prot with PROT_EXEC where it has PROT_READ and the task's personality has READ_IMPLIES_EXEC. */
    private int impliedProt(Hdr h, int prot) {
        return (prot & Prot.READ) != 0 && processes.readImpliesExec(h) ? prot | Prot.EXEC : prot;
    }

    /**
     * kunai's mmap_exec for a file mapped executable by {@code via} ("mmap", "shmat"), with the protection it got (as
     * asked, or made executable by READ_IMPLIES_EXEC) and the call's flags and fd.
     */
    private void mmapExec(Hdr h, String via, MmapRecord m, int prot, int flags, int fd, FileRef file, MappedFile mapped,
                          boolean ok) {
        TaskInfo task = processes.taskOf(h);
        Process p = processes.processOf(h);
        files.offer(new MmapExecEvent(host, h.ktimeNs(), utc(h.ktimeNs()), uuid(0), batch, via, task,
                processes.parentOf(p), processes.ancestors(p), p.commandLine(), p.exe(),
                mapped != null ? mapped.path() : null, mapped != null ? mapped.dev() : null,
                mapped != null ? mapped.inode() : null, mapped != null ? ctime(mapped) : null,
                null, null, null, null, null, null, null,
                ok ? m.ret() : null, m.addr(), m.len(), prot, flags, fd, m.off(), ok,
                ok ? null : (int) -m.ret(), m.ret(), mapped != null && mapped.pathTruncated(), p.exeTruncated(),
                processes.ancestorsTruncated(p)), file);
    }

    private void mprotect(MprotectRecord p) {
        Hdr h = p.h();
        String name = p.isPkeyMprotect() ? "pkey_mprotect" : "mprotect";
        long[] args = p.isPkeyMprotect() ? new long[] {p.addr(), p.len(), p.prot(), p.pkey()} : new long[] {p.addr(), p.len(), p.prot()};
        syscall(h, name, p.isPkeyMprotect() ? NR_PKEY_MPROTECT : NR_MPROTECT, args, p.ret());
        // READ_IMPLIES_EXEC: PROT_READ gets PROT_EXEC here too (do_mprotect_pkey(); a VMA on a noexec mount would refuse
        // it, EACCES, which the map does not model)
        int prot = impliedProt(h, p.prot());
        List<ProtChange> changes = processes.mmOf(h).mprotect(p.addr(), p.len(), prot, p.ret(), h.ktimeNs());
        List<ProtAlerts.ProtAlert> alerts = ProtAlerts.forChanges(changes);
        if (alerts.isEmpty()) {
            return;
        }
        TaskInfo task = processes.taskOf(h);
        Process proc = processes.processOf(h);
        for (ProtAlerts.ProtAlert a : alerts) {
            Region before = a.change().before();
            MappedFile f = before != null ? before.file() : null;
            count.memProtAlerts++;
            sink.memProtAlert(new MemProtAlertEvent(host, h.ktimeNs(), utc(h.ktimeNs()), task, a.alert(), a.start(),
                    a.end() - a.start(), prot, a.prevProt() == Prot.UNKNOWN ? null : a.prevProt(),
                    f != null ? f.path() : null, f != null ? f.dev() : null, f != null ? f.inode() : null,
                    f != null ? ctime(f) : null, name, p.addr(), p.len(), ProtAlerts.id(a.alert()), proc.ppid(), proc.exe(),
                    proc.commandLine(), f != null && f.pathTruncated(), proc.exeTruncated()));
        }
    }

    /** The binary and the interpreter an exec mapped executable: kunai's hook sees those mappings too. */
    private void execMappedFile(Process p, VmaRecord v, Region r) {
        Hdr h = v.h();
        MappedFile f = r.file();
        int flags = r.shared() ? MAP_SHARED : MAP_PRIVATE;
        files.offer(new MmapExecEvent(host, h.ktimeNs(), utc(h.ktimeNs()), uuid(0), batch, "execve", processes.taskOf(h),
                processes.parentOf(p), processes.ancestors(p), p.commandLine(), p.exe(), f.path(), f.dev(), f.inode(),
                ctime(f), null, null, null, null, null, null, null, r.start(), r.start(), r.length(), r.prot(), flags, -1,
                r.offset(), true, null, r.start(), f.pathTruncated(), p.exeTruncated(), processes.ancestorsTruncated(p)),
                v.file());
    }

    private void endSnapshot() {
        processes.snapshot(snapshot, snapshotLines);
        snapshot = null;
        snapshotLines.clear();
    }

    private void header(JournalHeader h) {
        formatVersion = h.formatVersion();
        host = h.hostname();
        machineId = h.machineId();
        startKtimeNs = h.startKtimeNs();
        bootTimeUtcNs = h.bootTimeUtcNs();
        // Under "never" the kernel ignores MAP_NORESERVE; a journal that does not say is taken to have the default
        // (heuristic, 0), as nearly every host has.
        ignoresNoReserve = h.overcommitMemory() == JournalHeader.OVERCOMMIT_NEVER;
        // A journal that does not say is taken to be of a host that never slept, as before it said.
        processes.suspendedNs(h.suspendedNs() == JournalHeader.SUSPENDED_UNKNOWN ? 0 : h.suspendedNs());
    }

    // ---- rows ---------------------------------------------------------------------------------------------------

    private void syscall(Hdr h, String name, int nr, long[] args, Long ret) {
        syscall(h, name, nr, args, ret, null);
    }

    private void syscall(Hdr h, String name, int nr, long[] args, Long ret, MappedFile file) {
        syscall(h, name, nr, args, ret, file, null, null, null, null);
    }

    private SyscallRow syscall(Hdr h, String name, int nr, long[] args, Long ret, MappedFile file, Integer targetPid,
                               Long targetAddr, Long programBreak, String ranges) {
        count.syscalls++;
        TaskInfo t = processes.taskOf(h);
        boolean failed = ret != null && failed(ret);
        SyscallRow row = new SyscallRow(host, h.ktimeNs(), utc(h.ktimeNs()), h.pid(), h.tid(), t.comm(), h.cpu(), name, nr,
                args, ret, failed ? (int) -ret : null, failed, batch, ordinal - 1, file != null ? file.path() : null,
                file != null ? file.dev() : null, file != null ? file.inode() : null, file != null && file.pathTruncated(),
                targetPid, targetAddr, h.has(KernelRecord.F_COMPAT), h.has(KernelRecord.F_X32), programBreak, ranges);
        sink.syscall(row);
        return row;
    }

    /**
     * An io_uring write request on a process's memory file: its submission (a syscalls row; its memory_writes row once
     * its completion is known, at the journal's end without one, or at once in a journal that records none) or its
     * completion (a syscalls row with the result; the submission's memory_writes row with what was written, or, when it
     * pairs with none, a row of its own: UringWritesInFlight).
     */
    private void uringWrite(SyscallRecord s) {
        String name = SyscallNames.name(s.nr());
        long[] args = Arrays.copyOf(s.args(), SyscallNames.argCount(s.nr()));
        MappedFile file = s.file() != null ? processes.mappedFile(s.file()) : null;
        Long ret = s.enterOnly() ? null : s.ret();
        SyscallRow row = syscall(s.h(), name, s.nr(), args, ret, file, targetProcess(WriteTarget.pid(s)), WriteTarget.addr(s),
                null, null);
        if (s.enterOnly() && UringWritesInFlight.completionsRecorded(formatVersion)) {
            UringWritesInFlight.Submitted letGo = uringWrites.submitted(new UringWritesInFlight.Submitted(s, row, file));
            if (letGo != null) {
                memoryWrites(letGo.record(), letGo.call(), null, false); // waited too long: no completion is coming
            }
            return;
        }
        UringWritesInFlight.Submitted sub = s.enterOnly() ? null : uringWrites.completed(s);
        if (sub != null) {
            memoryWrites(sub.record(), sub.call(), row.ret(), row.failed());
        } else {
            memoryWrites(s, row, row.ret(), row.failed());
        }
    }

    /**
     * The memory_writes rows of a call that writes into a process's memory, after (and from) its syscalls row; ret and
     * failed are its result (an io_uring request's from its completion; ret null when not recorded).
     */
    private void memoryWrites(SyscallRecord s, SyscallRow call, Long ret, boolean failed) {
        WriteTarget.Ranges w = WriteTarget.ranges(s, ret, failed);
        if (w == null) return;
        for (int part = 0; part < w.ranges().size(); part++) {
            WriteTarget.Range r = w.ranges().get(part);
            count.memoryWrites++;
            sink.memoryWrite(new MemoryWriteRow(host, call.tsNs(), call.utcNs(), call.pid(), call.tid(), call.comm(), call.seq(),
                    call.name(), call.targetPid(), part, r.addr(), r.len(), r.written(), failed, w.unrecorded(),
                    w.iovecsRead(), w.iovecsChanged()));
        }
    }

    /** Deleted cycles are one gap, from the start of the recording to the oldest cycle the recorder kept. */
    private void emitRolled(JournalRolled j) {
        count.rolledCycles = j.deletedCycles();
        // A JournalRolled from before keptFromNs was recorded (0): the gap ends before the record was written.
        long end = j.keptFromNs() > 0 ? j.keptFromNs() : j.ktimeNs();
        sink.loss(new LossRow(host, j.ktimeNs(), utc(j.ktimeNs()), LossRow.JOURNAL_ROLLED, null,
                j.deletedKernelRecords() < 0 ? null : j.deletedKernelRecords(), startKtimeNs, end,
                "the recorder deleted the " + j.deletedCycles() + " oldest cycle files (" + j.deletedBytes()
                        + " bytes) to stay under --max-disk: what was recorded before last_ns is gone"));
    }

    private void regionClosed(RegionMap m, Region r, long validToNs) {
        emitVersion(m, r, validToNs);
    }

    private void emitVersion(RegionMap m, Region r, Long validToNs) {
        count.regionVersions++;
        MappedFile f = r.file();
        int flags = switch (r.backing()) {
            case ANON -> MAP_PRIVATE | MAP_ANONYMOUS;
            case SHMEM -> MAP_SHARED | MAP_ANONYMOUS;
            case FILE -> r.shared() ? MAP_SHARED : MAP_PRIVATE;
            case UNKNOWN -> 0;
        } | (r.noReserve() ? MAP_NORESERVE : 0);
        sink.regionVersion(new RegionVersion(host, m.id(), m.ownerPid(), r.start(), r.end(),
                r.prot() == Prot.UNKNOWN ? null : r.prot(), r.perms(), flags, r.known() && r.prot() != Prot.UNKNOWN,
                r.cause(), r.shared(), r.backing().lowerName(),
                f != null ? f.path() : r.label(), f != null ? f.dev() : null, f != null ? f.inode() : null,
                f != null ? ctime(f) : null, r.offset(), r.version(), r.validFromNs(), validToNs, utc(r.validFromNs()),
                validToNs == null ? null : utc(validToNs), f != null && f.pathTruncated(), r.comm(), r.vmFlags()));
    }

    private void emitProcess(Process p) {
        emit(processRow(p));
    }

    private void emit(ProcessLifetime row) {
        count.processes++;
        if (!row.memoryKnown()) {
            count.memoryUnknown++;
        }
        if (row.leaderExited()) {
            count.leaderExited++;
        }
        sink.process(row);
    }

    /** Its row as it is now: losses and whether its memory was known count up to this moment. */
    private void holdForSnapshot(Process p) {
        rowsAwaitingSnapshot.put(p, processRow(p));
        if (rowsAwaitingSnapshot.size() > ROWS_AWAITING_SNAPSHOT_MAX) {
            Iterator<ProcessLifetime> oldest = rowsAwaitingSnapshot.values().iterator();
            emit(oldest.next());
            oldest.remove();
        }
    }

    private void releaseRowsAwaitingSnapshot() {
        for (ProcessLifetime row : rowsAwaitingSnapshot.values()) {
            emit(row);
        }
        rowsAwaitingSnapshot.clear();
    }

    private ProcessLifetime processRow(Process p) {
        RegionMap mm = p.mm();
        boolean ended = p.exitNs() >= 0;
        return new ProcessLifetime(host, p.firstSeenNs(), utc(p.firstSeenNs()), p.pid(), p.startNs(), p.startExact(),
                utc(p.startNs()), ended ? p.exitNs() : null, ended ? utc(p.exitNs()) : null,
                p.exitRecorded() ? p.exitCode() : null, p.exitRecorded(), p.ppid(), p.parentStartNs(), p.exe(), p.argv(),
                p.commandLine(), p.argvTruncated(), p.comm(),
                p.uid(), p.gid(), p.euid(), p.egid(), p.mntns(), processes.ancestors(p), p.source().name().toLowerCase(),
                p.execs(), mm != null && !mm.hasUnknown(), processes.lostDuring(p), p.exeTruncated(),
                processes.ancestorsTruncated(p), p.leaderExited(), p.leaderExitNs() >= 0 ? p.leaderExitNs() : null);
    }

    private long utc(long ktimeNs) {
        return bootTimeUtcNs + ktimeNs;
    }

    /** Deterministic event id: the journal's machine and boot, the record's position, the event's index in it. */
    private String uuid(int sub) {
        return uuids.of(machineId + "/" + bootTimeUtcNs + "/" + ordinal + "/" + sub);
    }

    /** The process or thread a process_madvise's pidfd named, where the recorder could tell (a recorder of the twenty-sixth session on). */
    private static Integer madviseTarget(SyscallRecord s) {
        return s.hasAddr() && s.addr() != 0 ? (int) s.addr() : null;
    }

    /** Base and length pairs as /proc/PID/maps writes ranges: START-END in hex, separated by spaces; null for none read. */
    static String rangesText(long[] ranges) {
        if (ranges == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i + 1 < ranges.length; i += 2) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(Long.toHexString(ranges[i])).append('-').append(Long.toHexString(ranges[i] + ranges[i + 1]));
        }
        return sb.toString();
    }

    private static Long ctime(MappedFile f) {
        return f.ctimeNs() == MappedFile.CTIME_UNKNOWN ? null : f.ctimeNs();
    }

    /** A syscall result that is -errno (the kernel never returns an address in the top 4095 bytes). */
    static boolean failed(long ret) {
        return ret < 0 && ret >= -4095;
    }
}
