package dev.mapscribe.analyzer.cli;

import dev.mapscribe.analyzer.export.BackgroundSink;
import dev.mapscribe.analyzer.export.TableExport;
import dev.mapscribe.analyzer.export.TableExport.RowFilter;
import dev.mapscribe.analyzer.export.TableWriter;
import dev.mapscribe.analyzer.replay.ReplayStats;
import dev.mapscribe.analyzer.replay.Replayer;
import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.journal.JournalReader;
import dev.mapscribe.formats.journal.JournalSummary;
import dev.mapscribe.formats.journal.ReadResult;
import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import dev.mapscribe.formats.tables.Tables;
import dev.mapscribe.recorder.cli.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Replay journals, rebuild every process's memory regions, derive mmap_exec and mem_prot_alert,",
                "and export Parquet tables under OUT/<table>/host=<host>/part-NNNNN.parquet.",
                "Exit 0 when every journal read cleanly, 1 when one is damaged (everything before the damage is exported);",
                "with --exit-code, also 1 when the export holds at least one mem_prot_alert row (stderr says which).",
                "Usage errors exit 2."},
        footer = {"", "Examples:",
                "  mapscribe analyze /var/tmp/incident-42 --out ./out",
                "  mapscribe analyze host-a/ host-b/ --out ./fleet --jsonl",
                "  mapscribe analyze j/ --out ./out --from 2026-11-23T16:00:00Z --to 2026-11-23T16:05:00Z --pid 4242",
                "  mapscribe analyze j/ --out ./out --exit-code || echo \"alerts, or damage: see above\""})
