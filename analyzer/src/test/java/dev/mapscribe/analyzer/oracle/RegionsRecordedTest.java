package dev.mapscribe.analyzer.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.derive.MemProtAlertEvent;
import dev.mapscribe.analyzer.derive.MmapExecEvent;
import dev.mapscribe.analyzer.oracle.RegionsWorkload.Checkpoint;
import dev.mapscribe.analyzer.oracle.RegionsWorkload.Expect;
import dev.mapscribe.analyzer.oracle.RegionsWorkload.Item;
import dev.mapscribe.analyzer.replay.EventSink;
import dev.mapscribe.analyzer.replay.LossRow;
import dev.mapscribe.analyzer.replay.ProcessLifetime;
import dev.mapscribe.analyzer.replay.RegionVersion;
import dev.mapscribe.analyzer.replay.ReplayStats;
import dev.mapscribe.analyzer.replay.Replayer;
import dev.mapscribe.analyzer.replay.SyscallRow;
import dev.mapscribe.formats.journal.JournalReader;
import dev.mapscribe.formats.journal.ReadResult;
import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.formats.testkit.CWorkloads;
import dev.mapscribe.recorder.Recorder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with real eBPF: scripts/workloads/regions.c runs under the recorder; the journal is replayed;
 * the regions valid at each checkpoint's CLOCK_MONOTONIC time must match the /proc/self/maps it dumped then,
 * page by page, and the alerts and mmap_exec events must be the ones the sequence produces.
 */
class RegionsRecordedTest {
    @TempDir
    static Path tmp;

    static List<Item> items;
    static int pid;
    static ReadResult read;
    static ReplayStats stats;
    static final List<RegionVersion> regions = new ArrayList<>();
    static final List<MemProtAlertEvent> alerts = new ArrayList<>();
    static final List<MmapExecEvent> mmapExec = new ArrayList<>();
    static final List<SyscallRow> syscalls = new ArrayList<>();
    static final List<ProcessLifetime> processes = new ArrayList<>();
    static final List<LossRow> losses = new ArrayList<>();

    @BeforeAll
    static void record() throws Exception {
        BpfRequirement.assumeRootAndBpf();
        Path exe = CWorkloads.build("regions");
        Path journal = tmp.resolve("journal");
        Recorder.Config config = new Recorder.Config(journal, Recorder.Hooks.AUTO, 1L << 30, 16L << 20, false, true,
                List.of("RegionsRecordedTest"), System.err);
        String out;
        try (Recorder recorder = Recorder.start(config)) {
            Process p = new ProcessBuilder(exe.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            recorder.awaitStopped();
        }
        items = RegionsWorkload.parse(out);
        pid = RegionsWorkload.pid(items);
        EventSink sink = new EventSink() {
            @Override public void syscall(SyscallRow row) { if (row.pid() == pid) syscalls.add(row); }
            @Override public void mmapExec(MmapExecEvent e) { if (e.task().pid() == pid) mmapExec.add(e); }
            @Override public void memProtAlert(MemProtAlertEvent e) { if (e.task().pid() == pid) alerts.add(e); }
            @Override public void regionVersion(RegionVersion v) { if (v.pid() == pid) regions.add(v); }
            @Override public void process(ProcessLifetime p) { if (p.pid() == pid) processes.add(p); }
            @Override public void loss(LossRow l) { losses.add(l); }
        };
        try (JournalReader reader = JournalReader.open(journal)) {
            Replayer replayer = new Replayer(reader.header(), sink);
            read = reader.read(replayer::accept);
            stats = replayer.finish();
        }
    }

    @Test
    void theJournalIsCleanAndNothingWasLost() {
        assertNull(read.damage());
        assertEquals(List.of(), losses.stream().filter(l -> l.count() > 0).toList());
        assertEquals(1, processes.size());
        assertTrue(processes.getFirst().memoryKnown(), "an exec the recording saw: every region known");
    }

    @Test
    void theRegionsValidAtEachCheckpointAreTheOnesTheKernelShowed() {
        List<String> failures = new ArrayList<>();
        for (Checkpoint c : RegionsWorkload.checkpoints(items)) {
            long t = c.monotonicNs();
            List<MapsComparison.Span> state = regions.stream()
                    .filter(v -> v.validFromNs() <= t && (v.validToNs() == null || t < v.validToNs()))
                    .map(MapsComparison.Span::of).toList();
            for (String d : MapsComparison.differences(c.maps(), state)) {
                failures.add("checkpoint " + c.n() + " " + c.label() + ": " + d);
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void theAlertsAreTheOnesTheSequenceMustRaise() {
        List<String> expected = RegionsWorkload.expected(items, "mem_prot_alert").stream()
                .map(e -> Long.toHexString(e.addr()) + " " + e.len() + " " + e.what()).toList();
        List<String> actual = alerts.stream().map(a -> Long.toHexString(a.addr()) + " " + a.len() + " " + a.alert()).toList();
        assertEquals(expected, actual);
    }

    @Test
    void theMemfdMappedExecutableIsAnMmapExecEvent() {
        Expect e = RegionsWorkload.expected(items, "mmap_exec").getFirst();
        MmapExecEvent m = mmapExec.stream().filter(x -> "mmap".equals(x.via()) && x.addr() != null && x.addr() == e.addr())
                .findFirst().orElseThrow(() -> new AssertionError("no mmap_exec at " + Long.toHexString(e.addr()) + " in " + mmapExec));
        assertTrue(m.success());
        assertEquals(e.len(), m.len());
        assertTrue(m.mappedPath() != null && m.mappedPath().contains(e.what()), m.mappedPath());
    }

    @Test
    void theFailedMprotectIsASyscallRowWithItsErrno() {
        assertTrue(syscalls.stream().anyMatch(s -> s.name().equals("mprotect") && Integer.valueOf(12).equals(s.errno())));
    }
}
