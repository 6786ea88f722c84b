package dev.mapscribe.analyzer.state;

import dev.mapscribe.formats.raw.KernelRecord.ExecRecord;
import dev.mapscribe.formats.raw.KernelRecord.ExitRecord;
import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.KernelRecord.ForkRecord;
import dev.mapscribe.formats.raw.KernelRecord.Hdr;
import dev.mapscribe.formats.raw.KernelRecord.TaskRecord;
import dev.mapscribe.formats.raw.KernelRecord.VmaRecord;
import dev.mapscribe.formats.raw.UserRecord.ProcSnapshot;
import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The processes of one host: seeded from the start-up snapshot, then kept up to date by TASK, FORK, EXEC and
 * EXIT records. A process is its pid plus its start time, so a reused pid is a new process. Memory holds the
 * live processes, their threads and address spaces (plus the ancestors they still point to), never history.
 */
public final class ProcessTable {
    /** /proc/PID/stat's start time is in clock ticks of USER_HZ, 100 on every Linux architecture we run on. */
    static final long NS_PER_TICK = 10_000_000L;
    static final long VM_READ = 0x1, VM_WRITE = 0x2, VM_EXEC = 0x4, VM_SHARED = 0x8, VM_GROWSDOWN = 0x100,
            VM_ACCOUNT = Region.VM_ACCOUNT;

    /** Told when a process lifetime ends, and when an exec mapped files executable (kunai's mmap_exec covers those). */
    public interface Listener {
        void processEnded(Process p);

        /**
         * The start-up snapshot, replayed after {@code p} had ended, saw it alive: what it adds (exe, argv) is in
         * {@code p} now. The journal holds the snapshot behind the kernel records drained while /proc was read.
         */
        default void snapshotOfEnded(Process p) {}

        default void execMapped(Process p, VmaRecord vma, Region region) {}
    }

    /**
     * The context a TASK record gives the records of one thread. personality is the thread's own (personality(2) sets
     * the calling thread's; a new task copies its creator's, an exec clears READ_IMPLIES_EXEC): every task's records
     * come after a TASK record that says it, so a thread not yet told of starts from 0.
     */
    record Thread(Process process, TaskInfo task, int personality) {
        Thread(Process process, int tid, String comm, int uid, int gid, int euid, int egid, long mntns) {
            this(process, tid, comm, uid, gid, euid, egid, mntns, 0);
        }

        Thread(Process process, int tid, String comm, int uid, int gid, int euid, int egid, long mntns, int personality) {
            this(process, new TaskInfo(process.pid, tid, comm, uid, gid, euid, egid, mntns, process.startNs), personality);
        }

        String comm() { return task.comm(); }
        int uid() { return task.uid(); }
        int gid() { return task.gid(); }
        int euid() { return task.euid(); }
        int egid() { return task.egid(); }
        long mntns() { return task.mntns(); }
    }

    /** VMA records of one exec, gathered until the walk's last record. */
    private static final class Walk {
        final long ktimeNs;
        final List<Region> regions = new ArrayList<>();
        int nextSeq;
        boolean gap;
        long lastEnd;

        Walk(long ktimeNs) {
            this.ktimeNs = ktimeNs;
        }
    }

