package dev.mapscribe.recorder;

import dev.mapscribe.formats.journal.JournalWriter;
import dev.mapscribe.formats.raw.RecordKind;
import dev.mapscribe.formats.raw.UserRecord;
import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import dev.mapscribe.formats.raw.UserRecord.Loss;
import dev.mapscribe.formats.raw.UserRecord.RecorderStatus;
import dev.mapscribe.recorder.bpf.BpfException;
import dev.mapscribe.recorder.bpf.HookTier;
import dev.mapscribe.recorder.bpf.KernelPrograms;
import dev.mapscribe.recorder.bpf.ProgramStats;
import dev.mapscribe.recorder.sys.Libc;
import dev.mapscribe.recorder.enrich.Enricher;
import dev.mapscribe.recorder.enrich.ProcessLink;
import dev.mapscribe.recorder.proc.ProcSnapshotter;
import dev.mapscribe.recorder.ring.Holder;
import dev.mapscribe.recorder.ring.KernelBatcher;
import dev.mapscribe.recorder.ring.LossSampler;
import dev.mapscribe.recorder.ring.QuietWakeup;
import dev.mapscribe.recorder.ring.RingReader;
import dev.mapscribe.recorder.ring.RingWait;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The recording pipeline: kernel programs → ring buffer → batches → journal, plus the /proc snapshot,
 * loss samples, status records and file enrichment, all written by one writer thread.
 *
 * <p>Start-up order, chosen so that nothing is lost: start the enricher (so that every executable mapping
 * drained is offered to it) and open the journal (slow: before the attach, so that nothing waits for it), load
 * and attach the programs (the tier is the one that both loaded and attached, so a refused attach can still
 * fall back before the journal header names the tier), write the header, start draining, and only then
 * snapshot /proc. A process that changes its mappings while the
 * snapshot reads it therefore appears in both: its kernel records (from attach on) and a snapshot that
 * may already reflect some of them. The analyzer must treat the snapshot as "state at some instant after
 * attach" and replay the kernel records of that process idempotently (a mapping already in the snapshot
 * may be mapped again by its own record). Snapshotting before attach would instead lose the changes
 * made between the two.
 */
public final class Recorder implements AutoCloseable {
    /**
     * What --hooks asked for. SYSCALLS: tp_btf, falling back to raw tracepoints; SYSCALLS_RAW_TP: raw tracepoints
     * only (to test that variant where tp_btf works); AUTO: LSM first, then as SYSCALLS.
     */
    public enum Hooks { AUTO, SYSCALLS, SYSCALLS_RAW_TP, LSM }

