package dev.mapscribe.analyzer.export;

import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Benchmark (no assertions): N synthetic {@code syscalls} rows through {@link TableWriter} in one
 * JVM after a warm-up: encoding on the caller's thread (the baseline), the default (encoding on a
 * background thread, ZSTD 1), and ZSTD level 3. Prints rows/s, the share of time spent in Parquet, bytes per row and the
 * peak RSS. Also says whether Hadoop is on the class path (the writer must not need it).
 *
 * <p>Run: {@code scripts/bench-export [MILLION_ROWS]}.
 */
public final class ExportBenchmark {
    static final TableSchema T = Tables.SYSCALLS;
    static final int TS = T.col("ts_ns"), UTC = T.col("utc_time"), PID = T.col("pid"), TID = T.col("tid"), COMM = T.col("comm"),
            CPU = T.col("cpu"), BATCH = T.col("batch"), SEQ = T.col("seq"), SYSCALL = T.col("syscall"), NR = T.col("nr"),
            A0 = T.col("arg0"), A1 = T.col("arg1"), A2 = T.col("arg2"), A3 = T.col("arg3"), A4 = T.col("arg4"), A5 = T.col("arg5"),
            RET = T.col("ret"), ERRNO = T.col("errno"), FAILED = T.col("failed"), PATH = T.col("path"), DEV = T.col("dev"), INODE = T.col("inode"),
            PATH_TRUNCATED = T.col("path_truncated"), COMPAT = T.col("compat"), X32 = T.col("x32");
    static final String[] COMMS = {"java", "node", "python3", "chrome", "bash", "nginx", "postgres", "sshd"};
    static final String[] LIBS = {"/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6",
            "/usr/lib/jvm/temurin-25-jdk-amd64/lib/server/libjvm.so", "/memfd:jit (deleted)"};

    /** Fills {@code rows} rows shaped like an mmap/mprotect/munmap storm of 64 processes. */
    static void fill(TableWriter w, long rows) {
        long addr = 0x7f00_0000_0000L;
        for (long i = 0; i < rows; i++) {
            int pid = 1000 + (int) (i % 64);
            int kind = (int) (i % 3);
            RowWriter r = w.row();
            r.setLong(TS, 5_000_000_000L + i * 1_000).setLong(UTC, 1_732_375_000_000_000_000L + i * 1_000)
                    .setInt(PID, pid).setInt(TID, pid + (int) (i % 4)).setString(COMM, COMMS[pid % COMMS.length])
                    .setInt(CPU, (int) (i & 1)).setLong(BATCH, i >> 6).setLong(SEQ, i);
            long a = addr + ((i * 4096) & 0xfff_ffffL);
            switch (kind) {
                case 0 -> {
                    boolean file = i % 6 == 0;
                    r.setString(SYSCALL, "mmap").setInt(NR, 9).setLong(A0, 0).setLong(A1, 8192).setLong(A2, 3)
                            .setLong(A3, file ? 2 : 0x22).setLong(A4, file ? 3 : -1).setLong(A5, 0).setLong(RET, a);
                    if (file) {
                        r.setString(PATH, LIBS[(int) (i % LIBS.length)]).setLong(DEV, 0x800001).setLong(INODE, 1_000_000 + i % 100);
                    }
                }
                case 1 -> r.setString(SYSCALL, "mprotect").setInt(NR, 10).setLong(A0, a).setLong(A1, 8192).setLong(A2, 5).setLong(RET, 0);
                default -> r.setString(SYSCALL, "munmap").setInt(NR, 11).setLong(A0, a).setLong(A1, 8192).setLong(RET, 0);
            }
            boolean failed = i % 1000 == 999;
            if (failed) {
                r.setLong(RET, -12).setInt(ERRNO, 12);
            }
            r.setBool(FAILED, failed).setBool(PATH_TRUNCATED, false).setBool(COMPAT, false).setBool(X32, false).end();
        }
    }

    record Result(String name, long rows, long nanos, long parquetNanos, long fillNanos, long bytes) {
        double rowsPerSecond() {
            return rows / (nanos / 1e9);
        }
    }

    static Result run(String name, Path out, long rows, TableWriter.Options options) throws IOException {
        long t0 = System.nanoTime();
        TableWriter w = TableWriter.open(out, T, "bench", options);
        long cpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        long fill;
        try {
            fill(w, rows);
        } finally {
            fill = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0;
            w.close();
        }
        long parquet = w.parquetNanos();
        long nanos = System.nanoTime() - t0;
        long bytes;
        try (Stream<Path> s = Files.walk(out)) {
            bytes = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        // The caller's CPU while it filled the rows: with background encoding, the row filling alone.
        return new Result(name, rows, nanos, parquet, options.background() ? fill : fill - parquet, bytes);
    }

    static String peakRss() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                .map(l -> l.substring(6).strip()).findFirst().orElse("?");
    }

    static boolean hadoopOnClassPath() {
        try {
            Class.forName("org.apache.hadoop.conf.Configuration");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    public static void main(String[] args) throws IOException {
        long rows = args.length > 0 ? (long) (Double.parseDouble(args[0]) * 1_000_000) : 5_000_000;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("mapscribe-bench-export");
        System.out.println("hadoop on class path: " + (hadoopOnClassPath() ? "yes" : "no"));
        TableWriter.Options defaults = TableWriter.Options.defaults();
        run("warm-up", dir.resolve("warmup"), Math.min(rows, 500_000), defaults);
        run("warm-up", dir.resolve("warmup"), Math.min(rows, 500_000), defaults.withBackground(false));
        Result base = run("foreground zstd 1", dir.resolve("fg"), rows, defaults.withBackground(false));
        Result bg = run("default: bg zstd 1", dir.resolve("zstd1"), rows, defaults);
        Result z3 = run("bg zstd 3", dir.resolve("zstd3"), rows, defaults.withZstdLevel(3));
        System.out.println("ratio = rows/s against the foreground run; encode = CPU time of Parquet encoding per row "
                + "(what one core can sustain: 1e9/encode rows/s), independent of other load; fill = CPU time of filling the "
                + "rows (RowWriter into Arrow batches) per row");
        System.out.printf(Locale.ROOT, "%-20s %10s %8s %12s %8s %12s %12s %9s%n", "run", "rows", "s", "rows/s", "ratio", "encode ns/row",
                "fill ns/row", "bytes/row");
        for (Result r : new Result[] {base, bg, z3}) {
            System.out.printf(Locale.ROOT, "%-20s %10d %8.2f %12.0f %8.2f %12.0f %12.0f %9.2f%n", r.name(), r.rows(), r.nanos() / 1e9,
                    r.rowsPerSecond(), r.rowsPerSecond() / base.rowsPerSecond(), (double) r.parquetNanos() / r.rows(),
                    (double) r.fillNanos() / r.rows(), (double) r.bytes() / r.rows());
        }
        System.out.println("peak RSS: " + peakRss() + ", max heap: " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        if (args.length <= 1) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
