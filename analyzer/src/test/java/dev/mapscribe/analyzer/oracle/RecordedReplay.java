package dev.mapscribe.analyzer.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mapscribe.analyzer.derive.MemProtAlertEvent;
import dev.mapscribe.analyzer.derive.MmapExecEvent;
import dev.mapscribe.analyzer.oracle.RegionsWorkload.Checkpoint;
import dev.mapscribe.analyzer.oracle.RegionsWorkload.Item;
import dev.mapscribe.analyzer.replay.EventSink;
import dev.mapscribe.analyzer.replay.FileRow;
import dev.mapscribe.analyzer.replay.LossRow;
import dev.mapscribe.analyzer.replay.ProcessLifetime;
import dev.mapscribe.analyzer.replay.RegionVersion;
import dev.mapscribe.analyzer.replay.ReplayStats;
import dev.mapscribe.analyzer.replay.Replayer;
import dev.mapscribe.analyzer.replay.SyscallRow;
import dev.mapscribe.formats.journal.JournalReader;
import dev.mapscribe.formats.journal.ReadResult;
import dev.mapscribe.formats.testkit.CWorkloads;
import dev.mapscribe.formats.testkit.ProcMaps;
import dev.mapscribe.recorder.Recorder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A workload of scripts/workloads/ run under the in-process recorder, its journal replayed, every row kept. */
final class RecordedReplay {
    List<Item> items;
    String output;
    int pid;
    ReadResult read;
    ReplayStats stats;
    final List<RegionVersion> regions = new ArrayList<>();
    final List<MemProtAlertEvent> alerts = new ArrayList<>();
    final List<MmapExecEvent> mmapExec = new ArrayList<>();
    final List<SyscallRow> syscalls = new ArrayList<>();
    final List<ProcessLifetime> processes = new ArrayList<>();
    final List<LossRow> losses = new ArrayList<>();
    final List<dev.mapscribe.analyzer.replay.MemoryWriteRow> memoryWrites = new ArrayList<>();

    static RecordedReplay of(Path tmp, String workload) throws Exception {
        return of(tmp, workload, Recorder.Hooks.AUTO);
    }

    /** As above, recorded with {@code hooks} (e.g. the raw_tp variant of the syscall tier). */
    static RecordedReplay of(Path tmp, String workload, Recorder.Hooks hooks) throws Exception {
        return of(tmp, workload, hooks, List.of(CWorkloads.build(workload).toString()));
    }

    /** {@code command} (named {@code workload}) recorded with {@code hooks}. */
    static RecordedReplay of(Path tmp, String workload, Recorder.Hooks hooks, List<String> command) throws Exception {
        RecordedReplay run = new RecordedReplay();
        Path journal = tmp.resolve(workload + "-" + hooks.name().toLowerCase(java.util.Locale.ROOT) + "-journal");
        Recorder.Config config = new Recorder.Config(journal, hooks, 1L << 30, 16L << 20, false, true,
                List.of("test", workload), System.err);
        String out;
        try (Recorder recorder = Recorder.start(config)) {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            recorder.awaitStopped();
        }
        run.output = out;
        run.items = RegionsWorkload.parse(out);
        run.pid = RegionsWorkload.pid(run.items);
        EventSink sink = new EventSink() {
            @Override public void syscall(SyscallRow row) { run.syscalls.add(row); }
            @Override public void mmapExec(MmapExecEvent e) { run.mmapExec.add(e); }
            @Override public void memProtAlert(MemProtAlertEvent e) { run.alerts.add(e); }
            @Override public void regionVersion(RegionVersion v) { run.regions.add(v); }
            @Override public void process(ProcessLifetime p) { run.processes.add(p); }
            @Override public void loss(LossRow l) { run.losses.add(l); }
            @Override public void file(FileRow f) { } // the oracle compares regions and events, not hashes
            @Override public void memoryWrite(dev.mapscribe.analyzer.replay.MemoryWriteRow w) { run.memoryWrites.add(w); }
        };
        try (JournalReader reader = JournalReader.open(journal)) {
            Replayer replayer = new Replayer(reader.header(), sink);
            run.read = reader.read(replayer::accept);
            run.stats = replayer.finish();
        }
        return run;
    }

    /** Every page where the regions of the checkpoint's process, valid at its time, differ from its dump. */
    List<String> differences(Checkpoint c) {
        List<String> out = new ArrayList<>();
        for (String d : MapsComparison.differences(c.maps(), stateAt(c))) {
            out.add("checkpoint " + c.n() + " " + c.label() + " (pid " + pidOf(c) + "): " + d);
        }
        return out;
    }

    /** Over every checkpoint: how many lines of its dump were selected, and those that are not exactly one region valid then. */
    record LineCheck(int lines, List<String> notRegions) {}

    /**
     * Where VMA boundaries are compared: the lines of each checkpoint's dump that {@code which} (given the checkpoint)
     * selects must each be exactly one region of the state at its time.
     */
    LineCheck linesNotRegions(java.util.function.Function<Checkpoint, java.util.function.Predicate<ProcMaps.Line>> which) {
        int lines = 0;
        List<String> out = new ArrayList<>();
        for (Checkpoint c : RegionsWorkload.checkpoints(items)) {
            java.util.function.Predicate<ProcMaps.Line> selected = which.apply(c);
            lines += (int) c.maps().stream().filter(selected).count();
            for (String l : MapsComparison.linesNotRegions(c.maps(), stateAt(c), selected)) {
                out.add("checkpoint " + c.n() + " (pid " + pidOf(c) + "): " + l);
            }
        }
        return new LineCheck(lines, out);
    }

    private int pidOf(Checkpoint c) {
        return c.pid() != 0 ? c.pid() : pid;
    }

    /** The regions of the checkpoint's process valid at its time. */
    private List<MapsComparison.Span> stateAt(Checkpoint c) {
        int of = pidOf(c);
        long t = c.monotonicNs();
        return regions.stream()
                .filter(v -> v.pid() == of && v.validFromNs() <= t && (v.validToNs() == null || t < v.validToNs()))
                .map(MapsComparison.Span::of).toList();
    }

    /** The alerts raised by the workload's processes, as "addr len alert", in order. */
    List<String> alertsOf(List<Integer> pids) {
        return alerts.stream().filter(a -> pids.contains(a.task().pid()))
                .map(a -> Long.toHexString(a.addr()) + " " + a.len() + " " + a.alert()).toList();
    }

    List<String> expectedAlerts() {
        return RegionsWorkload.expected(items, "mem_prot_alert").stream()
                .map(e -> Long.toHexString(e.addr()) + " " + e.len() + " " + e.what()).toList();
    }
}