    /**
     * @param commandLine the recorder's command line, for the journal header
     * @param snapshot    take the /proc snapshot at start
     * @param enrich      hash and identify executable files
     * @param err         where the recorder's one-line notices go (stderr in the CLI)
     * @param syntheticProducerPid capacity benchmark: this process's getppid(2) calls generate records; 0: off
     * @param drainIntervalNs how often the writer drains the ring when the kernel does not wake it (whole
     *                        milliseconds: epoll_wait's unit); {@link #DEFAULT_DRAIN_INTERVAL_NS} but in tests
     * @param leftOut     names of the tier's optional hooks left out on purpose ({@link HookTier.OptionalHooks#name()}:
     *                    record --no-io-uring, --no-map-order)
     * @param afterSnapshotWalk run once /proc is read and before the snapshot is queued for the journal (tests: a
     *                    process that ends in between, as one can during a busy host's long walk); nothing by default
     */
    public record Config(Path journal, Hooks hooks, long maxDiskBytes, long ringBytes, boolean enrich, boolean snapshot,
                         List<String> commandLine, PrintStream err, int syntheticProducerPid, long drainIntervalNs,
                         boolean realtimeHolder, Set<String> leftOut, Runnable afterSnapshotWalk) {
        public Config(Path journal, Hooks hooks, long maxDiskBytes, long ringBytes, boolean enrich, boolean snapshot,
                      List<String> commandLine, PrintStream err) {
            this(journal, hooks, maxDiskBytes, ringBytes, enrich, snapshot, commandLine, err, 0);
        }

        public Config(Path journal, Hooks hooks, long maxDiskBytes, long ringBytes, boolean enrich, boolean snapshot,
                      List<String> commandLine, PrintStream err, int syntheticProducerPid) {
            this(journal, hooks, maxDiskBytes, ringBytes, enrich, snapshot, commandLine, err, syntheticProducerPid,
                    DEFAULT_DRAIN_INTERVAL_NS, true, Set.of(), () -> { });
        }

        /** The same recording, drained every {@code ns} when the kernel does not wake the writer. */
        public Config withDrainInterval(long ns) {
            return new Config(journal, hooks, maxDiskBytes, ringBytes, enrich, snapshot, commandLine, err,
                    syntheticProducerPid, ns, realtimeHolder, leftOut, afterSnapshotWalk);
        }

        /**
         * The same recording, its holder thread under SCHED_FIFO ({@code true}, the default) or a normal thread at
         * nice -4 (see {@link Recorder#holderScheduling()}).
         */
        public Config withRealtimeHolder(boolean on) {
            return new Config(journal, hooks, maxDiskBytes, ringBytes, enrich, snapshot, commandLine, err,
                    syntheticProducerPid, drainIntervalNs, on, leftOut, afterSnapshotWalk);
        }

        /** The same recording, {@code hook} run between the /proc walk and the queueing of its records (tests). */
        public Config withAfterSnapshotWalk(Runnable hook) {
            return new Config(journal, hooks, maxDiskBytes, ringBytes, enrich, snapshot, commandLine, err,
                    syntheticProducerPid, drainIntervalNs, realtimeHolder, leftOut, hook);
        }

        /**
         * The same recording with the io_uring programs ({@code true}, the default: every io_uring request of the host
         * pays for them: ~130 ns a write request, docs/PERFORMANCE.md) or without them, said in the recording's note.
         */
        public Config withIoUring(boolean on) {
            return with(HookTier.IO_URING, on);
        }

        /**
         * The same recording with the mmap lock's program ({@code true}, the default: every mmap lock the host takes pays
         * for it, ~2-4 % of an mmap/mprotect/munmap storm, docs/PERFORMANCE.md) or without it: calls that race on one
         * address space are then replayed in the order they returned, without a word, said in the recording's note.
         */
        public Config withMapOrder(boolean on) {
            return with(HookTier.MAP_ORDER, on);
        }

        /**
         * The same recording with the ioctl's entry program ({@code true}, the default: every ioctl of the host runs it,
         * a compare ending it, ~130 ns an ioctl here, docs/PERFORMANCE.md) or without it: a userfaultfd fill's range is
         * then read as the call returns, said in the recording's note.
         */
        public Config withUffdEntry(boolean on) {
            return with(HookTier.UFFD_ENTRY.name(), on);
        }

        private Config with(String optionalHooks, boolean on) {
            Set<String> out = new java.util.TreeSet<>(leftOut);
            if (on) out.remove(optionalHooks);
            else out.add(optionalHooks);
            return new Config(journal, hooks, maxDiskBytes, ringBytes, enrich, snapshot, commandLine, err,
                    syntheticProducerPid, drainIntervalNs, realtimeHolder, Set.copyOf(out), afterSnapshotWalk);
        }

        /**
         * User space checks the ring every ~1 ms: the kernel submits without wake-ups (shared/FACTS.md) but for a
         * few rare records (see writerLoop), so this timer drains nearly everything. -Dmapscribe.drainIntervalUs=N
         * changes it (for benchmarks).
         */
        public static final long DEFAULT_DRAIN_INTERVAL_NS = Long.getLong("mapscribe.drainIntervalUs", 1000) * 1000;

        public static final long DEFAULT_RING = 64L << 20;
        public static final long DEFAULT_MAX_DISK = 4L << 30;
    }

    /** What a recording did, for the end-of-run summary. */
    public record Summary(HookTier tier, Map<RecordKind, Long> kernelRecordsByKind, long kernelRecords, long kernelBytes,
                          long userRecords, long batches, long bytesOnDisk, long lost, long filesHashed, long cpuNs,
                          long wallNs, long refusedRecords, int rolledCycles, Enricher.Stats enrichment,
                          long refusedForSpace, long compatCalls) {
    }

    /**
     * While the ring stays empty the checks back off, doubling up to this: a check every 1 ms costs the writer
     * thread CPU for nothing on a quiet host (docs/RECORDER.md has the figure). Only rings of {@link #BACKOFF_MIN_RING} or more back off: the first
     * burst after a quiet spell waits in the ring until the next check (8 ms of 5M records/s at 56 bytes is
     * 2.2 MiB). Empty for {@link #IDLE_BACKOFF_MAX} drain intervals (the back-off's 1 + 2 + 4 + 8 ms), the writer dozes
     * until the first record wakes it (QuietWakeup), whatever the ring's size: the kernel wakes it at once.
     */
    private static final int IDLE_BACKOFF_MAX = 8; // times the drain interval
    private static final long NOT_QUIET = Long.MIN_VALUE;
    private static final long BACKOFF_MIN_RING = 16L << 20;
    private static final long LOSS_INTERVAL_NS = 100_000_000;    // loss counters every 100 ms
    private static final long STATUS_INTERVAL_NS = 1_000_000_000; // a status record every second
    private static final long BATCH_BYTES = 1 << 20;
    private static final int WRITER_NICE = -4;

