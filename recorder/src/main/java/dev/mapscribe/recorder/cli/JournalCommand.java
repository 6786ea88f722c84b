package dev.mapscribe.recorder.cli;

import dev.mapscribe.formats.journal.JournalException;
import dev.mapscribe.formats.journal.JournalReader;
import dev.mapscribe.formats.journal.JournalSummary;
import dev.mapscribe.formats.raw.RecordKind;
import dev.mapscribe.formats.raw.UserRecord;
import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "journal", description = "Inspect a journal.", subcommands = JournalCommand.Info.class,
        mixinStandardHelpOptions = true)
public final class JournalCommand {

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = {"Print a journal's header, records per kind, time span and losses, and whether",
                    "the recorder stopped (without its final record, the journal is still being",
                    "recorded, or its recorder was killed or crashed, or its end is lost).",
                    "Exit 0 when the journal reads cleanly, 1 when it is damaged (everything before the damage is counted)."},
            footer = {"", "Example:", "  mapscribe journal info /var/tmp/incident-42 --format json"})
    public static final class Info implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "the journal directory")
        Path dir;

        enum Format { text, json }

        @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
        Format format;

        @Option(names = "--verbose", description = "stack traces on errors")
        boolean verbose;

        @Override
        public Integer call() throws JournalException {
            JournalSummary s;
            try (JournalReader r = JournalReader.open(dir)) {
                s = JournalSummary.of(r);
            }
            PrintStream out = System.out;
            if (format == Format.json) out.println(json(s));
            else text(s, out);
            if (s.damage() != null) {
                System.err.println("mapscribe: " + s.damage().describe());
                return Cli.FAILURE;
            }
            return Cli.OK;
        }

        private static String utc(JournalHeader h, long ktimeNs) {
            long ns = h.bootTimeUtcNs() + ktimeNs;
            return Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L)).toString();
        }

        static void text(JournalSummary s, PrintStream out) {
            JournalHeader h = s.header();
            out.printf("journal         format %d, written by mapscribe %s%n", h.formatVersion(), h.recorderVersion());
            out.printf("host            %s (machine-id %s), kernel %s%s%n", h.hostname(), h.machineId(), h.kernelRelease(),
                    h.overcommitMemory() == JournalHeader.OVERCOMMIT_UNKNOWN ? "" : ", vm.overcommit_memory " + h.overcommitMemory());
            out.printf("hooks           %s tier, BPF object sha256 %s%n", h.hookTier(), h.bpfSha256());
            out.printf("started         %s by pid %d: %s%n", utc(h, h.startKtimeNs()), h.recorderPid(), String.join(" ", h.commandLine()));
            if (h.suspendedNs() != JournalHeader.SUSPENDED_UNKNOWN && Math.abs(h.suspendedNs()) >= 1_000_000) {
                // a host that never slept reads nanoseconds here (two clocks read apart): not worth a line
                out.printf("suspended       %.3f s in all since boot, before the recording (/proc start times count it)%n",
                        h.suspendedNs() / 1e9);
            }
            if (s.kernelRecords() > 0) {
                out.printf("time span       %s .. %s (%.3f s)%n", utc(h, s.firstKtimeNs()), utc(h, s.lastKtimeNs()),
                        (s.lastKtimeNs() - s.firstKtimeNs()) / 1e9);
            }
            out.printf("records         %d in %d batches (%d from the kernel)%n", s.records(), s.batches(), s.kernelRecords());
            for (Map.Entry<RecordKind, Long> e : s.counts().entrySet()) {
                out.printf("  %-16s %12d%n", e.getKey().name().toLowerCase(), e.getValue());
            }
            out.printf("lost            %d records (in the kernel)%n", s.lost());
            if (s.refused() > 0) {
                out.printf("refused         %d kernel records (the journal at --max-disk, or its file system nearly full)%n", s.refused());
            }
            if (s.compat() > 0) {
                out.printf("32-bit calls    %d not recorded (a 32-bit process, or int 0x80: their numbers mean other calls than in 64-bit mode)%n", s.compat());
            }
            if (s.unhashed() > 0) {
                out.printf("unhashed        %d files without hashes (gone, unreadable or over the size cap: their file_info records say which)%n", s.unhashed());
            }
            if (s.rolled() != null) {
                // A gap like a loss: everything recorded from the start until the oldest kept cycle is gone.
                UserRecord.JournalRolled j = s.rolled();
                out.printf("deleted         %d oldest cycle files (%d bytes, %s kernel records) to stay under --max-disk:"
                                + " the records from %s to %s are gone%n", j.deletedCycles(), j.deletedBytes(),
                        j.deletedKernelRecords() < 0 ? "unknown" : Long.toString(j.deletedKernelRecords()),
                        utc(h, h.startKtimeNs()), utc(h, j.keptFromNs()));
            }
            out.printf("integrity       %s%n", s.unchecked() == 0 ? "CRC-32C checksums on every batch"
                    : s.unchecked() + " of " + s.batches() + " batches without checksums (written before them): damage inside"
                    + " their records cannot be seen");
            out.printf("stopped         %s%n", s.stopped() != null ? "by the recorder at " + utc(h, s.stopped().ktimeNs())
                    : JournalSummary.NO_FINAL_RECORD);
            if (s.stopped() != null && !s.stopped().note().isEmpty()) {
                out.printf("note            %s%n", s.stopped().note()); // what the recorder did not do (hooks refused, ...)
            }
            out.printf("damage          %s%n", s.damage() == null ? "none" : s.damage().describe());
        }

        static String json(JournalSummary s) {
            JournalHeader h = s.header();
            StringBuilder counts = new StringBuilder("{");
            for (Map.Entry<RecordKind, Long> e : s.counts().entrySet()) {
                if (counts.length() > 1) counts.append(',');
                counts.append(Json.str(e.getKey().name().toLowerCase())).append(':').append(e.getValue());
            }
            counts.append('}');
            return "{" + "\"format_version\":" + h.formatVersion() + ",\"recorder_version\":" + Json.str(h.recorderVersion())
                    + ",\"host\":" + Json.str(h.hostname()) + ",\"machine_id\":" + Json.str(h.machineId())
                    + ",\"kernel\":" + Json.str(h.kernelRelease())
                    + ",\"overcommit_memory\":" + (h.overcommitMemory() == JournalHeader.OVERCOMMIT_UNKNOWN ? "null" : h.overcommitMemory())
                    + ",\"suspended_ns\":" + (h.suspendedNs() == JournalHeader.SUSPENDED_UNKNOWN ? "null" : h.suspendedNs())
                    + ",\"hook_tier\":" + Json.str(h.hookTier())
                    + ",\"bpf_sha256\":" + Json.str(h.bpfSha256()) + ",\"boot_time_utc_ns\":" + h.bootTimeUtcNs()
                    + ",\"start_utc\":" + Json.str(utc(h, h.startKtimeNs())) + ",\"recorder_pid\":" + h.recorderPid()
                    + ",\"command_line\":" + Json.strs(h.commandLine())
                    + ",\"first_ktime_ns\":" + s.firstKtimeNs() + ",\"last_ktime_ns\":" + s.lastKtimeNs()
                    + ",\"records\":" + s.records() + ",\"kernel_records\":" + s.kernelRecords() + ",\"batches\":" + s.batches()
                    + ",\"counts\":" + counts + ",\"lost\":" + s.lost() + ",\"refused\":" + s.refused() + ",\"compat_calls\":" + s.compat()
                    + ",\"unhashed_files\":" + s.unhashed() + ",\"rolled_cycles\":" + s.rolledCycles()
                    + ",\"rolled_bytes\":" + (s.rolled() == null ? 0 : s.rolled().deletedBytes())
                    + ",\"rolled_kernel_records\":" + (s.rolled() == null ? 0 : s.rolled().deletedKernelRecords())
                    + ",\"rolled_before_ktime_ns\":" + (s.rolled() == null ? "null" : Long.toString(s.rolled().keptFromNs()))
                    + ",\"batches_without_checksums\":" + s.unchecked()
                    + ",\"stopped_utc\":" + (s.stopped() == null ? "null" : Json.str(utc(h, s.stopped().ktimeNs())))
                    + ",\"note\":" + (s.stopped() == null || s.stopped().note().isEmpty() ? "null" : Json.str(s.stopped().note()))
                    + ",\"damage\":" + (s.damage() == null ? "null" : Json.str(s.damage().describe())) + "}";
        }
    }
}
