package dev.mapscribe.recorder.enrich;

import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.UserRecord.ProcSnapshot;
import dev.mapscribe.formats.raw.UserRecord;
import dev.mapscribe.recorder.sys.Libc;
import dev.mapscribe.recorder.proc.ProcSnapshotter;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark of the start-up snapshot and of file enrichment (run by scripts/bench-enrich). Each figure is
 * printed next to a baseline measured in the same run: reading the same /proc files without parsing, reading
 * the same file without hashing, and coreutils' four *sum tools run one after the other.
 */
public final class EnrichBench {
    private EnrichBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int fileMiB = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        snapshot(rounds * 4);
        hashing(rounds, fileMiB);
        libraries();
    }

    private static void snapshot(int rounds) throws IOException {
        int self = (int) ProcessHandle.current().pid();
        long[] snap = new long[rounds];
        long[] raw = new long[rounds];
        int procs = 0;
        int records = 0;
        try (ProcSnapshotter s = new ProcSnapshotter()) {
            for (int i = 0; i < rounds; i++) { // interleaved, so load changes hit both alike
                long t0 = System.nanoTime();
                List<UserRecord> out = s.snapshot(self);
                snap[i] = System.nanoTime() - t0;
                t0 = System.nanoTime();
                rawRead(self);
                raw[i] = System.nanoTime() - t0;
                procs = (int) out.stream().filter(r -> r instanceof ProcSnapshot).count();
                records = out.size();
            }
        }
        double ms = median(snap) / 1e6;
        double base = median(raw) / 1e6;
        System.out.printf("snapshot: %d processes, %d regions: median %.2f ms (%.1f us/process); "
                + "baseline Files.readAllBytes of the same files, no parsing: %.2f ms; ratio %.2f%n",
                procs, records - procs, ms, ms * 1000 / procs, base, ms / base);
    }

    /** The baseline: read every file the snapshot reads, parse nothing. */
    private static void rawRead(int self) throws IOException {
        try (DirectoryStream<Path> d = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : d) {
                if (p.getFileName().toString().equals(Integer.toString(self))) {
                    continue;
                }
                for (String f : new String[] {"stat", "status", "cmdline", "maps"}) {
                    try {
                        Files.readAllBytes(p.resolve(f));
                    } catch (IOException e) {
                        // vanished or not allowed: the snapshot pays for these too
                    }
                }
                for (String l : new String[] {"exe", "ns/mnt"}) {
                    try {
                        Files.readSymbolicLink(p.resolve(l));
                    } catch (IOException e) {
                        // as above
                    }
                }
            }
        }
    }

    private static void hashing(int rounds, int fileMiB) throws Exception {
        Path file = Files.createTempFile("mapscribe-bench", ".bin");
        try {
            byte[] block = new byte[1 << 20];
            new Random(1).nextBytes(block);
            try (var out = Files.newOutputStream(file)) {
                for (int i = 0; i < fileMiB; i++) {
                    out.write(block);
                }
            }
            long bytes = Files.size(file);
            long[] hash = new long[rounds];
            long[] read = new long[rounds];
            long[] tools = new long[rounds];
            try (Libc libc = new Libc(); FileHasher hasher = new FileHasher(); Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(FileHasher.CHUNK, 4096);
                int fd = libc.open(file.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
                try {
                    hasher.hash(libc, fd, Long.MAX_VALUE, () -> false); // warm the JIT and the page cache
                    for (int i = 0; i < rounds; i++) {
                        long t0 = System.nanoTime();
                        for (long off = 0, n; (n = libc.pread(fd, buf, FileHasher.CHUNK, off)) > 0; off += n) {
                            // baseline: the reads alone
                        }
                        read[i] = System.nanoTime() - t0;
                        t0 = System.nanoTime();
                        hasher.hash(libc, fd, Long.MAX_VALUE, () -> false);
                        hash[i] = System.nanoTime() - t0;
                        t0 = System.nanoTime();
                        for (String tool : new String[] {"md5sum", "sha1sum", "sha256sum", "sha512sum"}) {
                            Process p = new ProcessBuilder(tool, file.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                                throw new IOException(tool + " failed");
                            }
                        }
                        tools[i] = System.nanoTime() - t0;
                    }
                } finally {
                    libc.close(fd);
                }
            }
            double mib = bytes / (double) (1 << 20);
            double hashRate = mib / (median(hash) / 1e9);
            System.out.printf("hashing %d MiB (page cache warm), md5+sha1+sha256+sha512 in one pass: %.0f MiB/s; "
                    + "baseline pread only: %.0f MiB/s; coreutils md5sum,sha1sum,sha256sum,sha512sum in turn: %.0f MiB/s; "
                    + "one pass vs coreutils: %.2fx%n",
                    fileMiB, hashRate, mib / (median(read) / 1e9), mib / (median(tools) / 1e9),
                    median(tools) / (double) median(hash));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** End to end through the Enricher: every shared library of the system, as a recorder would meet them. */
    private static void libraries() throws Exception {
        List<FileRef> refs = new ArrayList<>();
        long bytes = 0;
        try (Libc libc = new Libc();
             DirectoryStream<Path> d = Files.newDirectoryStream(Path.of("/usr/lib/x86_64-linux-gnu"), "*.so*")) {
            for (Path p : d) {
                if (!Files.isRegularFile(p) || Files.isSymbolicLink(p)) {
                    continue;
                }
                int fd = libc.open(p.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
                try {
                    Libc.Stat st = libc.fstat(fd);
                    refs.add(new FileRef(st.ino(), st.size(), st.ctimeSec(), (int) st.ctimeNsec(), st.kernelDev(),
                            st.mode(), 0, p.toString()));
                    bytes += st.size();
                } finally {
                    libc.close(fd);
                }
            }
        }
        LinkedBlockingQueue<UserRecord> sink = new LinkedBlockingQueue<>();
        Enricher.Options opts = new Enricher.Options(refs.size() + 1, 256L << 20, java.time.Duration.ofMinutes(5));
        long t0 = System.nanoTime();
        try (Enricher e = new Enricher(sink::add, opts)) {
            for (FileRef r : refs) {
                e.offer(r, ProcessLink.NONE);
            }
            for (int i = 0; i < refs.size(); i++) {
                if (sink.poll(5, TimeUnit.MINUTES) == null) {
                    throw new IOException("enricher stalled");
                }
            }
            long ns = System.nanoTime() - t0;
            System.out.printf("enricher end to end: %d libraries of /usr/lib/x86_64-linux-gnu, %.1f MiB: %.2f s, "
                    + "%.0f files/s, %.0f MiB/s (hashes + libmagic); %s%n", refs.size(), bytes / 1048576.0, ns / 1e9,
                    refs.size() / (ns / 1e9), bytes / 1048576.0 / (ns / 1e9), e.stats());
        }
    }

    private static long median(long[] xs) {
        long[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