    private final Config config;
    private final Arena arena = Arena.ofShared();
    // Created and used by the writer thread only: Chronicle's appender belongs to one thread.
    private JournalWriter journal;
    private RingReader ring;
    private LossSampler losses;
    /** 32-bit syscalls the kernel programs did not record (Loss.COMPAT): not lost in the ring, left out on purpose. */
    private LossSampler compatCalls;
    // Runs of the programs the kernel skipped (ProgramStats): their loaded fds, and the reader of their counters
    private int[] programFds;
    private ProgramStats programStats;
    private KernelBatcher batcher;
    // Start-up hand-offs between start()'s thread and the writer thread (see start()).
    private final CompletableFuture<Void> journalOpen = new CompletableFuture<>();
    private final CompletableFuture<KernelPrograms> attached = new CompletableFuture<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** Records produced off the writer thread (snapshot, enrichment): the writer thread appends them. */
    private final ConcurrentLinkedQueue<Object> userQueue = new ConcurrentLinkedQueue<>();
    private final Thread writer;
    // Set by the writer thread from `attached`, before `ready` completes: read on other threads only after that.
    private KernelPrograms programs;
    private long startNs;
    private volatile boolean stopRequested;
    private volatile RingWait writerWait; // the writer thread's, while it runs: stop() wakes it
    private volatile boolean writerDozing; // while the writer sleeps through a quiet spell: the enricher wakes it
    private volatile Throwable writerFailure;
    // Null with --no-enrich. Set by start() before `attached` completes, so the writer (which drains only after
    // that) always sees it: the warm-ups that make it run while the writer opens the journal.
    private Enricher enricher;
    private long userRecords;
    private long filesHashed;
    private volatile String note = ""; // written by start()'s thread (snapshot failure), read by the writer thread
    private Summary summary;
    private volatile Holder holder;
    private volatile String holderNone = "none";

    private Recorder(Config config) {
        this.config = config;
        this.writer = new Thread(this::run, "mapscribe-writer");
    }

    /** On the writer thread, once the programs are attached: the header, the ring mapping, the loss sampler. */
    private void startJournal() throws IOException {
        this.startNs = programs.attachedNs(); // no kernel record is older than the attach
        journal.start(new JournalHeader(RecordKind.FORMAT_VERSION, recorderVersion(), readFirstLine("/proc/sys/kernel/hostname"),
                readFirstLine("/etc/machine-id"), readFirstLine("/proc/sys/kernel/osrelease"), Libc.bootTimeUtcNs(),
                programs.tier().journalName(), programs.sha256(), Libc.clockNs(Libc.CLOCK_REALTIME), startNs,
                List.copyOf(config.commandLine()), (int) ProcessHandle.current().pid(), overcommitMemory(),
                Libc.suspendedNs()));
        this.ring = new RingReader(programs.ringFd(), programs.ringBytes());
        this.losses = new LossSampler(programs.lossMapFd(), arena);
        this.compatCalls = new LossSampler(programs.compatMapFd(), Loss.COMPAT, arena);
        this.programFds = programs.programFds().values().stream().mapToInt(Integer::intValue).toArray();
        this.programStats = new ProgramStats(arena);
        this.lastLossSampleNs = startNs; // the first loss records' ranges start at the attach
        this.batcher = new KernelBatcher(journal, this::offerFile, arena, BATCH_BYTES);
    }

    /**
     * How the holder thread is scheduled (see {@link Holder}): "SCHED_FIFO 1", or "nice -4" with why SCHED_FIFO
     * was not used; "none" without enrichment. Known once {@link #start} has returned.
     */
    public String holderScheduling() {
        return holder == null ? holderNone : holder.scheduling();
    }

    private void run() {
        try {
            // A busy host must not starve the thread that drains the ring: nice -4, as auditd's default
            // priority_boost. It uses little CPU, so it takes little from others.
            Libc.niceCurrentThread(WRITER_NICE);
        } catch (IOException e) {
            // without CAP_SYS_NICE: the default priority
        }
        // The journal is opened here, by the thread that writes it (Chronicle's appenders belong to one thread).
        try {
            journal = JournalWriter.open(config.journal(), new JournalWriter.Options(config.maxDiskBytes(),
                    JournalWriter.Options.defaults().compress()));
        } catch (Throwable t) {
            journalOpen.completeExceptionally(t);
            return;
        }
        journalOpen.complete(null);
        try {
            programs = attached.join();
        } catch (CompletionException | CancellationException e) {
            journal.abandon(); // the programs did not load: no recording, no journal left behind
            return;
        }
        try {
            startJournal();
        } catch (Throwable t) {
            journal.close();
            ready.completeExceptionally(t);
            return;
        }
        ready.complete(null);
        writerLoop();
    }

    /** Times the hold of a new file and the decoding before it run at start-up, for the JIT (Enricher#warmUpHolds). */
    static final int HOLD_WARM_UPS = 3000;