public final class AnalyzeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "JOURNAL", arity = "1..*", description = "journal directories (several hosts may be given)")
    List<Path> journals;

    @Option(names = "--out", required = true, paramLabel = "OUT_DIR", description = "export directory (created; this host's earlier tables are replaced)")
    Path out;

    @Option(names = "--jsonl", description = "also write mmap_exec.jsonl in kunai's shape and mem_prot_alert.jsonl in tracee's")
    boolean jsonl;

    @Option(names = "--from", paramLabel = "T", description = "keep rows at or after T: an ISO-8601 UTC instant, or CLOCK_MONOTONIC ns")
    String from;

    @Option(names = "--to", paramLabel = "T", description = "keep rows before T (same forms as --from)")
    String to;

    @Option(names = "--pid", paramLabel = "N", description = "keep rows of this process only, and the writes other processes made into it "
            + "(state is still rebuilt from everything)")
    Integer pid;

    @Option(names = "--exit-code", description = "exit 1 when a mem_prot_alert row was exported (after --from/--to/--pid), "
            + "as git diff --exit-code signals a difference (1 is also a damaged journal: stderr says which)")
    boolean exitCode;

    @Option(names = "--verbose", description = "rows and Parquet encoding CPU per table; stack traces on errors")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        RowFilter filter = filter();
        PrintStream err = System.err;
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            // FileAlreadyExistsException's message is the bare path: say what was being done.
            throw new Cli.UserError("cannot create --out " + out + ": " + (e instanceof java.nio.file.FileAlreadyExistsException
                    ? "a file of that name is in the way" : e.getMessage()));
        }
        // Open every journal first: a wrong path fails before any work is done.
        List<JournalReader> readers = new ArrayList<>();
        try {
            for (Path j : journals) readers.add(JournalReader.open(j));
            Map<String, TableExport> exports = new LinkedHashMap<>();
            boolean damaged = false;
            long started = System.nanoTime();
            Progress progress = new Progress(err, Cli.terminal(), "analyzing");
            long[] readSoFar = {0};
            long records = 0, mmapExec = 0, unhashed = 0, alerts = 0, syscalls = 0, regionVersions = 0, memoryWrites = 0, processes = 0, unknown = 0, lost = 0, refused = 0, hidden = 0;
            try {
                for (JournalReader reader : readers) {
                    JournalHeader h = reader.header();
                    TableExport export = exports.get(h.hostname());
                    if (export == null) {
                        export = new TableExport(out, h.hostname(), jsonl, filter);
                        exports.put(h.hostname(), export);
                    }
                    // The replay runs here; the rows are written to the tables on a second thread.
                    BackgroundSink rows = new BackgroundSink(export, h.hostname());
                    Replayer replayer = new Replayer(h, rows);
                    long[] lastKtime = {h.startKtimeNs()};
                    ReadResult r;
                    ReplayStats s;
                    try {
                        r = reader.read((rec, batch) -> {
                            if (rec instanceof KernelRecord k) lastKtime[0] = k.h().ktimeNs();
                            replayer.accept(rec, batch);
                            if ((++readSoFar[0] & 0xffff) == 0) progress.records(readSoFar[0]);
                        });
                        s = replayer.finish();
                    } catch (RuntimeException | Error failure) {
                        try {
                            rows.close(); // stop the writer thread before the exports are closed below
                        } catch (RuntimeException | Error second) {
                            if (second != failure) failure.addSuppressed(second);
                        }
                        throw failure;
                    }
                    rows.close(); // every row is in the tables: journalDamage below comes after them
                    progress.done(); // the lines below start at the left margin
                    if (r.damage() != null) {
                        damaged = true;
                        err.println("mapscribe: " + reader.dir() + ": " + r.damage().describe());
                        export.journalDamage(h.hostname(), lastKtime[0], h.bootTimeUtcNs() + lastKtime[0],
                                r.damage().describe());
                    }
                    if (r.damage() == null && !s.stopped()) {
                        // Not damage (a killed recorder's journal reads to its last complete record), but a gap of
                        // unknown length at the end: said once here and as a row of losses.
                        String end = JournalSummary.NO_FINAL_RECORD + "; nothing after its last record is known";
                        err.println("mapscribe: " + reader.dir() + ": " + end);
                        export.journalDamage(h.hostname(), lastKtime[0], h.bootTimeUtcNs() + lastKtime[0], end);
                    }
                    if (!s.recorderNote().isEmpty()) {
                        err.println("mapscribe: " + reader.dir() + ": the recorder noted: " + s.recorderNote());
                        export.recorderNote(lastKtime[0], h.bootTimeUtcNs() + lastKtime[0], s.recorderNote());
                    }
                    records += s.records();
                    mmapExec += s.mmapExec();
                    unhashed += s.mmapExecUnhashed();
                    alerts += s.memProtAlerts();
                    syscalls += s.syscalls();
                    regionVersions += s.regionVersions();
                    memoryWrites += s.memoryWrites();
                    processes += s.processes();
                    unknown += s.memoryUnknown();
                    hidden += s.leaderExited();
                    lost += s.losses();
                    refused += s.refused();
                    if (s.inconsistencies() > 0 || s.uncertainties() > 0) {
                        err.printf("mapscribe: %s: %d calls changed memory the state did not know, %d failed calls left protection unknown%n",
                                reader.dir(), s.inconsistencies(), s.uncertainties());
                    }
                    if (s.orderRaces() > 0) {
                        err.printf("mapscribe: %s: %d calls returned after another call had changed the same pages of their address "
                                + "space, so which change the kernel made last is not known: those pages are unknown from there "
                                + "(order rows in losses)%n", reader.dir(), s.orderRaces());
                    }
                    if (s.impossible() > 0) {
                        err.printf("mapscribe: %s: %d records say the kernel changed a range it cannot have (a damaged or forged journal): "
                                + "in the syscalls table, left out of the region state%n", reader.dir(), s.impossible());
                    }
                    // Both are data the tables cannot hold: say so rather than lose them without a word.
                    if (s.snapshotLate()) {
                        err.printf("mapscribe: %s: the start-up snapshot came after more records than the analyzer holds to "
                                + "put it in its place: the processes it names were replayed after those records, and those "
                                + "active meanwhile are partly unknown%n", reader.dir());
                    }
                    if (s.orphanSnapshotLines() > 0) {
                        err.printf("mapscribe: %s: %d snapshot region lines without their process line were skipped%n",
                                reader.dir(), s.orphanSnapshotLines());
                    }
                    if (s.compatCalls() > 0) {
                        err.printf("mapscribe: %s: %d syscalls made in 32-bit mode (a 32-bit process, or int 0x80), or x32's own "
                                + "versions of watched calls, were not recorded: their numbers mean other calls than in 64-bit mode "
                                + "(compat rows in losses)%n",
                                reader.dir(), s.compatCalls());
                    }
                    if (s.rolledCycles() > 0) {
                        err.printf("mapscribe: %s: the recorder deleted the %d oldest cycle files to stay under --max-disk: "
                                + "the state of processes from before them is partly unknown (a journal_rolled row in losses)%n",
                                reader.dir(), s.rolledCycles());
                    }
                }
                for (TableExport e : exports.values()) e.close();
            } catch (IOException | RuntimeException | Error failure) {
                progress.done();
                // Nothing of a failed run stays in the export: a table cut off midway would read as a whole one.
                for (TableExport e : exports.values()) e.abort();
                String msg = ranOutOfMemory(failure) ? Cli.outOfMemory()
                        : failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
                if (failure instanceof Error error && !(error instanceof OutOfMemoryError)) throw error;
                throw new IOException(msg.lines().findFirst().orElse(msg) + " (nothing exported: the run's files in "
                        + out + " are removed)", failure);
            }
            progress.done();
            double secs = (System.nanoTime() - started) / 1e9;
            err.printf("analyzed %d records from %d journal(s) of %d host(s) in %.1f s (%.0f records/s, peak RSS %s)%n",
                    records, readers.size(), exports.size(), secs, records / Math.max(secs, 1e-9), peakRss());
            err.printf("  syscalls %d, mmap_exec %d%s, mem_prot_alert %d, processes %d, region versions %d, memory writes %d%n",
                    syscalls, mmapExec, unhashed > 0 ? " (" + unhashed + " without hashes: mapped_error says why)" : "",
                    alerts, processes, regionVersions, memoryWrites);
            err.printf("  processes whose memory was partly unknown (memory_known false: started before the recording, and not"
                    + " in its snapshot, in it only after they had changed or ended, or /proc/PID/maps unreadable): %d;"
                    + " records lost in the kernel: %d%s%n",
                    unknown, lost, refused > 0 ? "; refused by the journal (--max-disk, or its disk nearly full): " + refused : "");
            if (hidden > 0) {
                // rare, and worth a look: said only when there are some
                err.printf("  processes hidden behind an exited first thread (leader_exited: /proc showed them as zombies): %d%n",
                        hidden);
            }
            err.printf("  export: %s%n", out);
            if (verbose) {
                for (TableExport e : exports.values()) {
                    for (TableWriter t : e.writers()) {
                        err.printf("    %-16s %-10s %10d rows, Parquet encoding %.1f s CPU%n", t.table().name(), t.host(),
                                t.rowsWritten(), t.parquetNanos() / 1e9);
                    }
                }
            }
            if (damaged) return Cli.FAILURE;
            return exitCode && alertRows(exports.values()) > 0 ? Cli.FINDINGS : Cli.OK;
        } finally {
            for (JournalReader r : readers) r.close();
        }
    }

    /** The heap ran out, here or on a writer thread (whose failure arrives wrapped: "writing processes: ..."). */
    private static boolean ranOutOfMemory(Throwable t) {
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof OutOfMemoryError) return true;
        }
        return false;
    }

    /** mem_prot_alert rows in the exports: the alerts the user asked for, after the row filter. */
    private static long alertRows(Iterable<TableExport> exports) {
        long rows = 0;
        for (TableExport e : exports) {
            for (TableWriter t : e.writers()) {
                if (t.table() == Tables.MEM_PROT_ALERT) rows += t.rowsWritten();
            }
        }
        return rows;
    }

    private RowFilter filter() {
        if (from == null && to == null && pid == null) return RowFilter.ALL;
        Long f = null, t = null;
        Boolean utc = null;
        if (from != null) {
            f = time(from, "--from");
            utc = !isNumber(from);
        }
        if (to != null) {
            t = time(to, "--to");
            boolean toUtc = !isNumber(to);
            if (utc != null && utc != toUtc) throw new Cli.UserError("--from and --to must both be UTC instants or both CLOCK_MONOTONIC ns");
            utc = toUtc;
        }
        return new RowFilter(f, t, utc != null && utc, pid);
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    private static long time(String s, String option) {
        try {
            if (isNumber(s)) return Long.parseLong(s);
            Instant i = Instant.parse(s);
            return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
        } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
            // NumberFormatException: more digits than a long holds; ArithmeticException: an instant past 2262
            throw new Cli.UserError(option + " " + s + " is neither an ISO-8601 instant (2026-11-23T16:00:00Z) nor CLOCK_MONOTONIC ns");
        }
    }

    static String peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return line.substring(6).trim();
            }
        } catch (IOException ignored) {
            // not Linux: say so below
        }
        return "unknown";
    }

}
