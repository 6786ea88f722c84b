package dev.mapscribe.recorder.bench;

import dev.mapscribe.formats.journal.JournalWriter;
import dev.mapscribe.formats.raw.UserRecord;
import dev.mapscribe.formats.raw.UserRecord.RecorderStatus;
import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import dev.mapscribe.formats.raw.UserRecord.ProcSnapshot;
import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import dev.mapscribe.formats.raw.RawRecords;
import dev.mapscribe.formats.raw.RawRecords.SynthFile;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Writes a realistic synthetic journal through {@link JournalWriter} for the analyzer
 * benchmark (issue 6, rows 5 and 6): a /proc snapshot of the processes already running,
 * then a stream of kernel records batched as the recorder batches them — processes that
 * fork, exec (with the post-exec VMA walk and the loader's library mappings), churn
 * anonymous memory the way JITs and unpackers do (mmap RW, mprotect RX, sometimes RWX,
 * munmap), dlopen libraries later, and exit — plus the file enrichment records the
 * recorder writes for each executable file it sees. Deterministic for a given seed.
 *
 * <p>Usage: {@code JournalGenerator --out DIR --records N [--seed 1] [--processes 200] [--max-depth 12]}
 * ({@code --max-depth 0}: parents picked among all live processes, the chains growing without bound, as the
 * generator did before the twelfth session).
 * Prints {@code records=N kernel=K user=U bytes=B seconds=S} on stdout.
 */
public final class JournalGenerator {
    private static final int BATCH = 512;          // records per excerpt, about what the recorder drains per tick
    private static final long BUFFER = 1L << 20;   // room for one batch of the largest records

    private final Random rnd;
    private final JournalWriter journal;
    private final RawRecords raw;
    private final List<SynthFile> libs = new ArrayList<>(), exes = new ArrayList<>();
    private final List<Proc> live = new ArrayList<>();
    private final Proc init = new Proc(1, 0, 0, 100 * 10_000_000L); // started at tick 100 (the snapshot says so too)
    private final Set<Long> enriched = new HashSet<>();
    private long ktime = 10_000_000_000L;
    private int nextPid = 5000;
    private long kernelRecords, userRecords;
    private final int maxDepth; // deepest a process may be (init's children are 1); 0: no bound

    /** One simulated process: where its next mapping goes and which anonymous regions it holds. */
    private static final class Proc {
        final int pid, ppid;
        final int depth; // 1 for the processes of the snapshot (children of init), a parent's depth + 1 after
        final long startNs;
        final ArrayDeque<long[]> anon = new ArrayDeque<>(); // {addr, len}
        long cursor = 0x7f0000000000L;
        boolean taskSent;

        Proc(int pid, int ppid, int depth, long startNs) {
            this.pid = pid;
            this.ppid = ppid;
            this.depth = depth;
            this.startNs = startNs;
        }

        long place(long len) { // top-down, as the kernel's mmap does
            cursor -= (len + 0xfff) & ~0xfffL;
            return cursor;
        }
    }

    private JournalGenerator(JournalWriter journal, MemorySegment buffer, long seed, int maxDepth) {
        this.maxDepth = maxDepth;
        this.journal = journal;
        this.raw = new RawRecords(buffer);
        this.rnd = new Random(seed);
        for (int i = 0; i < 400; i++) {
            libs.add(new SynthFile(100_000 + i, 20_000 + 977L * i, 1_700_000_000L + i, i * 1000, 0x800001, 0100644,
                    "/usr/lib/x86_64-linux-gnu/libsynth" + i + ".so." + (1 + i % 3)));
        }
        for (int i = 0; i < 40; i++) {
            exes.add(new SynthFile(200_000 + i, 100_000 + 4099L * i, 1_700_000_000L + i, 0, 0x800001, 0100755,
                    "/usr/bin/tool" + i));
        }
    }

    public static void main(String[] args) throws IOException {
        Path out = null;
        long records = 0, seed = 1;
        int processes = 200, maxDepth = 12;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--records" -> records = Long.parseLong(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--processes" -> processes = Integer.parseInt(args[++i]);
                case "--max-depth" -> maxDepth = Integer.parseInt(args[++i]);
                default -> usage("unknown option " + args[i]);
            }
        }
        if (out == null || records <= 0 || processes < 1) usage("--out and --records > 0 are required");
        if (maxDepth < 0) usage("--max-depth must be 0 (no bound) or more");
        long t0 = System.nanoTime();
        try (Arena arena = Arena.ofConfined()) {
            long now = System.currentTimeMillis() * 1_000_000L;
            JournalHeader header = new JournalHeader(1, "bench-generator", "synthetic-host", "0".repeat(32), "6.18.0-synthetic",
                    now - 10_000_000_000L, "syscalls", "0".repeat(64), now, 10_000_000_000L,
                    List.of("JournalGenerator", "--records", Long.toString(records)), 1);
            JournalWriter journal = JournalWriter.create(out, header, JournalWriter.Options.defaults());
            JournalGenerator g = new JournalGenerator(journal, arena.allocate(BUFFER, 8), seed, maxDepth);
            try {
                g.snapshot(processes / 10);
                g.run(records, processes);
                g.flush();
                g.user(new RecorderStatus(g.tick(), g.kernelRecords, 0, 0, 0, 0, 0, "", true)); // as a recorder stops, with nothing to note
            } finally {
                journal.close();
            }
            System.out.printf("records=%d kernel=%d user=%d bytes=%d seconds=%.1f%n", g.kernelRecords + g.userRecords,
                    g.kernelRecords, g.userRecords, journal.bytesOnDisk(), (System.nanoTime() - t0) / 1e9);
        }
    }

    private static void usage(String why) {
        System.err.println("JournalGenerator: " + why);
        System.err.println("usage: JournalGenerator --out DIR --records N [--seed 1] [--processes 200] [--max-depth 12]");
        System.exit(2);
    }

    private long tick() {
        ktime += 2_000 + rnd.nextInt(18_000);
        return ktime;
    }

    private int cpu() {
        return rnd.nextInt(2);
    }

    /** Hands the pending kernel records to the journal as one excerpt. */
    private void flush() throws IOException {
        if (raw.count() == 0) return;
        journal.appendKernelBatch(raw.buffer(), raw.length(), raw.count());
        kernelRecords += raw.count();
        raw.clear();
    }

    private void maybeFlush() throws IOException {
        if (raw.count() >= BATCH || raw.remaining() < 64 * 1024) flush();
    }

    private void user(UserRecord r) throws IOException {
        flush(); // keep the journal in time order: pending kernel records first
        journal.append(r);
        userRecords++;
    }

    /** The processes already running when the recording starts, as the recorder snapshots them. */
    private void snapshot(int count) throws IOException {
        // init: in the snapshot and the parent of the trees that would grow too deep; it forks, nothing else
        user(new ProcSnapshot(ktime, 1, 0, 100, 0, 0, 0, 0, 0xF0000000L, "systemd", "/usr/lib/systemd/systemd",
                List.of("/sbin/init"), null));
        user(new SnapshotRegion(1, 0x7ffc00000000L, 0x7ffc00021000L, 3, false, 0, 0, 0, 0, "[stack]"));
        for (int i = 0; i < count; i++) {
            Proc p = new Proc(nextPid++, 1, 1, ktime - 5_000_000_000L);
            SynthFile exe = exes.get(i % exes.size());
            user(new ProcSnapshot(ktime, p.pid, 1, 1000 + i, 0, 0, 0, 0, 0xF0000000L, "tool" + (i % exes.size()),
                    exe.path(), List.of(exe.path(), "--daemon"), null));
            user(new SnapshotRegion(p.pid, 0x400000, 0x401000, 1, false, 0, 8, 1, exe.ino(), exe.path()));
            user(new SnapshotRegion(p.pid, 0x401000, 0x480000, 5, false, 0x1000, 8, 1, exe.ino(), exe.path()));
            for (int k = 0; k < 6; k++) {
                SynthFile lib = libs.get(rnd.nextInt(libs.size()));
                long a = p.place(0x40000);
                user(new SnapshotRegion(p.pid, a, a + 0x40000, 5, false, 0, 8, 1, lib.ino(), lib.path()));
            }
            user(new SnapshotRegion(p.pid, 0x7ffc00000000L, 0x7ffc00021000L, 3, false, 0, 0, 0, 0, "[stack]"));
            live.add(p);
        }
    }

    private void run(long records, int processes) throws IOException {
        while (kernelRecords + userRecords + raw.count() < records) {
            int dice = rnd.nextInt(1000);
            if (live.size() < 2 || (dice < 20 && live.size() < processes)) spawn();
            else if (dice < 35 && live.size() > processes / 4) exit(live.remove(rnd.nextInt(live.size())));
            else if (dice < 60) dlopen(pick());
            else churn(pick());
            maybeFlush();
        }
    }

    private Proc pick() {
        return live.get(rnd.nextInt(live.size()));
    }

    private void ensureTask(Proc p) {
        if (p.taskSent) return;
        raw.task(tick(), cpu(), p.pid, p.pid, p.ppid, 1000, p.startNs, p.startNs, p.startNs - 1_000_000, "proc" + p.pid % 97);
        p.taskSent = true;
    }

    private void enrich(SynthFile f) throws IOException {
        if (!enriched.add(f.ino())) return;
        String h = Long.toHexString(f.ino());
        user(new FileInfo(ktime, f.dev(), f.ino(), f.ctimeSec(), f.ctimeNsec(), f.size(), f.path(),
                "ELF 64-bit LSB shared object, x86-64", pad(h, 32), pad(h, 40), pad(h, 64), pad(h, 128), null, 0));
    }

    private static String pad(String hex, int len) {
        return "0".repeat(len - hex.length()) + hex;
    }

    /**
     * fork + exec + the post-exec VMA walk + the dynamic loader mapping a few libraries. The parent is a live
     * process, or init when that one is as deep as {@link #maxDepth} allows: a parent picked among all live
     * processes alone grows chains without bound (in a 10M-record journal, median depth 155 and a fifth of the
     * processes at the analyzer's 256-ancestor cap), where a real host's are a handful to a dozen deep (7-8 in a
     * recorded run of the benchmark's process trees), and each mmap_exec row carries the chain's exe paths.
     */
    private void spawn() throws IOException {
        Proc parent = live.isEmpty() ? null : pick();
        if (parent != null && maxDepth > 0 && parent.depth >= maxDepth) {
            parent = init; // a service or a session started afresh, as a host's init starts them
        }
        int ppid = parent == null ? 1 : parent.pid;
        Proc child = new Proc(nextPid++, ppid, parent == null ? 1 : parent.depth + 1, tick());
        if (parent != null) {
            ensureTask(parent);
            raw.fork(tick(), cpu(), parent.pid, parent.pid, child.pid, child.startNs);
        }
        ensureTask(child);
        SynthFile exe = exes.get(rnd.nextInt(exes.size()));
        raw.exec(tick(), cpu(), child.pid, exe, exe.path() + "\0--job\0" + rnd.nextInt(100_000));
        SynthFile ld = libs.get(0);
        long t = tick();
        raw.vma(t, 0, child.pid, 0x400000, 0x401000, 0, 0x1, 0, false, exe);
        raw.vma(t, 0, child.pid, 0x401000, 0x480000, 1, 0x5, 1, false, exe);
        raw.vma(t, 0, child.pid, 0x480000, 0x490000, 0x80, 0x3, 2, false, exe);
        raw.vma(t, 0, child.pid, 0x7f7000000000L, 0x7f7000028000L, 0, 0x5, 3, false, ld);
        raw.vma(t, 0, child.pid, 0x7ffc00000000L, 0x7ffc00021000L, 0, 0x3, 4, false, null);
        raw.vma(t, 0, child.pid, 0x7ffc00100000L, 0x7ffc00102000L, 0, 0x5, 5, true, null);
        live.add(child);
        enrich(exe);
        enrich(ld);
        int n = 3 + rnd.nextInt(6);
        for (int i = 0; i < n; i++) dlopen(child);
    }

    /** What ld.so does per library: map it read-only, then map its text RX over it, then RELRO back to R. */
    private void dlopen(Proc p) throws IOException {
        ensureTask(p);
        SynthFile lib = libs.get(rnd.nextInt(libs.size()));
        long len = 0x40000, a = p.place(len);
        raw.mmap(tick(), cpu(), p.pid, p.pid, 0, len, 1, 0x802, 3, 0, a, lib);
        raw.mmap(tick(), cpu(), p.pid, p.pid, a + 0x1000, 0x20000, 5, 0x812, 3, 0x1000, a + 0x1000, lib);
        raw.mprotect(tick(), cpu(), p.pid, p.pid, a + 0x30000, 0x1000, 1, 0);
        enrich(lib);
    }

    /** Anonymous churn: RW, then RX (a JIT), sometimes RWX or a failed call; the oldest regions get unmapped. */
    private void churn(Proc p) {
        ensureTask(p);
        long len = 0x1000L << rnd.nextInt(5), a = p.place(len);
        boolean fail = rnd.nextInt(200) == 0;
        raw.mmap(tick(), cpu(), p.pid, p.pid, 0, len, 3, 0x22, -1, 0, fail ? -12 : a, null);
        if (fail) return;
        int roll = rnd.nextInt(10);
        if (roll < 6) raw.mprotect(tick(), cpu(), p.pid, p.pid, a, len, 5, 0);        // RW -> RX
        else if (roll < 7) raw.mprotect(tick(), cpu(), p.pid, p.pid, a, len, 7, 0);   // RW -> RWX
        p.anon.add(new long[] {a, len});
        while (p.anon.size() > 8) {
            long[] old = p.anon.poll();
            raw.munmap(tick(), cpu(), p.pid, p.pid, old[0], old[1], 0);
        }
    }

    private void exit(Proc p) {
        ensureTask(p);
        raw.exit(tick(), cpu(), p.pid, p.pid, 0);
    }
}