    /**
     * Opens the journal (on the writer thread) while it starts the enricher, then loads and attaches the kernel
     * programs, writes the journal header, starts draining, and takes the snapshot. Everything slow comes before
     * the attach (the warm-ups, the journal's ~0.3 s to open), so that the writer drains and holds from the first
     * kernel record on.
     */
    public static Recorder start(Config config) throws IOException {
        int self = (int) ProcessHandle.current().pid();
        Recorder r = new Recorder(config);
        r.writer.start(); // opens the journal meanwhile
        KernelPrograms programs = null;
        try {
            JournalWriter.warmUpCompression();
            // The enricher exists, warmed up, before the attach: from then on the writer thread offers it every
            // executable mapping as it drains, and holds the new files at once (a mapping drained with no enricher
            // would never be hashed, nor would the kernel wake the recorder for that file again).
            r.enricher = config.enrich() ? startEnricher(r::queueFromEnricher, config.err()) : null;
            r.journalOpen.join();
            programs = loadPrograms(config.hooks(), self, config.syntheticProducerPid(), config.ringBytes(), config.leftOut(),
                    config.err());
            if (programs.unwatched() != null) {
                r.note = programs.unwatched(); // the first note: nothing else has written one yet
            }
            r.attached.complete(programs);
            r.ready.join();
            r.startHolder(programs);
        } catch (Throwable t) {
            r.attached.completeExceptionally(t); // no-op once completed; else the writer abandons the journal
            joinQuietly(r.writer);
            if (r.enricher != null) {
                r.enricher.close();
            }
            if (programs != null) {
                programs.close();
            }
            r.arena.close();
            throw startFailure(t);
        }
        if (config.snapshot()) {
            r.takeSnapshot(self);
        }
        return r;
    }

    /** What start() throws for {@code t}: the writer thread's failures arrive wrapped by the futures. */
    private static IOException startFailure(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause == t && t instanceof RuntimeException re) {
            throw re; // loadPrograms' own, as it threw it
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IOException(String.valueOf(cause.getMessage()), cause);
    }

    /** Waits for {@code t} to end, however often interrupted; the interrupt is kept for the caller. */
    private static void joinQuietly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static Enricher startEnricher(Consumer<UserRecord> sink, PrintStream err) {
        // Compiled before the first real hold, which may race a process that exits 2 ms after its mapping.
        KernelBatcher.warmUp(HOLD_WARM_UPS);
        Enricher.warmUpHolds(HOLD_WARM_UPS);
        Enricher enricher = new Enricher(sink);
        if (enricher.magicProblem() != null) {
            err.println("mapscribe: no libmagic descriptions: " + enricher.magicProblem());
        }
        return enricher;
    }

    /**
     * Loads and attaches the first tier of the hooks' fallback chain that the kernel accepts, with one line on
     * {@code err} for each refused tier: AUTO tries the LSM tier (EPERM here: lockdown or no BPF LSM), then tp_btf,
     * then raw tracepoints; SYSCALLS tries tp_btf, then raw tracepoints. A tier named alone (LSM, SYSCALLS_RAW_TP)
     * fails with its refusal.
     */
    static KernelPrograms loadPrograms(Hooks hooks, int self, int synthetic, long ringBytes, Set<String> leftOut,
            PrintStream err) throws IOException {
        List<HookTier> chain = switch (hooks) {
            case AUTO -> List.of(HookTier.LSM, HookTier.SYSCALLS, HookTier.SYSCALLS_RAW_TP);
            case SYSCALLS -> List.of(HookTier.SYSCALLS, HookTier.SYSCALLS_RAW_TP);
            case SYSCALLS_RAW_TP -> List.of(HookTier.SYSCALLS_RAW_TP);
            case LSM -> List.of(HookTier.LSM);
        };
        try {
            return loadFirstAccepted(chain, self, synthetic, ringBytes, leftOut, err);
        } catch (BpfException e) {
            if (hooks == Hooks.LSM) {
                throw new IOException("the LSM tier does not load on this kernel (" + e.getMessage()
                        + "): use --hooks syscalls or --hooks auto", e);
            }
            throw e;
        }
    }

    /** The first tier of {@code chain} that loads and attaches; the last tier's refusal is thrown. */
    static KernelPrograms loadFirstAccepted(List<HookTier> chain, int self, int synthetic, long ringBytes,
            Set<String> leftOut, PrintStream err) throws IOException {
        for (int i = 0; ; i++) {
            HookTier tier = chain.get(i);
            try {
                return loadTier(tier, self, synthetic, ringBytes, leftOut, err);
            } catch (BpfException e) {
                if (i == chain.size() - 1) {
                    throw e;
                }
                err.println("mapscribe: " + tier.programsName() + " refused by the kernel (" + e.getMessage() + "); trying "
                        + chain.get(i + 1).journalName());
            }
        }
    }

