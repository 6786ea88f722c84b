package dev.mapscribe.analyzer.replay;

import dev.mapscribe.analyzer.derive.MemProtAlertEvent;
import dev.mapscribe.analyzer.derive.MmapExecEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Keeps every row, and a textual log of all calls in order (for determinism checks). */
final class CollectingSink implements EventSink {
    final List<SyscallRow> syscalls = new ArrayList<>();
    final List<MmapExecEvent> mmapExec = new ArrayList<>();
    final List<MemProtAlertEvent> alerts = new ArrayList<>();
    final List<RegionVersion> regions = new ArrayList<>();
    final List<ProcessLifetime> processes = new ArrayList<>();
    final List<LossRow> losses = new ArrayList<>();
    final List<FileRow> files = new ArrayList<>();
    final List<MemoryWriteRow> memoryWrites = new ArrayList<>();
    final List<String> log = new ArrayList<>();

    @Override public void syscall(SyscallRow r) { syscalls.add(r); log.add(r.name() + " " + r.tsNs() + " " + r.pid() + "/" + r.tid() + " " + Arrays.toString(r.args()) + " = " + r.ret() + " " + r.errno() + " " + r.batch()); }
    @Override public void mmapExec(MmapExecEvent e) { mmapExec.add(e); log.add(e.toString()); }
    @Override public void memProtAlert(MemProtAlertEvent e) { alerts.add(e); log.add(e.toString()); }
    @Override public void regionVersion(RegionVersion v) { regions.add(v); log.add(v.toString()); }
    @Override public void process(ProcessLifetime p) { processes.add(p); log.add(p.toString()); }
    @Override public void loss(LossRow l) { losses.add(l); log.add(l.toString()); }
    /** Not in {@code log}: the event order the tests compare is that of the derived rows. */
    @Override public void file(FileRow f) { files.add(f); }
    @Override public void memoryWrite(MemoryWriteRow w) { memoryWrites.add(w); log.add(w.toString()); }

    /** Region versions of a pid valid at time t, as "start-end perms path" (the regions-table query). */
    List<String> regionsAt(int pid, long t) {
        List<String> out = new ArrayList<>();
        regions.stream().filter(v -> v.pid() == pid && v.validFromNs() <= t && (v.validToNs() == null || t < v.validToNs()))
                .sorted((a, b) -> Long.compare(a.start(), b.start()))
                .forEach(v -> out.add(Long.toHexString(v.start()) + "-" + Long.toHexString(v.end()) + " " + v.perms()
                        + (v.path() != null ? " " + v.path() : "")));
        return out;
    }
}