    private final RegionHistory history;
    private final Listener listener;
    private final IntMap<Process> live = new IntMap<>();
    /**
     * The last lifetime of each pid that ended, for a snapshot that comes after its end in the journal (the recorder
     * writes the snapshot once /proc is read, behind the kernel records drained meanwhile): a process that exited
     * while /proc was read must not come back to life from its snapshot. Only the latest few thousand: the snapshot
     * follows the records of the first moments of a recording; none once it is past (kept longer, every ended process
     * would outlive the young generation: +40 MB of old garbage on the 10M-record benchmark journal).
     */
    private final Map<Integer, Process> endedLately = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Process> eldest) {
            return size() > ENDED_KEPT;
        }
    };
    static final int ENDED_KEPT = 4096;
    private boolean snapshotPast;
    /** How long the host had been suspended when recording started: how far /proc's start ticks run ahead. */
    private long suspendedNs;
    /** Bumped whenever an exe, a parent link or the set of live processes changes: ancestors() caches per epoch. */
    private long ancestryEpoch;
    private final IntMap<Thread> threads = new IntMap<>();
    private final IntMap<Walk> walks = new IntMap<>();
    private final Names names = new Names(); // comms, exe and mapped paths, one object per name (the export's lookups)
    /** First threads that called exit(2), by tid: when; their exit record comes next (the same program run writes both). */
    private final Map<Integer, Long> leadersInExit = new HashMap<>();
    /** An exit record this much later than a noted exit call is another task's of the tid (the first one's was lost). */
    private static final long EXIT_CALL_REACH_NS = 1_000_000;
    /** The thread of the record being replayed: every question about one record is answered once. */
    private Hdr lastHdr;
    private Thread lastThread;
    private long lastProcessId;
    private long lostRecords;
    private long lastMmId;

    public ProcessTable(RegionHistory history, Listener listener) {
        this.history = history;
        this.listener = listener;
    }

    /**
     * How long the host had been suspended when the recording started (the journal header's): /proc's start times are
     * of the boot clock, which runs on through a suspend, and the records' of the monotonic clock, which stops.
     */
    public void suspendedNs(long ns) {
        suspendedNs = ns;
    }

    /** A snapshot's start (/proc's clock ticks since boot, suspends included) on the records' clock. */
    private long startOf(ProcSnapshot s) {
        return s.startTicks() * NS_PER_TICK - suspendedNs;
    }

    /** A process the snapshot saw: its maps fill whatever the recording does not know yet. */
    public void snapshot(ProcSnapshot s, List<SnapshotRegion> lines) {
        lastHdr = null;
        if (vanished(s)) {
            return; // listed, gone before its read: nothing says which process it was, and it lives in no later instant
        }
        Process p = live.get(s.pid());
        if (p == null || p.startNs > s.ktimeNs()) {
            Process gone = endedLately.get(s.pid());
            if (gone != null && (aliveAtRead(gone, s) || startedAsRead(gone, s))) {
                snapshotOfEnded(gone, s); // alive when /proc was read, or read as a zombie: ended before the snapshot
                return;
            }
            if (p != null) {
                return; // this pid is already a newer process: the snapshot's one is gone
            }
            if (s.leaderExited() && s.threads() == 1) {
                endedBefore(s);
                return;
            }
        }
        if (p == null) {
            p = newFromSnapshot(s);
        }
        p.snapshotNs = s.ktimeNs();
        if (s.leaderExited() && s.threads() > 1 && !p.leaderExited) {
            p.leaderExited = true; // exited before the recording, when is not known
        }
        if (p.exe == null) { p.exe = s.exe(); }
        ancestryEpoch++; // exe, ppid: what ancestors() reads
        if (p.argv.isEmpty() && s.argv() != null) { p.argv = List.copyOf(s.argv()); }
        if (p.comm == null) { p.comm = s.comm(); }
        List<Region> regions = new ArrayList<>();
        for (SnapshotRegion line : lines) {
            if (line.end() > line.start()) {
                regions.add(fromMapsLine(line));
            }
        }
        if (p.mm == null) {
            if (s.error() != null || zombieOfUnknownThreads(s)) {
                p.mm = unknownMap(p, s.ktimeNs()); // /proc/PID/maps unreadable: we know nothing of it
            } else {
                p.mm = RegionMap.of(++lastMmId, p.pid, p.comm, history, regions, RegionMap.USER_END, s.ktimeNs(), "snapshot");
            }
            p.mm.retain();
        } else if (s.error() == null) {
            mm(p, s.ktimeNs()).fillUnknown(regions, s.ktimeNs());
        }
    }

    /**
     * A snapshot of a pid whose stat and status could no longer be read (the recorder still writes one, its error
     * saying so, for a process that exited between the listing of /proc and its read): no start time, no name, no ids.
     * Taken for a process, it would start a lifetime that never ends, with unknown memory.
     */
    static boolean vanished(ProcSnapshot s) {
        return s.error() != null && s.startTicks() == 0 && s.comm().isEmpty() && s.uid() < 0;
    }

    /**
     * A zombie, with no thread left (its stat's thread count is 1: the leader itself), whose exit no record of the
     * journal shows: the process had ended before the recording and its parent had not reaped it yet. A lifetime that
     * ended by the time of its snapshot (its exit not recorded), with no memory to know of, not a process that runs on.
     */
    private void endedBefore(ProcSnapshot s) {
        Process p = newFromSnapshot(s);
        p.comm = s.comm();
        p.snapshotNs = s.ktimeNs();
        endUnrecorded(p, s.ktimeNs());
    }

    /** A process first known from its snapshot: its start, parent, ids and mount namespace as /proc gave them. */
    private Process newFromSnapshot(ProcSnapshot s) {
        Process p = newProcess(s.pid(), Process.Source.SNAPSHOT, startOf(s), false, s.ktimeNs());
        p.ppid = s.ppid();
        p.uid = s.uid(); p.gid = s.gid(); p.euid = s.euid(); p.egid = s.egid();
        p.mntns = s.mntns(); // 0 for a zombie: it has left its namespaces
        return p;
    }

    /**
     * A snapshot from a recorder that did not yet write the leader's state and thread count (before 2026-12-08), of a
     * zombie: no exe, argv, namespace or maps and no error. It was a process that had ended, or one whose leader had
     * exited while other threads ran on, whose maps that recorder did not read: its memory is unknown, not empty.
     */
    static boolean zombieOfUnknownThreads(ProcSnapshot s) {
        return s.threads() == ProcSnapshot.THREADS_UNKNOWN && s.error() == null && s.mntns() == 0
                && (s.exe() == null || s.exe().isEmpty()) && (s.argv() == null || s.argv().isEmpty())
                && s.startTicks() != 0;
    }

    /** The ended lifetime {@code p} was alive when its pid's snapshot was stamped. */
    private static boolean aliveAtRead(Process p, ProcSnapshot s) {
        return p.exitNs >= s.ktimeNs() && (!p.startExact || p.startNs <= s.ktimeNs());
    }

    /**
     * The snapshot shows the ended lifetime {@code p} itself, read after it exited: a zombie (its parent had not reaped
     * it yet, so /proc still listed it and its stat read; no exe, no maps), whose exit the journal holds before the
     * snapshot. Told by its start, which /proc gives in ticks of the boot clock and the records in nanoseconds of the
     * monotonic clock, set apart by the time the host had been suspended ({@link #suspendedNs}; a journal written
     * before the header said it is taken for a host that never slept). Two processes of one pid started within one tick
     * would need the whole pid space to wrap in 10 ms.
     */
    private boolean startedAsRead(Process p, ProcSnapshot s) {
        return s.startTicks() != 0 && Math.floorDiv(p.startNs + suspendedNs, NS_PER_TICK) == s.startTicks();
    }

    /**
     * What the snapshot knows of a process that has ended since (its exe and argv, which its records may never have
     * said: one seen only by a TASK record). Its regions stay as its records left them: they are written already.
     */
    private void snapshotOfEnded(Process p, ProcSnapshot s) {
        if (p.exe == null && s.exe() != null && !s.exe().isEmpty()) { // a zombie's snapshot has none
            p.exe = s.exe();
            ancestryEpoch++; // the ancestors of its children name it
        }
        if (p.argv.isEmpty() && s.argv() != null) { p.argv = List.copyOf(s.argv()); }
        if (p.comm == null) { p.comm = s.comm(); }
        listener.snapshotOfEnded(p);
    }

    /** The start-up snapshot's records are past: no snapshot will name an ended lifetime any more. */
    public void snapshotPast() {
        snapshotPast = true;
        endedLately.clear();
    }

    /** A TASK record: the identity of a thread, for its later records. */
    public void task(TaskRecord t) {
        lastHdr = null;
        Hdr h = t.h();
        Process p = live.get(h.pid());
        if (p != null && !sameProcess(p, t.leaderStartNs())) {
            endUnrecorded(p, h.ktimeNs());
            p = null;
        }
        if (p == null) {
            p = newProcess(h.pid(), Process.Source.SEEN, t.leaderStartNs(), true, h.ktimeNs());
        }
        if (!p.startExact) {
            p.startNs = t.leaderStartNs();
            p.startExact = true;
        }
        String comm = names.of(t.comm());
        if (h.tid() == h.pid()) {
            p.comm = comm;
            if (p.mm != null && p.mm.ownerPid() == p.pid) {
                p.mm.ownerComm(p.comm); // not a CLONE_VM child's rename: the map is reported under its creator
            }
            p.uid = t.uid(); p.gid = t.gid(); p.euid = t.euid(); p.egid = t.egid();
            p.mntns = t.mntns();
        }
        if (p.ppid != t.ppid() || p.parentStartNs != t.parentStartNs()) { // reparented, or first news of its parent
            ancestryEpoch++;
            p.ppid = t.ppid();
            p.parentStartNs = t.parentStartNs();
            Process parent = live.get(t.ppid());
            p.parent = parent != null && parent != p && sameProcess(parent, t.parentStartNs()) ? parent : p.parent;
        }
        threads.put(h.tid(), new Thread(p, h.tid(), comm, t.uid(), t.gid(), t.euid(), t.egid(), t.mntns(), t.personality()));
    }

    /** The task behind a record's header; a task never introduced by a TASK record is taken as it comes. */
    public TaskInfo taskOf(Hdr h) {
        Thread t = thread(h);
        if (t.task().startNs() != t.process().startNs) { // the process's start time was corrected since
            t = new Thread(t.process(), h.tid(), t.comm(), t.uid(), t.gid(), t.euid(), t.egid(), t.mntns(), t.personality());
            threads.put(h.tid(), t);
            lastThread = t;
        }
        return t.task(); // built once per TASK record: every record of the thread shares it
    }

    /**
     * Whether PROT_READ implies PROT_EXEC for the calls of the task behind a record's header: its personality has
     * READ_IMPLIES_EXEC (personality(2); 64-bit execs clear it).
     */
    public boolean readImpliesExec(Hdr h) {
        return (thread(h).personality() & TaskRecord.READ_IMPLIES_EXEC) != 0;
    }

    /**
     * The process a live thread belongs to (its pid); the number itself where no live thread has it (a process's own
     * pid, or one the recording does not know). ptrace and process_vm_writev name a thread as readily as a process.
     */
    public int processOfThread(int tid) {
        Thread t = threads.get(tid);
        return t != null && live.get(t.process().pid) == t.process() ? t.process().pid : tid;
    }

    /**
     * Whether the thread or process {@code id} names (a pidfd's target) acts on the address space of the record's task,
     * as the kernel compares them (process_madvise: mm against current->mm); null when the recording knows no live
     * process of that number, or not yet the address space of one.
     */
    public Boolean sharesAddressSpace(Hdr h, int id) {
        Process target = live.get(processOfThread(id));
        Process caller = processOf(h);
        if (target == caller) {
            return true;
        }
        return target == null || target.mm == null || caller.mm == null ? null : target.mm == caller.mm;
    }

    /** The process behind a record's header. */
    public Process processOf(Hdr h) {
        return thread(h).process();
    }

    /** The address space a record of this header acts on (finishing an exec walk that lost its last record). */
    public RegionMap mmOf(Hdr h) {
        RegionMap m = mm(processOf(h), h.ktimeNs());
        m.actor(h.tid());
        return m;
    }

    /** The parent of a process as a task, or null when the recording does not know it. */
    public TaskInfo parentOf(Process p) {
        Process parent = parent(p);
        return parent == null ? null : parent.asTask();
    }

    /**
     * Exe paths of the ancestors, oldest first, joined by '|' as kunai prints them; unknown ones as "?". At most
     * {@link #MAX_ANCESTORS}, the nearest: {@link #ancestorsTruncated} says when older ones were left out.
     */
    public String ancestors(Process p) {
        if (p.ancestorsEpoch == ancestryEpoch) {
            return p.ancestors; // no exe, parent link or live process changed since it was built
        }
        List<String> chain = new ArrayList<>();
        boolean truncated = false;
        Process a = parent(p);
        for (; a != null && chain.size() < MAX_ANCESTORS; a = parent(a)) {
            chain.add(a.exe != null && !a.exe.isEmpty() ? a.exe : "?");
            truncated |= a.exeTruncated;
        }
        p.ancestors = String.join("|", chain.reversed());
        p.ancestorsTruncated = truncated || a != null;
        p.ancestorsEpoch = ancestryEpoch; // read after the walk: parent() may have linked a parent late
        return p.ancestors;
    }

    static final int MAX_ANCESTORS = 256;

    /**
     * True when {@link #ancestors} is not the whole story: the kernel cut an ancestor's exe path (too deep or too
     * long), or the chain had more than {@link #MAX_ANCESTORS} ancestors and the oldest were left out.
     */
    public boolean ancestorsTruncated(Process p) {
        ancestors(p);
        return p.ancestorsTruncated;
    }

    /**
     * sched_process_fork. A thread (CLONE_THREAD) joins its parent's process; CLONE_VM without CLONE_THREAD
     * (vfork, posix_spawn) makes a process sharing the parent's address space; a plain fork copies it.
     */
    public void fork(ForkRecord f) {
        lastHdr = null;
        Hdr h = f.h();
        Thread parentThread = thread(h);
        Process parent = parentThread.process();
        if (f.thread()) {
            threads.put(f.childTid(), new Thread(parent, f.childTid(), parentThread.comm(), parentThread.uid(),
                    parentThread.gid(), parentThread.euid(), parentThread.egid(), parentThread.mntns(), parentThread.personality()));
            mm(parent, h.ktimeNs()).recentChanges().threadStarted(f.childTid(), h.ktimeNs());
            return;
        }
        Process child = live.get(f.childPid());
        if (child != null && child.startExact && child.startNs == f.childStartNs()) {
            // The child's TASK record came first (records of two CPUs): same process, now with its parent.
            child.source = Process.Source.FORK;
        } else {
            if (child != null) {
                endUnrecorded(child, h.ktimeNs());
            }
            child = newProcess(f.childPid(), Process.Source.FORK, f.childStartNs(), true, h.ktimeNs());
        }
        ancestryEpoch++; // the child may have been met before (its TASK record first), with children of its own
        child.ppid = parent.pid;
        child.parentStartNs = parent.startNs;
        child.parent = parent;
        child.exe = parent.exe;
        child.exeTruncated = parent.exeTruncated;
        child.argv = parent.argv;
        child.argvTruncated = parent.argvTruncated;
        child.comm = parentThread.comm();
        child.uid = parentThread.uid(); child.gid = parentThread.gid();
        child.euid = parentThread.euid(); child.egid = parentThread.egid();
        child.mntns = parentThread.mntns();
        if (child.mm == null) {
            RegionMap parentMm = mm(parent, h.ktimeNs());
            child.mm = f.sharesVm() ? parentMm : parentMm.forkCopy(++lastMmId, child.pid, child.comm, h.ktimeNs());
            child.mm.retain();
        }
        child.mm.recentChanges().threadStarted(f.childTid(), h.ktimeNs()); // a CLONE_VM child shares the map: its changes race too
        threads.put(f.childTid(), new Thread(child, f.childTid(), child.comm, child.uid, child.gid, child.euid, child.egid, child.mntns));
    }

    /**
     * sched_process_exec: a new image and a new address space, described by the VMA records that follow. The
     * thread that called exec now carries the pid; the old address space loses a user.
     */
    public void exec(ExecRecord e) {
        lastHdr = null;
        Hdr h = e.h();
        Thread caller = threads.remove(e.oldTid());
        Process p = caller != null && caller.process().pid == h.pid() ? caller.process() : processOf(h);
        Thread leader = threads.get(h.pid());
        if (leader == null || leader.process() != p) {
            leader = caller != null ? caller : thread(h);
        }
        threads.put(h.pid(), new Thread(p, h.pid(), leader.comm(), leader.uid(), leader.gid(), leader.euid(), leader.egid(), leader.mntns()));
        p.exe = e.exe() != null ? names.of(e.exe().path()) : null;
        p.exeTruncated = e.exe() != null && e.exe().pathTruncated();
        ancestryEpoch++;
        p.argv = List.copyOf(e.argv());
        p.argvTruncated = e.argvTruncated();
        p.execs++;
        walks.remove(p.pid);
        dropMm(p, h.ktimeNs());
        walks.put(p.pid, new Walk(h.ktimeNs()));
        lastHdr = null;
    }

    /** One VMA of the address space an exec made. */
    public void vma(VmaRecord v) {
        Walk w = walks.get(v.h().pid());
        Process p = live.get(v.h().pid());
        if (w == null || p == null || p.mm != null) {
            return; // a walk whose exec record was lost: its address space stays as it is
        }
        if (v.seq() != w.nextSeq) {
            w.gap = true; // records of this walk were lost
        }
        w.nextSeq = v.seq() + 1;
        if (v.end() > v.start()) {
            Region r = fromVma(v);
            w.regions.add(r);
            w.lastEnd = Math.max(w.lastEnd, v.end());
            if (v.file() != null && (v.vmFlags() & VM_EXEC) != 0) {
                listener.execMapped(p, v, r);
            }
        }
        if (v.last()) {
            finishWalk(p, w, !w.gap && !v.walkTruncated() ? RegionMap.USER_END : w.gap ? 0 : w.lastEnd);
        }
    }

    /**
     * An exit(2) call, recorded as its task passes sched_process_exit, just before that task's exit record: a
     * process's first thread that calls it leaves alone (exit_group ends them all), and if others run on, the process
     * lives on with its leader a zombie.
     */
    public void exitCall(Hdr h) {
        if (h.tid() == h.pid()) {
            leadersInExit.put(h.tid(), h.ktimeNs());
        }
    }

    /** sched_process_exit: a thread ends; with group_dead, the process does. */
    public void exit(ExitRecord x) {
        lastHdr = null;
        Hdr h = x.h();
        Thread t = threads.remove(h.tid());
        Long exitCallNs = leadersInExit.remove(h.tid());
        boolean leaderCalledExit = exitCallNs != null && h.ktimeNs() - exitCallNs < EXIT_CALL_REACH_NS;
        Process p = t != null ? t.process() : live.get(h.pid());
        if (!x.groupDead()) {
            // The first thread left by exit(2) and the process runs on without it. Not when another thread's exec ended
            // it (the kernel's de_thread kills it, it calls nothing) nor in an exit_group (every thread goes).
            if (leaderCalledExit && p != null && live.get(p.pid) == p && !p.leaderExited) {
                p.leaderExited = true;
                p.leaderExitNs = h.ktimeNs();
            }
            return;
        }
        if (p == null || live.get(p.pid) != p) {
            return;
        }
        p.exitNs = h.ktimeNs();
        p.exitCode = x.exitCode();
        p.exitRecorded = true;
        end(p, h.ktimeNs());
    }

    /** The recorder reported {@code count} more records lost: any live process may lack some of its history. */
    public void lost(long count) {
        lostRecords += count;
    }

    /** Records lost while {@code p} was alive (up to now): when not 0, its state may be incomplete. */
    public long lostDuring(Process p) {
        return lostRecords - p.lossesBefore;
    }

    /** The processes still running, oldest first (deterministic order for the final rows). */
    public List<Process> live() {
        List<Process> out = live.values();
        out.sort(Comparator.comparingLong(Process::id));
        return out;
    }

    /** The address spaces still in use, by id. */
    public List<RegionMap> liveMaps() {
        Map<Long, RegionMap> maps = new HashMap<>();
        for (Process p : live.values()) {
            RegionMap m = p.mm;
            if (m == null) {
                continue; // never touched: nothing to report
            }
            maps.put(m.id(), m);
        }
        List<RegionMap> out = new ArrayList<>(maps.values());
        out.sort(Comparator.comparingLong(RegionMap::id));
        return out;
    }

    public long processesSeen() {
        return lastProcessId;
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private Thread thread(Hdr h) {
        if (h == lastHdr) {
            return lastThread; // the same record asks again (its row, its address space, its alert)
        }
        Thread t = threads.get(h.tid());
        if (t != null && live.get(h.pid()) == t.process()) {
            lastHdr = h;
            lastThread = t;
            return t;
        }
        Process p = live.get(h.pid());
        if (p == null) {
            // No TASK record (lost, or the recorder started mid-way): a process we know nothing about.
            p = newProcess(h.pid(), Process.Source.SEEN, -1, false, h.ktimeNs());
        }
        t = new Thread(p, h.tid(), p.comm, p.uid, p.gid, p.euid, p.egid, p.mntns);
        threads.put(h.tid(), t);
        lastHdr = h;
        lastThread = t;
        return t;
    }

    private boolean sameProcess(Process p, long leaderStartNs) {
        if (p.startExact) {
            return p.startNs == leaderStartNs;
        }
        if (p.snapshotNs >= 0) {
            return leaderStartNs <= p.snapshotNs; // alive at the snapshot, so no other process had its pid then
        }
        return true; // met without any start time: nothing says it is another one
    }

    private Process parent(Process p) {
        if (p.parent == null && p.ppid > 0) {
            Process candidate = live.get(p.ppid);
            if (candidate != null && candidate != p && (!candidate.startExact || !p.startExact || candidate.startNs <= p.startNs)) {
                p.parent = candidate; // linked late: snapshot processes name their parent by pid only
                ancestryEpoch++;
            }
        }
        return p.parent;
    }

    private Process newProcess(int pid, Process.Source source, long startNs, boolean exact, long nowNs) {
        Process p = new Process(++lastProcessId, pid, source, startNs, exact, nowNs);
        p.lossesBefore = lostRecords;
        live.put(pid, p);
        ancestryEpoch++; // a process without a parent link may now find its parent by pid
        return p;
    }

    private RegionMap mm(Process p, long nowNs) {
        if (p.mm == null) {
            Walk w = walks.get(p.pid);
            if (w != null) {
                finishWalk(p, w, w.gap ? 0 : w.lastEnd); // used before its last VMA arrived: the rest is unknown
            } else {
                p.mm = unknownMap(p, nowNs);
                p.mm.retain();
            }
        }
        return p.mm;
    }

    private RegionMap unknownMap(Process p, long nowNs) {
        return RegionMap.unknown(++lastMmId, p.pid, p.comm, history, nowNs);
    }

    private void finishWalk(Process p, Walk w, long knownUpTo) {
        walks.remove(p.pid);
        p.mm = RegionMap.of(++lastMmId, p.pid, p.comm, history, w.regions, knownUpTo, w.ktimeNs, "exec");
        p.mm.retain();
    }

    private void dropMm(Process p, long nowNs) {
        if (p.mm != null && p.mm.releaseUser()) {
            p.mm.close(nowNs);
        }
        p.mm = null;
    }

    /** The pid came back with another start time: the process it named ended without an exit record. */
    private void endUnrecorded(Process p, long nowNs) {
        p.exitNs = nowNs; // an upper bound: it was gone by then (exitRecorded stays false)
        end(p, nowNs);
    }

    private void end(Process p, long nowNs) {
        lastHdr = null;
        live.remove(p.pid);
        ancestryEpoch++;
        walks.remove(p.pid);
        threads.removeIf(t -> t.process() == p);
        listener.processEnded(p); // before its address space goes: the row says whether that was fully known
        dropMm(p, nowNs);
        if (!snapshotPast) {
            endedLately.remove(p.pid); // a reused pid's latest lifetime counts as the latest end
            endedLately.put(p.pid, p);
        }
    }

    /**
     * A VMA of /proc/PID/smaps (or a line of maps, without its flags) as a region. VM_ACCOUNT is taken for file
     * mappings only, as everywhere (see {@link Region#VM_ACCOUNT}).
     */
    public static Region fromMapsLine(SnapshotRegion l) {
        String path = l.path() == null ? "" : l.path();
        int prot = l.prot() & 7;
        long flags = smapsFlags(l.vmFlags());
        Region r;
        if (l.inode() != 0 || (!path.isEmpty() && !path.startsWith("["))) {
            MappedFile f = new MappedFile(path, MappedFile.kernelDev(l.devMajor(), l.devMinor()), l.inode(), MappedFile.CTIME_UNKNOWN);
            Backing b = l.shared() && path.startsWith("/dev/zero") ? Backing.SHMEM : Backing.FILE;
            r = Region.piece(l.start(), l.end(), prot, l.shared(), b, f, l.offset(), null);
            if (b != Backing.FILE || l.shared()) {
                flags &= ~VM_ACCOUNT;
            }
        } else {
            // Anonymous: "[heap]", "[stack]", "[vdso]", "[anon:name]" or nothing.
            r = Region.piece(l.start(), l.end(), prot, l.shared(), Backing.ANON, null, 0, path.isEmpty() ? null : path);
            flags &= ~VM_ACCOUNT;
        }
        return r.withVmFlagsChanged(flags, 0);
    }

    /** The flags a region keeps, from smaps' VmFlags mnemonics (show_smap_vma_flags in the kernel); 0 when unknown. */
    private static long smapsFlags(String vmFlags) {
        if (vmFlags == null) {
            return 0;
        }
        long flags = 0;
        for (String m : vmFlags.split(" ")) {
            flags |= switch (m) {
                case "ac" -> VM_ACCOUNT;
                case "nr" -> Region.VM_NORESERVE;
                case "sr" -> Region.VM_SEQ_READ;
                case "rr" -> Region.VM_RAND_READ;
                case "dc" -> Region.VM_DONTCOPY;
                case "wf" -> Region.VM_WIPEONFORK;
                case "dd" -> Region.VM_DONTDUMP;
                case "hg" -> Region.VM_HUGEPAGE;
                case "nh" -> Region.VM_NOHUGEPAGE;
                case "sl" -> Region.VM_SEALED;
                case "lo" -> Region.VM_LOCKED;
                case "lf" -> Region.VM_LOCKONFAULT;
                case "io" -> Region.VM_IO;
                case "pf" -> Region.VM_PFNMAP;
                case "de" -> Region.VM_DONTEXPAND;
                case "mm" -> Region.VM_MIXEDMAP;
                default -> 0L;
            };
        }
        return flags;
    }

    /** A VMA walked in the kernel as a region. The kernel names [stack] by VM_GROWSDOWN here; vdso/vvar stay unnamed. */
    Region fromVma(VmaRecord v) {
        int prot = (int) (v.vmFlags() & (VM_READ | VM_WRITE | VM_EXEC));
        boolean shared = (v.vmFlags() & VM_SHARED) != 0;
        FileRef f = v.file();
        if (f != null) {
            return Region.piece(v.start(), v.end(), prot, shared, Backing.FILE, mappedFile(f), v.pgoff() * Prot.PAGE_SIZE, null)
                    .withVmFlagsChanged(keptFlags(v, shared ? 0 : VM_ACCOUNT), 0);
        }
        String label = (v.vmFlags() & VM_GROWSDOWN) != 0 ? "[stack]" : null;
        return Region.piece(v.start(), v.end(), prot, shared, shared ? Backing.SHMEM : Backing.ANON, shared ? MappedFile.SHARED_ANON : null, 0, label)
                .withVmFlagsChanged(keptFlags(v, 0), 0);
    }

    /** The walked VMA's flags that a region carries (Region#vmFlags); VM_ACCOUNT only where {@code account} says. */
    private static long keptFlags(VmaRecord v, long account) {
        return v.vmFlags() & (Region.VM_FLAGS_KEPT & ~(VM_ACCOUNT | Region.VM_SEALED) | account);
    }

    /** A file a record names, its path as the export shows it (one object for equal paths: {@link Names}). */
    public MappedFile mappedFile(FileRef f) {
        String path = f.path() == null || f.path().isEmpty() ? null : f.path();
        // As /proc/PID/maps and d_path() print them: deleted files and memfds are what an analyst hunts for.
        if (path != null && f.unlinked() && !path.endsWith(" (deleted)")) path = path + " (deleted)";
        return new MappedFile(names.of(path), f.dev(), f.ino(), f.ctimeSec() * 1_000_000_000L + f.ctimeNsec(), f.pathTruncated());
    }
}