    private static KernelPrograms loadTier(HookTier tier, int self, int synthetic, long ringBytes, Set<String> leftOut,
            PrintStream err) throws IOException {
        List<HookTier.OptionalHooks> optional = tier.optional().stream().filter(o -> !leftOut.contains(o.name())).toList();
        KernelPrograms p = loadTier(tier, tier.programs(), optional, self, synthetic, ringBytes, err);
        List<String> off = new ArrayList<>();
        for (HookTier.OptionalHooks o : tier.optional()) {
            if (leftOut.contains(o.name())) off.add(o.name() + " not watched (" + o.optOut() + ")");
        }
        if (p.unwatched() != null) off.add(p.unwatched());
        p.setUnwatched(off.isEmpty() ? null : String.join("; ", off));
        return p;
    }

    /**
     * The tier's programs with the optional hooks, or, where the kernel refuses some of those, with the ones it
     * accepts: one line on {@code err} for each refused one, and the recording's note saying what is not watched
     * ({@link KernelPrograms#unwatched()}). A refusal of the tier itself is thrown.
     */
    static KernelPrograms loadTier(HookTier tier, Set<String> required, List<HookTier.OptionalHooks> optional, int self,
            int synthetic, long ringBytes, PrintStream err) throws IOException {
        Set<String> all = new java.util.TreeSet<>(required);
        optional.forEach(o -> all.addAll(o.programs()));
        if (!tier.gate().isEmpty() && required.containsAll(tier.gate())) {
            // loaded, not attached: an LSM program attached would run for every mmap of the host before its tier does
            try (KernelPrograms gate = KernelPrograms.open(tier, tier.gate(), self, 0, Libc.pageSize())) {
                gate.load();
            }
        }
        try {
            return loadAndAttach(tier, all, self, synthetic, ringBytes);
        } catch (BpfException e) {
            if (optional.isEmpty()) {
                throw e;
            }
        }
        // Which does the kernel refuse? The required programs first (their refusal is the tier's), then each
        // optional hook beside the ones accepted so far. Only kernels that refuse something come here.
        loadAndAttach(tier, required, self, synthetic, ringBytes).close();
        Set<String> accepted = new java.util.TreeSet<>(required);
        List<String> unwatched = new ArrayList<>();
        for (HookTier.OptionalHooks o : optional) {
            Set<String> with = new java.util.TreeSet<>(accepted);
            with.addAll(o.programs());
            try {
                loadAndAttach(tier, with, self, synthetic, ringBytes).close();
                accepted = with;
            } catch (BpfException e) {
                String what = o.name() + " not watched (" + String.join(", ", new java.util.TreeSet<>(o.programs())) + ": "
                        + e.getMessage() + ")";
                unwatched.add(what);
                err.println("mapscribe: " + what + "; " + o.lost());
            }
        }
        KernelPrograms p = loadAndAttach(tier, accepted, self, synthetic, ringBytes);
        p.setUnwatched(unwatched.isEmpty() ? null : String.join("; ", unwatched));
        return p;
    }

    private static KernelPrograms loadAndAttach(HookTier tier, Set<String> programs, int self, int synthetic,
            long ringBytes) throws IOException {
        KernelPrograms p = KernelPrograms.open(tier, programs, self, synthetic, ringBytes);
        try {
            p.load();
            p.attachAll();
            return p;
        } catch (BpfException e) {
            p.close();
            throw e;
        }
    }

    private void takeSnapshot(int self) {
        try (ProcSnapshotter s = new ProcSnapshotter()) {
            List<UserRecord> records = s.snapshot(self);
            config.afterSnapshotWalk().run();
            userQueue.add(records);
            sayWhoHides(records);
            // Files of processes already running are hashed too: they may be what the attacker left behind.
            if (enricher != null) {
                for (UserRecord r : records) {
                    if (r instanceof UserRecord.SnapshotRegion region) enricher.offerRegion(region);
                }
            }
        } catch (IOException | RuntimeException e) {
            note = (note.isEmpty() ? "" : note + "; ") + "snapshot failed: " + e.getMessage();
            config.err().println("mapscribe: /proc snapshot failed: " + e.getMessage());
        }
    }

    /**
     * One line for the responder at the host: the running processes whose first thread has exited while others run on,
     * which /proc (and every tool that reads /proc/PID) shows as zombies with no exe, command line or maps; the
     * snapshot read them through a live thread.
     */
    private void sayWhoHides(List<UserRecord> records) {
        List<String> hiding = new ArrayList<>();
        for (UserRecord r : records) {
            if (r instanceof UserRecord.ProcSnapshot p && p.readVia() > 0) {
                hiding.add(p.pid() + " (" + p.comm() + ", " + p.exe() + ")");
            }
        }
        if (!hiding.isEmpty()) {
            config.err().println("mapscribe: " + hiding.size() + " running process(es) hide behind an exited first thread"
                    + " (/proc shows a zombie; read through a live thread): "
                    + String.join(", ", hiding.subList(0, Math.min(5, hiding.size()))) + (hiding.size() > 5 ? ", ..." : ""));
        }
    }

