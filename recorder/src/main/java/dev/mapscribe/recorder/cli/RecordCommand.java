package dev.mapscribe.recorder.cli;

import dev.mapscribe.formats.raw.RecordKind;
import dev.mapscribe.recorder.Recorder;
import dev.mapscribe.recorder.enrich.Enricher;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "record", mixinStandardHelpOptions = true,
        description = {"Record every memory-mapping and process event of this host into a journal (needs root).",
                "Runs until --duration ends or SIGINT/SIGTERM, then prints a summary on stderr.",
                "Exit 0 when the journal is complete, 1 on failure, 2 on a usage error."},
        footer = {"", "Example:", "  mapscribe record --journal /var/tmp/incident-42 --duration 10m"})
public final class RecordCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--journal", required = true, paramLabel = "DIR", description = "new journal directory (created 0700)")
    Path journal;

    @Option(names = "--duration", paramLabel = "TIME", description = "stop after TIME (30s, 5m, 1h); default: until SIGINT/SIGTERM")
    String duration;

    @Option(names = "--hooks", defaultValue = "auto", paramLabel = "TIER",
            description = "auto (LSM if the kernel allows it, else syscalls), syscalls (tp_btf, else raw tracepoints), "
                    + "syscalls-raw-tp (raw tracepoints only: forces the fallback), or lsm (default: ${DEFAULT-VALUE})")
    String hooks;

    @Option(names = "--max-disk", defaultValue = "4G", paramLabel = "SIZE", description = "bound on the journal; oldest cycles are deleted (default: ${DEFAULT-VALUE})")
    String maxDisk;

    @Option(names = "--ring", defaultValue = "64M", paramLabel = "SIZE", description = "kernel ring buffer, a power of two (default: ${DEFAULT-VALUE})")
    String ring;

    @Option(names = "--no-enrich", description = "do not hash and identify executable files")
    boolean noEnrich;

    @Option(names = "--no-snapshot", description = "do not snapshot the processes already running")
    boolean noSnapshot;

    @Option(names = "--no-realtime", description = "run the thread that holds new executable files at the kernel's"
            + " request as a normal thread (nice -4) instead of SCHED_FIFO priority 1, which it needs on a busy host"
            + " to hold the files of processes that live about a millisecond")
    boolean noRealtime;

    @Option(names = "--no-io-uring", description = "do not watch io_uring requests (writes into process memory files and"
            + " madvise through a ring go unrecorded, and the journal says so); each io_uring write request of the host costs"
            + " ~130 ns more with them (three tracepoints)")
    boolean noIoUring;

    @Option(names = "--no-map-order", description = "do not watch the mmap lock (calls of one process that race on the same"
            + " memory are then replayed in the order they returned, which may not be the kernel's, and nothing says so);"
            + " each mmap lock the host takes costs a tracepoint and a short program with it: ~2-4 % of an mmap/mprotect/munmap storm")
    boolean noMapOrder;

    @Option(names = "--no-uffd-entry", description = "do not watch ioctls as they begin (the range a userfaultfd fill"
            + " writes is then read as the call returns, when another thread may have rewritten it, and the journal says so);"
            + " each ioctl of the host costs ~130 ns more with it (a tracepoint program)")
    boolean noUffdEntry;

    @Option(names = "--synthetic-producer", hidden = true, paramLabel = "PID",
            description = "capacity benchmark: PID's getppid(2) calls generate records (scripts/workloads/synthetic.c)")
    int syntheticProducer;

    @Option(names = "--verbose", description = "stack traces on errors")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Recorder.Hooks tier = switch (hooks) {
            case "auto" -> Recorder.Hooks.AUTO;
            case "syscalls" -> Recorder.Hooks.SYSCALLS;
            case "syscalls-raw-tp" -> Recorder.Hooks.SYSCALLS_RAW_TP;
            case "lsm" -> Recorder.Hooks.LSM;
            default -> throw new Cli.UserError("--hooks must be auto, syscalls, syscalls-raw-tp or lsm, not " + hooks);
        };
        Duration limit = duration == null ? null : Sizes.duration("--duration", duration);
        long ringBytes = Sizes.bytes("--ring", ring);
        long maxDiskBytes = Sizes.bytes("--max-disk", maxDisk);
        if (!Capabilities.canLoadBpf()) {
            throw new Cli.UserError("recording needs root (or CAP_BPF and CAP_PERFMON): " + Capabilities.missingForBpf());
        }
        PrintStream err = System.err;
        List<String> commandLine = new ArrayList<>(List.of("mapscribe"));
        commandLine.addAll(spec.commandLine().getParseResult().originalArgs());
        Recorder.Config config = new Recorder.Config(journal, tier, maxDiskBytes, ringBytes, !noEnrich, !noSnapshot,
                commandLine, err, syntheticProducer).withRealtimeHolder(!noRealtime).withIoUring(!noIoUring)
                .withMapOrder(!noMapOrder).withUffdEntry(!noUffdEntry);
        Recorder recorder = Recorder.start(config);
        if (!noRealtime && recorder.holderScheduling().startsWith("nice")) {
            // Like the LSM fallback: one line, and the recording goes on.
            err.printf("mapscribe: the holder thread runs at %s; files of processes that live about a"
                    + " millisecond may be lost on a busy host%n", recorder.holderScheduling());
        }
        stopOnSignals(recorder); // before saying "recording": whoever waits for that line may signal at once
        err.printf("mapscribe: recording to %s with the %s tier%s; SIGINT or SIGTERM stops%n", journal,
                recorder.tier().journalName(), limit == null ? "" : " for " + duration);

        // Other ways the JVM is asked to exit (SIGHUP, or INT/TERM if the handlers could not be installed) run
        // shutdown hooks: stop, and hold the JVM until the journal is closed and summarized.
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            if (!recorder.stopping()) {
                System.err.println("mapscribe: the JVM is shutting down: stopping");
            }
            recorder.stop();
            try {
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mapscribe-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (limit != null) {
                recorder.join(limit);
            } else {
                while (!recorder.join(Duration.ofSeconds(3600))) {
                    // until a signal stops it
                }
            }
            Recorder.Summary s = recorder.awaitStopped();
            printSummary(s, err);
            recorder.close();
            if (s.refusedRecords() > 0) {
                // The journal is not complete: --max-disk was reached with nothing left to delete.
                err.println("mapscribe: the journal reached --max-disk: " + s.refusedRecords() + " records were not written (raise --max-disk)");
                return Cli.FAILURE;
            }
            if (s.refusedForSpace() > 0) {
                err.println("mapscribe: the journal's file system was nearly full: " + s.refusedForSpace()
                        + " records were not written (record to a larger one)");
                return Cli.FAILURE;
            }
            return Cli.OK; // ring-buffer losses are in the journal and the summary, not a failure of the recording
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // a signal is stopping the JVM: the hook is already running
            }
        }
    }

    /**
     * SIGINT and SIGTERM stop the recording. Handled explicitly rather than through shutdown hooks because a
     * shell starts background jobs with SIGINT ignored, and the JVM then never sees `kill -INT`.
     */
    @SuppressWarnings("removal")
    private static void stopOnSignals(Recorder recorder) {
        for (String name : List.of("INT", "TERM")) {
            // The JVM will not handle a signal inherited as ignored (background jobs get SIGINT ignored): un-ignore it.
            dev.mapscribe.recorder.sys.Libc.unignoreSignal(name.equals("INT") ? 2 : 15);
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    System.err.println("mapscribe: SIG" + signal.getName() + " received: stopping");
                    recorder.stop();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // -Xrs, or the signal is reserved: the shutdown hook still stops the recording
            }
        }
    }

    /**
     * The holds of new executable files: their price on the writer thread, which also drains the ring, and how
     * late after the mapping the latest came (SNAPSHOT-AND-ENRICHMENT.md); empty when none was made.
     */
    static String holds(Enricher.Stats e) {
        if (e.holds() == 0) {
            return "";
        }
        return String.format(Locale.ROOT, " (%d held at first sight%s%s, %.1f ms on the writer thread; held at most %.2f ms after the mapping, %d over 1 ms)",
                e.holds(), e.earlyHolds() > 0 ? ", " + e.earlyHolds() + " of them by the holder thread" : "",
                e.holdsMissed() > 0 ? ", " + e.holdsMissed() + " not reachable any more" : "",
                e.holdNanos() / 1e6, e.holdLagMaxNs() / 1e6, e.holdsOverMs());
    }

    static void printSummary(Recorder.Summary s, PrintStream err) {
        StringBuilder kinds = new StringBuilder();
        for (Map.Entry<RecordKind, Long> e : s.kernelRecordsByKind().entrySet()) {
            kinds.append(kinds.isEmpty() ? "" : ", ").append(e.getKey().name().toLowerCase(Locale.ROOT)).append(' ').append(e.getValue());
        }
        double secs = s.wallNs() / 1e9;
        err.printf(Locale.ROOT, "mapscribe: %.1f s, %s tier: %d kernel records (%s), %d user records%n", secs,
                s.tier().journalName(), s.kernelRecords(), kinds.isEmpty() ? "none" : kinds, s.userRecords());
        err.printf(Locale.ROOT, "mapscribe: journal %.1f MiB on disk in %d batches (%.1f bytes/kernel record before compression), "
                        + "lost %d, files hashed %d%s, CPU %.2f s (%.1f %% of one core)%s%s%n",
                s.bytesOnDisk() / 1048576.0, s.batches(), s.kernelRecords() == 0 ? 0.0 : (double) s.kernelBytes() / s.kernelRecords(),
                s.lost(), s.filesHashed(), holds(s.enrichment()),
                s.cpuNs() / 1e9, secs == 0 ? 0.0 : 100.0 * s.cpuNs() / s.wallNs(),
                s.refusedRecords() > 0 ? ", " + s.refusedRecords() + " records refused by --max-disk" : "",
                s.rolledCycles() > 0 ? ", the " + s.rolledCycles() + " oldest cycle files deleted to stay under --max-disk" : "");
        if (s.compatCalls() > 0) {
            err.printf(Locale.ROOT, "mapscribe: %d syscalls made in 32-bit mode left out (a 32-bit process, or int 0x80: their "
                    + "numbers mean other calls than in 64-bit mode; mmap2, old_mmap, mprotect, pkey_mprotect, munmap, mremap, madvise, the lock calls, brk, shmat and shmdt are recorded)%n",
                    s.compatCalls());
        }
    }
}
