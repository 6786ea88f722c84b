package dev.mapscribe.recorder.enrich;

import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.UserRecord;
import dev.mapscribe.formats.raw.Utf8Text;
import dev.mapscribe.recorder.sys.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * File enrichment, off the hot path: for every distinct file mapped executable, one {@link FileInfo} with its
 * md5, sha1, sha256, sha512, size and libmagic description, or an {@code error} saying why not.
 *
 * <p>{@link #offer} is called by the ring reader: it never blocks. It drops the file to a counted "skipped"
 * when the bounded queue is full. One background thread does the work and hands each FileInfo to the sink
 * (so the sink must accept calls from that thread). Each file is done once, keyed by (dev, inode, ctime, size).
 */
public final class Enricher implements AutoCloseable {
    private static final int PROT_EXEC = 4;
    private static final String DELETED = " (deleted)";

    /** Tries per file when no way to open it works (the next offer may name a process that still maps it). */
    static final int MAX_OPEN_ATTEMPTS = 3;

    /**
     * @param queueCapacity files waiting for the worker; beyond it offers are skipped
     * @param sizeCapBytes  files larger than this are described but not hashed
     * @param closeTimeout  how long close() may keep draining the queue before it skips the rest
     */
    public record Options(int queueCapacity, long sizeCapBytes, Duration closeTimeout) {
        public Options {
            if (queueCapacity < 1 || sizeCapBytes < 0 || closeTimeout.isNegative()) {
                throw new IllegalArgumentException("bad enricher options " + queueCapacity + ", " + sizeCapBytes
                        + ", " + closeTimeout);
            }
        }

        public static Options defaults() {
            return new Options(4096, 256L << 20, Duration.ofSeconds(10));
        }
    }

    /**
     * Counts so far. {@code hashed}: FileInfos with hashes; {@code errors}: FileInfos with an error (over the
     * cap, unreadable, ...); {@code cacheHits}: offers of a file already done or queued; {@code skipped}: offers
     * dropped (queue full, or the enricher closing); {@code sinkFailures}: FileInfos the sink threw on;
     * {@code holds}: files offered for the first time and held (or tried) at once, which took {@code holdNanos}
     * on the offering thread; {@code holdsMissed} of them could not be held (the process and the name were both
     * gone already, or the file is not a regular one). {@code holdLagMaxNs}: the longest time from the kernel's
     * record of a mapping to its hold, and {@code holdsOverMs} how many holds came more than 1 ms after it: the
     * window in which a process that maps a nameless file and exits takes the bytes with it. {@code earlyHolds}
     * of the holds were taken by the holder thread ({@link #holdEarly}) before the file was offered.
     */
    public record Stats(long offered, long hashed, long cacheHits, long errors, long skipped, long sinkFailures,
                        long holds, long holdNanos, long holdsMissed, long holdLagMaxNs, long holdsOverMs,
                        long earlyHolds) {
        /** No enricher: nothing offered. */
        public static final Stats NONE = new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** A file's identity as a hold request names it. */
    private record DevIno(int dev, long ino) {
    }

    /**
     * A descriptor taken by {@link #holdEarly}, at {@code heldNs}, for the mapping ({@code link}) the kernel recorded
     * at {@code seenNs}; or, with {@code held} null, the mark an offer leaves when it held the file itself (at
     * {@code heldNs}), so that the holder's hold arriving after it is closed at once rather than left waiting.
     */
    private record EarlyHold(MappedFileOpener.Held held, ProcessLink link, long seenNs, long heldNs) {
        static EarlyHold heldByOffer() {
            return new EarlyHold(null, ProcessLink.NONE, 0, System.nanoTime());
        }
    }

    /**
     * Work for the worker: a file the kernel recorded, a region of the /proc snapshot, or an unoffered hold; or the
     * end of the work, which close() puts behind the last job.
     */
    private sealed interface Job permits FileJob, RegionJob, UnofferedJob, Stop {
        /** The descriptor the job holds (closed when the job is dropped), or null. */
        MappedFileOpener.Held held();
    }

    /**
     * An early hold no offer took: the kernel asked for the file (it was made executable in {@code early.link()}'s
     * process) but the writer never tied a record of it to an offer. That happens when a child process made an
     * inherited mapping executable, when the part made executable lies beyond what the writer's table of non-exec
     * file mappings covers, or when the ring lost the record. The worker describes the held file by fstat and
     * hashes it like any other.
     */
    private record UnofferedJob(DevIno id, EarlyHold early) implements Job {
        @Override
        public MappedFileOpener.Held held() {
            return early.held();
        }
    }

    /**
     * {@code held}: an O_PATH descriptor on the mapped file taken when it was offered, or null (see offer());
     * {@code missed}: the offer tried to hold it and could not (counted in holdsMissed).
     */
    private record FileJob(FileRef file, FileKey key, ProcessLink link, MappedFileOpener.Held held, boolean missed)
            implements Job {
    }

    /** Its ctime and size are not in /proc/PID/maps: the worker reads them before the cache can decide. */
    private record RegionJob(SnapshotRegion region) implements Job {
        @Override
        public MappedFileOpener.Held held() {
            return null; // the worker opens snapshot files itself
        }
    }

    /** Behind the last job once closing: the worker ends there, and sleeps on the queue until then. */
    private record Stop() implements Job {
        @Override
        public MappedFileOpener.Held held() {
            return null;
        }
    }

    private static final Stop STOP = new Stop();

    private final Consumer<UserRecord> sink;
    private final Options opts;
    private final BlockingQueue<Job> queue;
    /** Files queued or done: the cache. Written by offer() and, to allow a retry, by the worker. */
    private final Map<FileKey, Boolean> seen = new ConcurrentHashMap<>();
    /** Worker-only: failed opening attempts per file. */
    private final Map<FileKey, Integer> openFailures = new HashMap<>();
    private final AtomicLong offered = new AtomicLong();
    private final AtomicLong hashed = new AtomicLong();
    private final AtomicLong cacheHits = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong sinkFailures = new AtomicLong();
    private final AtomicLong holds = new AtomicLong();
    private final AtomicLong holdNanos = new AtomicLong();
    private final AtomicLong holdsMissed = new AtomicLong();
    private final AtomicLong earlyHoldsUsed = new AtomicLong();
    /** Taken by the holder thread, waiting for the writer's offer of the same file (or for the sweep). */
    private final Map<DevIno, EarlyHold> earlyHolds = new ConcurrentHashMap<>();
    private static final long EARLY_HOLD_TTL_NS = 2_000_000_000L;
    private final AtomicLong holdLagMaxNs = new AtomicLong();
    private final AtomicLong holdsOverMs = new AtomicLong();
    private final LibMagic magic;
    private final String magicProblem;
    private final Thread worker;
    /** Descriptors held by queued jobs: at most MAX_HELD, so a flood of new files cannot exhaust the fd limit. */
    private final AtomicInteger heldFds = new AtomicInteger();
    static final int MAX_HELD = 256;
    /** Jobs queued or in the worker's hands: counted up before a job is queued, down once the worker is done with it. */
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closing;
    private volatile long closeDeadlineNs;

    /** An enricher with {@link Options#defaults()}. */
    public Enricher(Consumer<UserRecord> sink) {
        this(sink, Options.defaults());
    }

    public Enricher(Consumer<UserRecord> sink, Options opts) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.opts = Objects.requireNonNull(opts, "opts");
        this.queue = new ArrayBlockingQueue<>(opts.queueCapacity());
        LibMagic m = null;
        String problem = null;
        try {
            m = LibMagic.open();
        } catch (IOException e) {
            problem = e.getMessage(); // hashing still works; the recorder reports this once
        }
        this.magic = m;
        this.magicProblem = problem;
        this.worker = Thread.ofPlatform().name("mapscribe-enricher").daemon(true).unstarted(this::run);
        worker.start();
    }

    /**
     * Holds files of our own {@code times} times each way a hold can go (by the path of a named file; through
     * /proc/PID/map_files for an unlinked one), so that the JIT compiles the hold before the first real one.
     * The first holds of a recording otherwise run interpreted, against a process that may exit within a
     * millisecond of its mapping (scripts/bench-flash measures how many such files are lost). Start-up work:
     * call it before the programs are attached, as the writer thread would otherwise drain mappings meanwhile
     * with nobody to hold them. Best effort: a
     * warm-up that cannot make its files leaves the JIT to warm up on the real holds. Returns the holds that
     * reached their file (2 × times when both ways worked).
     */
    public static int warmUpHolds(int times) {
        return warmUpHolds(times, Path.of(System.getProperty("java.io.tmpdir")));
    }

    static int warmUpHolds(int times, Path tmp) {
        Path dir = null;
        int reached = 0;
        try (Arena arena = Arena.ofConfined(); Libc libc = new Libc()) {
            dir = Files.createTempDirectory(tmp, "mapscribe-warm-up");
            Path named = Files.write(dir.resolve("named"), new byte[4096]);
            Path gone = Files.write(dir.resolve("gone"), new byte[4096]);
            MemorySegment mapped;
            try (FileChannel ch = FileChannel.open(gone, StandardOpenOption.READ)) {
                mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, 4096, arena);
            }
            FileRef namedRef = refOf(libc, named, 0);
            FileRef goneRef = refOf(libc, gone, FileRef.UNLINKED);
            Files.delete(gone); // now nameless, like a deleted dropper: only map_files leads to it
            int self = (int) ProcessHandle.current().pid();
            long start = mapped.address();
            for (int i = 0; i < times; i++) {
                reached += closeHeld(libc, hold(namedRef, ProcessLink.NONE));
                reached += closeHeld(libc, hold(goneRef, ProcessLink.mapping(self, start, start + 4096)));
            }
        } catch (IOException | RuntimeException e) {
            // not warmed: the first real holds are slower, nothing else changes
        } finally {
            if (dir != null) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.toList()) Files.deleteIfExists(f);
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // a temporary directory of two 4 KiB files left behind
                }
            }
        }
        return reached;
    }

    private static FileRef refOf(Libc libc, Path file, int fileFlags) throws IOException {
        int fd = libc.open(file.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
        try {
            Libc.Stat st = libc.fstat(fd);
            String path = fileFlags == FileRef.UNLINKED ? file + " (deleted)" : file.toString();
            return new FileRef(st.ino(), st.size(), st.ctimeSec(), (int) st.ctimeNsec(), st.kernelDev(), st.mode(),
                    fileFlags, path);
        } finally {
            libc.close(fd);
        }
    }

    private static int closeHeld(Libc libc, MappedFileOpener.Held held) throws IOException {
        if (held == null) return 0;
        libc.close(held.fd());
        return 1;
    }

    /**
     * Asks for the FileInfo of {@code file}, which {@code link} leads to when the path no longer does (a
     * mapping's /proc/PID/map_files entry, a process's exe). Never blocks on a file's contents.
     *
     * <p>The file is held at once by an O_PATH descriptor (by its path, or through the link when it has no
     * name: unlinked, or a memfd), which keeps the inode alive until the worker has read
     * it, however long the queue: a file deleted, or a process that exits, meanwhile does not take the bytes
     * with it. The kernel wakes the recorder at once for nameless files, so fileless code that runs for a few
     * milliseconds is still hashed (scripts/workloads/flash.c). O_PATH runs no driver code: this cannot hang.
     */
    public void offer(FileRef file, ProcessLink link) {
        offer(file, link, 0);
    }

    /**
     * The same, for a mapping the kernel recorded at {@code seenNs} (CLOCK_MONOTONIC, the clock of
     * System.nanoTime on Linux; 0: unknown): the hold's delay after it is counted in {@link #stats()}.
     */
    public void offer(FileRef file, ProcessLink link, long seenNs) {
        offered.incrementAndGet();
        FileKey key = FileKey.of(file);
        DevIno devIno = new DevIno(file.dev(), file.ino());
        EarlyHold early = earlyHolds.remove(devIno);
        if (early != null && early.held() == null) {
            early = null; // an earlier offer's mark
        }
        if (seen.putIfAbsent(key, Boolean.TRUE) != null) {
            cacheHits.incrementAndGet();
            release(early == null ? null : early.held()); // done already (the snapshot's hashing, say)
            return;
        }
        MappedFileOpener.Held held = null;
        boolean missed = false;
        if (early == null && !closing && heldFds.get() < MAX_HELD) {
            long t0 = System.nanoTime();
            held = hold(file, link);
            long t1 = System.nanoTime();
            holdNanos.addAndGet(t1 - t0); // the hold's price on the caller's thread, the ring drain's
            holds.incrementAndGet();
            countLag(seenNs, t1);
            if (held != null) {
                heldFds.incrementAndGet();
                earlyHolds.put(devIno, EarlyHold.heldByOffer()); // a hold the holder takes later is not needed
            } else {
                // Counted as a miss; if the holder held it meanwhile, the worker takes that and the miss back.
                holdsMissed.incrementAndGet();
                missed = true;
            }
        }
        if (early != null) {
            held = taken(early); // the holder thread was first
        }
        if (!enqueue(new FileJob(file, key, link, held, missed))) {
            seen.remove(key); // not done: a later offer may still get it in
            skipped.incrementAndGet();
            release(held);
        }
    }

    /**
     * The descriptor of an early hold that a job takes as the file's hold, counted as one: it is the file's, checked
     * by (dev, inode) when the holder took it, and its time is the hold's.
     */
    private MappedFileOpener.Held taken(EarlyHold early) {
        holds.incrementAndGet();
        earlyHoldsUsed.incrementAndGet();
        countLag(early.seenNs(), early.heldNs());
        return early.held();
    }

    /** How long after the kernel's record of a mapping ({@code seenNs}, 0: unknown) its file was held. */
    private void countLag(long seenNs, long heldNs) {
        if (seenNs > 0 && heldNs > seenNs) {
            holdLagMaxNs.accumulateAndGet(heldNs - seenNs, Math::max);
            if (heldNs - seenNs > 1_000_000) {
                holdsOverMs.incrementAndGet();
            }
        }
    }

    /**
     * Holds, at once, the file that {@code pid} has just mapped executable at [start, end), identified by (dev,
     * inode) only: the holder thread calls this for the kernel's hold requests (bpf/mapscribe.h, ms_hold_request),
     * which come before the record that names the file reaches the writer. The writer's {@link #offer} of the file
     * then takes this descriptor instead of holding it itself, maybe after the process is gone. A descriptor no
     * offer takes within two seconds (or by close) is hashed on its own ({@link UnofferedJob}); one that comes after
     * the offer held the file itself is closed at once.
     */
    public void holdEarly(int pid, long start, long end, int dev, long ino, long seenNs) {
        sweepEarlyHolds(false);
        DevIno id = new DevIno(dev, ino);
        if (closing || heldFds.get() >= MAX_HELD || earlyHolds.containsKey(id)) {
            return; // held already, by the holder or by the writer's offer
        }
        // No path: a request names none, and the hold goes through the process's mapping (a memfd's or a
        // deleted file's too), checked against (dev, inode) like every candidate.
        FileRef bare = new FileRef(ino, 0, 0, 0, dev, 0, 0, "");
        ProcessLink link = ProcessLink.mapping(pid, start, end);
        MappedFileOpener.Held held = hold(bare, link);
        if (held == null) {
            return; // gone already, or not a regular file: the writer's offer tries again, by the path too
        }
        heldFds.incrementAndGet();
        EarlyHold before = earlyHolds.putIfAbsent(id, new EarlyHold(held, link, seenNs, System.nanoTime()));
        if (before != null) {
            // The offer held it itself already (its mark), or the same file was mapped twice before the offer:
            // one descriptor is enough.
            release(held);
        }
    }

    /**
     * Hands the early holds that no offer took within {@link #EARLY_HOLD_TTL_NS}, or {@code all} of them, to the
     * worker, which hashes their files ({@link UnofferedJob}); closes them when the worker takes no more jobs.
     * An offer's marks are dropped.
     */
    private void sweepEarlyHolds(boolean all) {
        long now = System.nanoTime();
        for (Map.Entry<DevIno, EarlyHold> e : earlyHolds.entrySet()) {
            EarlyHold early = e.getValue();
            boolean stale = all || now - early.heldNs() > EARLY_HOLD_TTL_NS;
            if (stale && earlyHolds.remove(e.getKey(), early) && early.held() != null
                    && !enqueue(new UnofferedJob(e.getKey(), early))) {
                release(early.held());
            }
        }
    }

    // A Libc of its own per call: its scratch memory belongs to one thread. Measured, a Libc kept for all holds
    // saves nothing: 2,000 new binaries run one after another cost 43-67 ms of holds either way (the recorder's
    // summary line; docs/SNAPSHOT-AND-ENRICHMENT.md).
    private static MappedFileOpener.Held hold(FileRef file, ProcessLink link) {
        try (Libc libc = new Libc()) {
            return new MappedFileOpener(libc).hold(file, link);
        }
    }

    /** Closes a held descriptor, if any, through {@code opener} (the calling thread's). */
    private void release(MappedFileOpener.Held held, MappedFileOpener opener) {
        if (held != null) {
            opener.closeQuietly(held.fd());
            heldFds.decrementAndGet();
        }
    }

    /** The same, from a thread without an opener of its own (offer's, close's). */
    private void release(MappedFileOpener.Held held) {
        if (held != null) {
            try (Libc libc = new Libc()) {
                release(held, new MappedFileOpener(libc));
            }
        }
    }

    /**
     * Asks for the FileInfo of the file behind an executable region of the start-up /proc snapshot: the files
     * of processes already running (an implant started from a since-deleted file among them) would otherwise
     * never be hashed. Regions that are not executable or not file-backed are ignored. Never blocks.
     */
    public void offerRegion(SnapshotRegion region) {
        if ((region.prot() & PROT_EXEC) == 0 || region.inode() == 0 || !region.path().startsWith("/")) {
            return; // anonymous, [vdso], [vsyscall], ...: no file to read
        }
        offered.incrementAndGet();
        if (!enqueue(new RegionJob(region))) {
            skipped.incrementAndGet();
        }
    }

    /** Queues a job unless closing or full. Counted as pending first, so that pending() never misses a queued job. */
    private boolean enqueue(Job job) {
        pending.incrementAndGet();
        if (closing || !queue.offer(job)) {
            pending.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Files and snapshot regions queued or being read right now: 0 when the worker has caught up. */
    public int pending() {
        return pending.get();
    }

    /** Descriptors held right now by offered files not yet read (for tests). */
    int heldDescriptors() {
        return heldFds.get();
    }

    public Stats stats() {
        return new Stats(offered.get(), hashed.get(), cacheHits.get(), errors.get(), skipped.get(),
                sinkFailures.get(), holds.get(), holdNanos.get(), holdsMissed.get(), holdLagMaxNs.get(), holdsOverMs.get(),
                earlyHoldsUsed.get());
    }

    /** Why FileInfos carry no magic description (libmagic missing or its database unreadable), or null. */
    public String magicProblem() {
        return magicProblem;
    }

    /**
     * Stops taking offers, lets the worker finish the queue for at most {@code closeTimeout}, then skips what
     * is left (a file being hashed at the deadline is abandoned) and waits for the worker to end.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        // Every record has been offered by now (the writer drained the ring before this): an early hold left is one
        // no offer will take, and the worker hashes its file within the close deadline.
        sweepEarlyHolds(true);
        closeDeadlineNs = System.nanoTime() + opts.closeTimeout().toNanos();
        closing = true;
        // Wakes the worker once the queue is done; a full queue refuses it, and the worker sees closing within a
        // second of running dry (its longest sleep).
        queue.offer(STOP);
        try {
            // The worker checks the deadline between chunks of 1 MiB: a short grace period is enough.
            worker.join(opts.closeTimeout().plusSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            worker.interrupt(); // stuck in a system call (a hung file system): leave it, it is a daemon thread
        }
        sweepEarlyHolds(true); // a hold taken while closing: the worker takes no more jobs, so it is closed
        // An offer that raced with close() may have queued a job after the worker's last look.
        List<Job> left = new ArrayList<>();
        queue.drainTo(left);
        left.remove(STOP); // not a job: the worker ended before it (at the deadline)
        skipped.addAndGet(left.size());
        pending.addAndGet(-left.size());
        for (Job job : left) {
            release(job.held());
        }
    }

    private boolean pastDeadline() {
        return closing && System.nanoTime() - closeDeadlineNs > 0;
    }

    private void run() {
        try {
            // Hashing every running executable at start-up must not compete with the ring drain.
            Libc.niceCurrentThread(19);
        } catch (IOException e) {
            // Not fatal: hashing at normal priority is only slower for everything else.
        }
        try (Libc libc = new Libc(); FileHasher hasher = new FileHasher()) {
            MappedFileOpener opener = new MappedFileOpener(libc);
            while (true) {
                // No timeout to speak of: close() queues STOP, so the worker does not wake to look for it (an idle
                // recorder's worker woke 20 times a second for nothing)
                Job job = queue.poll(1, TimeUnit.SECONDS);
                if (job == null || job == STOP) {
                    if (closing) {
                        break;
                    }
                    continue;
                }
                try {
                    work(job, libc, opener, hasher);
                } finally {
                    pending.decrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            // close() gave up waiting: end quietly
        } finally {
            if (magic != null) {
                magic.close();
            }
        }
    }

    /**
     * A job whose offer did not hold its file, with the holder thread's descriptor if one came after the offer
     * looked (the process exited between the two); a miss the offer counted is taken back.
     */
    private FileJob withEarlyHold(FileJob job) {
        EarlyHold early = earlyHolds.remove(new DevIno(job.file().dev(), job.file().ino()));
        if (early == null || early.held() == null) {
            return job;
        }
        earlyHoldsUsed.incrementAndGet();
        if (job.missed()) {
            holdsMissed.decrementAndGet(); // held after all
        }
        return new FileJob(job.file(), job.key(), job.link(), early.held(), false);
    }

    /** One job, start to end: read and hash the file, hand its FileInfo to the sink, count what happened. */
    private void work(Job job, Libc libc, MappedFileOpener opener, FileHasher hasher) {
        if (pastDeadline()) {
            skipped.incrementAndGet();
            release(job.held(), opener);
            return;
        }
        FileJob fileJob = switch (job) {
            case FileJob f -> f;
            case RegionJob r -> claim(r.region(), libc, opener);
            case UnofferedJob u -> claim(u, libc, opener);
            case Stop stop -> null; // never given to work(): the worker ends at it
        };
        if (fileJob == null) {
            return; // a file already done or queued
        }
        if (fileJob.held() == null) {
            fileJob = withEarlyHold(fileJob);
        }
        List<FileInfo> infos;
        try {
            infos = enrich(fileJob, libc, opener, hasher);
        } finally {
            release(fileJob.held(), opener);
        }
        if (infos == null) {
            skipped.incrementAndGet(); // abandoned at the close deadline
            return;
        }
        for (FileInfo info : infos) {
            if (info.error() != null) {
                errors.incrementAndGet();
            }
            if (info.sha256() != null) {
                hashed.incrementAndGet();
            }
            try {
                sink.accept(info);
            } catch (RuntimeException e) {
                sinkFailures.incrementAndGet(); // the sink's problem; the worker keeps going
            }
        }
    }

    /**
     * The FileJob of a snapshot region, or null when its file is already done or queued (a cache hit). The
     * FileRef takes dev and inode as the kernel shows them in maps (as kernel records carry them, so the cache
     * matches) and ctime and size from the file itself; when it cannot be reached at all the FileRef has
     * ctime 0 and size 0 and the FileInfo's error says why.
     */
    private FileJob claim(SnapshotRegion region, Libc libc, MappedFileOpener opener) {
        String path = region.path();
        int flags = 0;
        if (path.endsWith(DELETED)) {
            path = path.substring(0, path.length() - DELETED.length());
            flags = FileRef.UNLINKED;
        }
        FileRef bare = new FileRef(region.inode(), 0, 0, 0, (region.devMajor() << 20) | region.devMinor(), 0,
                flags, path);
        ProcessLink link = ProcessLink.mapping(region.pid(), region.start(), region.end());
        FileRef file = opener.identify(bare, link);
        FileKey key = FileKey.of(file);
        if (seen.putIfAbsent(key, Boolean.TRUE) != null) {
            cacheHits.incrementAndGet();
            return null;
        }
        return new FileJob(file, key, link, null, false);
    }

    /**
     * The FileJob of an early hold no offer took, or null when its file is already done or queued (the descriptor
     * is then closed). No record named the file: fstat of the held descriptor gives its ctime, size and mode, and
     * the descriptor's link its path (a memfd's "/memfd:NAME (deleted)" is the name and "unlinked", as in the
     * snapshot's regions).
     */
    private FileJob claim(UnofferedJob u, Libc libc, MappedFileOpener opener) {
        MappedFileOpener.Held held = u.early().held();
        Libc.Stat st;
        String path;
        try {
            st = libc.fstat(held.fd());
            path = pathNow(held.fd(), libc);
        } catch (IOException e) {
            release(held, opener);
            return null; // not expected of a descriptor we hold; without its identity there is nothing to hash it as
        }
        int flags = 0;
        if (path.endsWith(DELETED)) {
            path = path.substring(0, path.length() - DELETED.length());
            flags = FileRef.UNLINKED;
        }
        FileRef file = new FileRef(u.id().ino(), st.size(), st.ctimeSec(), (int) st.ctimeNsec(), u.id().dev(),
                st.mode(), flags, path);
        FileKey key = FileKey.of(file);
        if (seen.putIfAbsent(key, Boolean.TRUE) != null) {
            cacheHits.incrementAndGet();
            release(held, opener);
            return null;
        }
        return new FileJob(file, key, u.early().link(), taken(u.early()), false);
    }

    /** How many versions of one file a job reads when each changes while it is read: a file written without pause ends the job. */
    static final int MAX_READS = 3;

    /**
     * One file: open it, describe it, hash it. Null when abandoned because close() ran out of time.
     *
     * <p>The hashes must be of the bytes that were mapped, and the worker reads the file later (behind a queue, at
     * the lowest priority): a file written meanwhile (a memfd whose code has run and is overwritten with harmless
     * bytes, the plainest way past a hash list) would otherwise be reported with hashes of what it holds now, under
     * the identity it had when mapped. A write sets mtime (and ctime) to the time of the write, so a file whose mtime
     * now is later than its ctime as mapped (and no later than its ctime now, which a write cannot make it), or whose
     * size is not the mapped one, was written after the mapping: the
     * mapped version's info says so and has no hashes (what it held then is gone), and the file as it is now is read
     * as a version of its own (its new ctime). Not ctime alone: unlink, rename and chmod move it too, and a dropper that
     * deletes its file once mapped must keep its hashes. After each read mtime and size are compared again: a version
     * written during its read gets no hashes either (the bytes read are of no one version), and the newer version is
     * read, up to {@link #MAX_READS} reads. A file without a name when mapped (a memfd, a deleted file) whose ctime
     * moved is taken as changed too, after the mapping or during a read: that is how a write whose mtime was set back
     * shows; and so is a named one whose ctime moved with its name and mode as they were (changedSinceMapped()). Not
     * seen: a write in the same tick of the kernel's coarse clock as the file's previous change, before the hold's
     * fstat (which makes the kernel stamp the next change finely), and a named file written, its mtime set back and
     * then renamed, unlinked or chmod'ed: see docs/SNAPSHOT-AND-ENRICHMENT.md.
     */
    private List<FileInfo> enrich(FileJob job, Libc libc, MappedFileOpener opener, FileHasher hasher) {
        FileRef file = job.file();
        MappedFileOpener.Opened opened;
        try {
            opened = opener.open(file, job.link(), job.held());
        } catch (IOException e) {
            int failures = openFailures.merge(job.key(), 1, Integer::sum);
            if (failures < MAX_OPEN_ATTEMPTS) {
                seen.remove(job.key()); // another process mapping the same file may still let us in
            }
            return List.of(info(libc, file, file.size(), null, null, "cannot open: " + e.getMessage(), 0));
        }
        try {
            List<FileInfo> infos = new ArrayList<>();
            Libc.Stat now = opened.stat();
            FileRef version = file;
            String how = unstated(file) ? null : changedSinceMapped(file, now, opened.fd(), libc);
            if (unstated(file)) {
                version = versionOf(file, now); // a snapshot's file out of reach when it was claimed: nothing to keep to
            } else if (how != null) {
                infos.add(info(libc, file, file.size(), null, null, "changed after it was mapped (" + how
                        + sizes(file.size(), now.size()) + "): its bytes then are gone, not hashed; the "
                        + "file as it is now is hashed under its new ctime", opened.viaPid()));
                version = versionOf(file, now);
                if (seen.putIfAbsent(FileKey.of(version), Boolean.TRUE) != null) {
                    return infos; // that version is done or queued already
                }
            }
            for (int reads = 1; ; reads++) {
                FileInfo info = describeAndHash(version, opened, libc, hasher);
                if (info == null) {
                    return null;
                }
                Libc.Stat after = fstatOrNull(libc, opened.fd());
                if (after == null || !writtenDuring(now, after, file.unlinked())) {
                    infos.add(info);
                    return infos;
                }
                // The bytes read are a mix of two versions (or more): neither the description nor the hashes are of one.
                String next = reads < MAX_READS ? "; the file as it is now is hashed under its new ctime"
                        : "; it changed during each of its " + MAX_READS + " reads: not read again";
                infos.add(info(libc, version, version.size(), null, null, "changed while it was hashed (mtime "
                        + time(now.mtimeSec(), now.mtimeNsec()) + " → " + time(after.mtimeSec(), after.mtimeNsec())
                        + ", ctime " + time(now.ctimeSec(), now.ctimeNsec()) + " → " + time(after.ctimeSec(), after.ctimeNsec())
                        + sizes(now.size(), after.size()) + "): not hashed" + next, opened.viaPid()));
                if (reads == MAX_READS) {
                    return infos;
                }
                now = after;
                version = versionOf(file, now);
                if (seen.putIfAbsent(FileKey.of(version), Boolean.TRUE) != null) {
                    return infos;
                }
            }
        } finally {
            opener.closeQuietly(opened.fd());
        }
    }

    private static Libc.Stat fstatOrNull(Libc libc, int fd) {
        try {
            return libc.fstat(fd);
        } catch (IOException e) {
            return null; // not expected of an open descriptor; nothing to compare with
        }
    }

    /** The magic and hashes of the open file, as {@code file}. Null when abandoned because close() ran out of time. */
    private FileInfo describeAndHash(FileRef file, MappedFileOpener.Opened opened, Libc libc, FileHasher hasher) {
        String description = null;
        String magicError = null;
        if (magic != null) {
            try {
                description = magic.describe(opened.fd());
            } catch (IOException e) {
                magicError = e.getMessage();
            }
        }
        long size = file.size();
        FileHasher.Digests digests = null;
        String error = null;
        if (size > opts.sizeCapBytes()) {
            error = "size " + size + " bytes is above the " + opts.sizeCapBytes() + "-byte cap: not hashed";
        } else {
            try {
                digests = hasher.hash(libc, opened.fd(), opts.sizeCapBytes(), this::pastDeadline);
            } catch (FileHasher.TooLargeException e) {
                error = "size " + e.getMessage();
            } catch (IOException e) {
                if (pastDeadline()) {
                    return null;
                }
                error = "read: " + e.getMessage();
            }
        }
        if (magicError != null) {
            error = error == null ? "magic: " + magicError : error + "; magic: " + magicError;
        }
        return info(libc, file, digests != null ? digests.bytes() : size, description, digests, error, opened.viaPid());
    }

    /**
     * Whether the file was written after {@code mapped} was recorded: its size differs, or its mtime lies after the ctime
     * it had then and no later than its ctime now. A write stamps both with its time, so its mtime is never later than
     * the ctime; an mtime later than that was set by utimensat(2) (say, into the future before the mapping, which must
     * not cost the file its hashes), not by a write.
     */
    private static boolean writtenSince(FileRef mapped, Libc.Stat now) {
        return now.size() != mapped.size() || (compare(now.mtimeSec(), now.mtimeNsec(), mapped.ctimeSec(), mapped.ctimeNsec()) > 0
                && compare(now.mtimeSec(), now.mtimeNsec(), now.ctimeSec(), now.ctimeNsec()) <= 0);
    }

    /**
     * Why the file's bytes may not be those mapped, for the message; null when nothing says they changed. Written
     * ({@link #writtenSince}); or its ctime moved while its mtime does not show a write, as a write whose mtime was set
     * back (timestomping) leaves it: ctime cannot be set, it moves to the time of the utimensat(2). Judged so
     * <ul>
     *   <li>for a file that had no name when mapped (a memfd, a deleted file), always: it can change only through a
     *       descriptor (write, truncate, fchmod, fchown, futimens), none of which a loader needs once the code is mapped;
     *   <li>for a named one, when its name (the path the descriptor on it reads now: not deleted, not renamed) and its
     *       mode stayed as they were: the innocent moves of a name's ctime (a dropper unlinking or chmod'ing its stage,
     *       a rename) change one or the other. What is left is a write whose mtime was set back, its times set (a backup
     *       restoring the atime it read), its owner, hard links or extended attributes changed, rare for a file just
     *       mapped. A path that does not read back as recorded (another mount namespace's, one the kernel's walk cut)
     *       is left alone. The name's bytes are compared as the kernel records give them (libc's readlink, not Java's,
     *       which turns bytes that are not UTF-8 into U+FFFD: a name that never matched).
     * </ul>
     */
    private static String changedSinceMapped(FileRef mapped, Libc.Stat now, int fd, Libc libc) {
        if (writtenSince(mapped, now)) {
            return "written at mtime " + time(now.mtimeSec(), now.mtimeNsec()) + ", after its ctime as mapped "
                    + time(mapped.ctimeSec(), mapped.ctimeNsec());
        }
        if (compare(now.ctimeSec(), now.ctimeNsec(), mapped.ctimeSec(), mapped.ctimeNsec()) == 0) {
            return null;
        }
        String moved = "its ctime moved from " + time(mapped.ctimeSec(), mapped.ctimeNsec()) + " to "
                + time(now.ctimeSec(), now.ctimeNsec()) + ", its mtime " + time(now.mtimeSec(), now.mtimeNsec());
        if (mapped.unlinked()) {
            return moved + ": a file without a name is written, or its times, mode or owner set, and a write's mtime "
                    + "can be set back";
        }
        try {
            if (now.mode() != mapped.mode() || !pathNow(fd, libc).equals(mapped.path())) {
                return null;
            }
        } catch (IOException e) {
            return null; // not expected of an open descriptor: nothing to compare with
        }
        return moved + ", with its name and mode as they were: a write whose mtime was set back, or its times set (an "
                + "atime restored too), its owner, links or extended attributes changed";
    }

    /**
     * The path a descriptor reads as now, decoded as the kernel records' paths are (Java's readlink would turn a byte
     * that is not UTF-8 into U+FFFD).
     */
    private static String pathNow(int fd, Libc libc) throws IOException {
        return Utf8Text.decode(libc.readlink("/proc/self/fd/" + fd));
    }

    private static int compare(long aSec, long aNsec, long bSec, long bNsec) {
        return aSec != bSec ? Long.compare(aSec, bSec) : Long.compare(aNsec, bNsec);
    }

    /**
     * Whether the file was written between two fstats: its mtime or size moved, or, for a file without a name (as
     * changedSinceMapped() judges one), its ctime.
     */
    private static boolean writtenDuring(Libc.Stat before, Libc.Stat after, boolean nameless) {
        return after.size() != before.size() || compare(after.mtimeSec(), after.mtimeNsec(), before.mtimeSec(), before.mtimeNsec()) != 0
                || (nameless && compare(after.ctimeSec(), after.ctimeNsec(), before.ctimeSec(), before.ctimeNsec()) != 0);
    }

    /** A FileRef whose ctime and size are both 0: never stat'ed (see {@link #claim(SnapshotRegion, Libc, MappedFileOpener)}). */
    private static boolean unstated(FileRef file) {
        return file.ctimeSec() == 0 && file.ctimeNsec() == 0 && file.size() == 0;
    }

    /** {@code file} as the version {@code st} shows. */
    private static FileRef versionOf(FileRef file, Libc.Stat st) {
        return new FileRef(file.ino(), st.size(), st.ctimeSec(), (int) st.ctimeNsec(), file.dev(), file.mode(),
                file.fileFlags(), file.path());
    }

    /** "1700000000.004000000": seconds and nanoseconds since the epoch, as the files table's ctime reads in seconds. */
    private static String time(long sec, long nsec) {
        return String.format("%d.%09d", sec, nsec);
    }

    /** ", size 4096" or ", size 4096 → 8192". */
    private static String sizes(long was, long now) {
        return was == now ? ", size " + was : ", size " + was + " → " + now;
    }

    private static FileInfo info(Libc libc, FileRef file, long size, String magic,
                                 FileHasher.Digests d, String error, int viaPid) {
        return new FileInfo(libc.monotonicNs(), file.dev(), file.ino(), file.ctimeSec(), file.ctimeNsec(), size,
                file.path(), magic, d == null ? null : d.md5(), d == null ? null : d.sha1(),
                d == null ? null : d.sha256(), d == null ? null : d.sha512(), error, viaPid);
    }
}