    /**
     * Starts the holder thread on the kernel's hold requests (none without enrichment: nothing to hold for). Never
     * fails the recording: without a holder the writer still holds every file, later.
     */
    private void startHolder(KernelPrograms programs) {
        Enricher e = enricher;
        if (e == null) {
            return;
        }
        try {
            holder = Holder.start(programs.holdRingFd(), KernelPrograms.HOLD_RING_BYTES,
                    r -> e.holdEarly(r.tgid(), r.start(), r.end(), r.dev(), r.ino(), r.ktimeNs()),
                    config.realtimeHolder(), config.err());
        } catch (IOException | RuntimeException x) {
            holderNone = "none (" + x.getMessage() + ")";
            config.err().println("mapscribe: no holder thread (" + x.getMessage() + "); files are held by the writer");
        }
    }

    private void offerFile(dev.mapscribe.formats.raw.KernelRecord.FileRef f, ProcessLink link, long seenNs) {
        Enricher e = enricher;
        if (e != null) {
            e.offer(f, link, seenNs);
        }
    }

    private void writerLoop() {
        // The writer sleeps on the ring's epoll descriptor rather than a plain timer: the kernel wakes it at
        // once for the rare records that cannot wait (an executable mapping of a file without a name, or of a
        // named file for the first time: the enricher must hold it before it is unlinked or its process exits),
        // and the timer paces everything else.
        try (Libc libc = new Libc(); RingWait wait = new RingWait(libc, programs.ringFd())) {
            QuietWakeup quiet = new QuietWakeup(programs.quietWakeup());
            writerWait = wait;
            long nextLoss = startNs + LOSS_INTERVAL_NS;
            long nextStatus = startNs + STATUS_INTERVAL_NS;
            long drainInterval = config.drainIntervalNs();
            long idleMax = config.ringBytes() >= BACKOFF_MIN_RING ? IDLE_BACKOFF_MAX * drainInterval : drainInterval;
            long interval = drainInterval;
            long dozeAfter = IDLE_BACKOFF_MAX * drainInterval;
            long quietSince = NOT_QUIET; // when the ring was first found empty, while it stays so
            boolean dozed = false;
            while (!stopRequested) {
                int n = ring.drain(batcher);
                long appendStart = SLOW_APPEND_NS > 0 ? System.nanoTime() : 0;
                batcher.flush();
                if (SLOW_APPEND_NS > 0) {
                    reportSlowAppend(n, System.nanoTime() - appendStart);
                }
                drainUserQueue();
                // HotSpot's nanoTime is clock_gettime(CLOCK_MONOTONIC) on Linux: the kernel's ktime, without a downcall.
                long now = System.nanoTime();
                if (now >= nextLoss) {
                    writeLosses(now);
                    nextLoss = now + LOSS_INTERVAL_NS;
                }
                if (now >= nextStatus) {
                    journal.append(status(now, false));
                    nextStatus = now + STATUS_INTERVAL_NS;
                }
                if (n > 0) {
                    // Records are coming: check at the full rate again; but the first ones after a doze, which woke
                    // us, may be a lone few: the quiet spell goes on from here unless more come by the next check.
                    interval = dozed ? idleMax : drainInterval;
                    quietSince = dozed ? now : NOT_QUIET;
                    dozed = false;
                    if (ring.pendingBytes() == 0) {
                        wait.upTo(interval);
                    }
                    continue;
                }
                if (quietSince == NOT_QUIET) {
                    quietSince = now;
                }
                if (now - quietSince >= dozeAfter && ring.pendingBytes() == 0) {
                    // A quiet spell: the ring stayed empty through the back-off. Sleep until the first record (the
                    // kernel wakes us), an enricher's record, stop() or the next status record (a second at most),
                    // whichever comes first. The loss counters are read as it wakes: no reservation can fail while the
                    // ring is empty, and the counts that grow without records (32-bit calls, recursion misses) keep
                    // their first and last times in the kernel, so a loss record written later says the same.
                    // Not over a record still being written (reserved, not yet committed, perhaps with no wake-up
                    // flag): that waits like any other, or the doze would return at once, again and again.
                    writerDozing = true;
                    // Then the look at the queue (volatile write, then read, as the enricher's add and its read of
                    // writerDozing): either the enricher sees the doze and wakes it, or its record is seen here.
                    if (userQueue.isEmpty()) {
                        quiet.doze(wait, ring, Math.max(0, nextStatus - now));
                    }
                    writerDozing = false;
                    dozed = true;
                } else if (wait.upTo(interval)) {
                    interval = drainInterval; // woken by the kernel
                } else {
                    interval = Math.min(interval * 2, idleMax);
                }
            }
            // Stop: detach first so the ring can only shrink, then take everything that is left.
            programs.detach();
            while (ring.drain(batcher) > 0) {
                batcher.flush();
            }
            batcher.flush();
            if (holder != null) {
                holder.close(); // no hold after the enricher closes
            }
            if (enricher != null) {
                enricher.close(); // its last FileInfo records go through the queue
                reportUnhashed(enricher.stats());
            }
            drainUserQueue();
            long now = Libc.clockNs(Libc.CLOCK_MONOTONIC);
            writeLosses(now);
            journal.append(status(now, true)); // the last record: a journal without it was not stopped
        } catch (Throwable t) {
            writerFailure = t;
        } finally {
            long wall = Libc.clockNs(Libc.CLOCK_MONOTONIC) - startNs;
            summary = summarize(wall);
            journal.close();
            ring.close();
            programs.close();
        }
    }

    /**
     * A diagnostic: with -Dmapscribe.slowAppendUs=N, every append of kernel records to the journal that took more
     * than N µs is a line on stderr. The writer drains and holds nothing while it appends, so these are the
     * delays a record arriving meanwhile waits (docs/RECORDER.md).
     */
    private static final long SLOW_APPEND_NS = Long.getLong("mapscribe.slowAppendUs", 0) * 1000;

    private void reportSlowAppend(int records, long ns) {
        if (ns > SLOW_APPEND_NS) {
            config.err().printf(Locale.ROOT, "mapscribe: appending %d kernel records took %d us, %d ms into the recording%n",
                    records, ns / 1000, (System.nanoTime() - startNs) / 1_000_000);
        }
    }

    /** Files the enricher dropped have no FileInfo in the journal: say so on stderr and in the last status record. */
    private void reportUnhashed(Enricher.Stats stats) {
        if (stats.skipped() == 0 && stats.sinkFailures() == 0) {
            return;
        }
        // Counted per offer: a file skipped once may still have been hashed on a later offer.
        String what = "enrichment skipped " + stats.skipped() + " file offers (queue full, or still queued at stop): "
                + "those files may have no hashes"
                + (stats.sinkFailures() > 0 ? ", " + stats.sinkFailures() + " file infos not journaled" : "");
        note = (note.isEmpty() ? "" : note + "; ") + what;
        config.err().println("mapscribe: " + what);
    }

    private void drainUserQueue() {
        Object o;
        while ((o = userQueue.poll()) != null) {
            if (o instanceof UserRecord r) {
                if (r instanceof FileInfo) {
                    filesHashed++;
                }
                journal.append(r);
                userRecords++;
            } else if (o instanceof List<?> list) {
                List<UserRecord> rs = new ArrayList<>(list.size());
                for (Object x : list) {
                    rs.add((UserRecord) x);
                }
                appendInChunks(rs);
                userRecords += rs.size();
            }
        }
    }

    /** The snapshot holds tens of thousands of regions: a few thousand records per excerpt keeps excerpts small. */
    private void appendInChunks(List<UserRecord> rs) {
        for (int i = 0; i < rs.size(); i += 2048) {
            journal.appendAll(rs.subList(i, Math.min(rs.size(), i + 2048)));
        }
    }

    private void writeLosses(long now) throws BpfException {
        for (Loss l : losses.sample(now)) {
            journal.append(l);
            userRecords++;
        }
        for (Loss l : compatCalls.sample(now)) {
            journal.append(l);
            userRecords++;
        }
        // Runs the kernel skipped (no reservation failed for them to count) and kernel batches the journal refused
        // are losses like any other: written down with a negative cpu that says why, so the analyzer reports them
        // (the small loss record itself still fits: at --max-disk nothing is refused but kernel batches, and
        // JournalWriter keeps a margin of free space for these records).
        missesReported = writeIncrease(now, Loss.RECURSION, programStats.recursionMisses(programFds), missesReported);
        if (noSpaceReported == 0 && journal.refusedForSpace() > 0) {
            // once, so that whoever watches the recording can free space
            config.err().println("mapscribe: the file system of " + config.journal() + " has less than "
                    + (JournalWriter.Options.MIN_FREE_DEFAULT >> 20) + " MiB free: kernel records are refused and "
                    + "counted as losses until space is freed");
        }
        maxDiskReported = writeIncrease(now, Loss.JOURNAL_FULL, journal.refusedRecords(), maxDiskReported);
        noSpaceReported = writeIncrease(now, Loss.DISK_FULL, journal.refusedForSpace(), noSpaceReported);
        lastLossSampleNs = now;
    }

    /**
     * A Loss for the records of one cause counted since {@code reported} were, from a running total that only grows
     * (the kernel's and the journal's counters); returns the count now reported.
     */
    private long writeIncrease(long now, int cause, long total, long reported) {
        if (total > reported) {
            journal.append(new Loss(now, cause, total - reported, lastLossSampleNs, now));
            userRecords++;
        }
        return total;
    }

    /** Losses already written: skipped runs, refused kernel records at --max-disk and for want of disk space. */
    private long missesReported, maxDiskReported, noSpaceReported;
    private long lastLossSampleNs;

    /** Records lost in the kernel so far: failed reservations, and the runs it skipped (both as last sampled). */
    private long lostInKernel() {
        return losses.total() + missesReported;
    }

    private RecorderStatus status(long now, boolean last) {
        return new RecorderStatus(now, batcher.records(), journal.bytesOnDisk(), journal.batches(),
                lostInKernel() + journal.refusedRecords() + journal.refusedForSpace(), filesHashed,
                cpuNs(), note, last);
    }

    private static long cpuNs() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos()).orElse(-1L);
    }

    private Summary summarize(long wallNs) {
        Enricher.Stats held = enricher != null ? enricher.stats() : Enricher.Stats.NONE;
        Map<RecordKind, Long> byKind = new EnumMap<>(RecordKind.class);
        for (RecordKind k : RecordKind.values()) {
            if (k.id() < 64 && batcher.recordsOfKind(k.id()) > 0) {
                byKind.put(k, batcher.recordsOfKind(k.id()));
            }
        }
        return new Summary(programs.tier(), byKind, batcher.records(), batcher.kernelBytes(), userRecords, journal.batches(),
                journal.bytesOnDisk(), lostInKernel(), filesHashed, cpuNs(), wallNs, journal.refusedRecords(),
                journal.rolledCycles(), held, journal.refusedForSpace(), compatCalls.total());
    }

    public HookTier tier() {
        return programs.tier();
    }

    /** Whether {@link #stop()} was called. */
    public boolean stopping() {
        return stopRequested;
    }

    /**
     * An enricher's record (a file's hashes), from its worker thread: queued for the writer, which is woken for it when
     * it dozes through a quiet spell (a second at most) that the enricher's work does not end. Not while it drains on
     * its timer: a wake-up then would only cut a timed wait short (and cost the enricher a syscall per file).
     */
    private void queueFromEnricher(UserRecord r) {
        userQueue.add(r);
        RingWait w = writerWait;
        if (writerDozing && w != null) {
            w.wake();
        }
    }

    /** Asks the writer thread to detach, drain what is left, and close the journal. Idempotent. */
    public void stop() {
        stopRequested = true;
        RingWait w = writerWait;
        if (w != null) {
            w.wake(); // after stopRequested: the writer either sees it before it waits, or is woken
        }
    }

    /** Waits up to {@code d} for the recording to end (it ends only after {@link #stop()}); true when it has. */
    public boolean join(java.time.Duration d) throws InterruptedException {
        writer.join(Math.max(1, d.toMillis()));
        return !writer.isAlive();
    }

    /**
     * Waits, at most {@code max}, until the enricher has read every file offered so far and no new offer came in
     * for 100 ms (the writer drains the ring every few milliseconds, so a workload that has exited has no record
     * left in it by then); false at the deadline. For tests: a recording's stop gives the enricher 10 s, which a
     * test machine whose cores are busy with other work may not grant the niced worker.
     */
    public boolean awaitEnricherCaughtUp(java.time.Duration max) throws InterruptedException {
        Enricher e = enricher;
        if (e == null) {
            return true;
        }
        long deadline = System.nanoTime() + max.toNanos();
        long lastOffered = -1;
        while (System.nanoTime() - deadline < 0) {
            long offered = e.stats().offered();
            if (offered == lastOffered && e.pending() == 0) {
                return true;
            }
            lastOffered = offered;
            Thread.sleep(100);
        }
        return false;
    }

    /** Stops and waits for the journal to be closed; throws what the writer thread failed with, if anything. */
    public Summary awaitStopped() throws IOException {
        stop();
        joinQuietly(writer);
        if (writerFailure instanceof InternalError e && String.valueOf(e.getMessage()).contains("unsafe memory access")) {
            // SIGBUS on a write to the mapped journal: JournalWriter stops short of a full disk, but not of a file
            // system that another process fills faster than it checks, nor of a journal file truncated under it.
            throw new IOException("recording failed: a write to the journal's mapped file faulted (its file system "
                    + "is full, or the file was truncated); the journal holds everything before", e);
        }
        if (writerFailure != null) {
            throw new IOException("recording failed: " + writerFailure, writerFailure);
        }
        return summary;
    }

    @Override
    public void close() throws IOException {
        if (writer.isAlive() || writer.getState() == Thread.State.NEW) {
            if (writer.getState() == Thread.State.NEW) {
                writer.start();
            }
            awaitStopped();
        }
        arena.close();
    }

    private static String readFirstLine(String path) {
        try {
            List<String> lines = Files.readAllLines(Path.of(path));
            return lines.isEmpty() ? "" : lines.get(0).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** vm.overcommit_memory (whether the kernel honours MAP_NORESERVE), or unknown when it cannot be read. */
    private static int overcommitMemory() {
        try {
            return Integer.parseInt(readFirstLine("/proc/sys/vm/overcommit_memory"));
        } catch (NumberFormatException e) {
            return JournalHeader.OVERCOMMIT_UNKNOWN;
        }
    }

    /** The same version --version prints: the jars carry no Implementation-Version to read instead. */
    private static String recorderVersion() {
        return dev.mapscribe.recorder.cli.Version.VERSION;
    }
}
