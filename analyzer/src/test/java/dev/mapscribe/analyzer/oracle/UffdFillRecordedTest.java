package dev.mapscribe.analyzer.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.replay.MemoryWriteRow;
import dev.mapscribe.analyzer.replay.RegionVersion;
import dev.mapscribe.analyzer.replay.SyscallRow;
import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.recorder.Recorder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * End to end with real eBPF: scripts/workloads/uffdfill.c puts code into anonymous memory that was never writable, an
 * R-X page registered with a userfaultfd and filled by UFFDIO_COPY, which maps the page with the range's own
 * protection: no W, no mprotect, so no alert of tracee's kind; once into its own page, once from a forked child into
 * its parent's (the userfaultfd stays bound to the address space that made it), once by a 32-bit ioctl (int 0x80), and
 * once while a second thread rewrites the argument's dst during the copy (the record must name the range the kernel
 * filled, read at the ioctl's entry, and say that the argument changed). Then UFFDIO_MOVE: into an R-X page, which the
 * kernel refuses (it moves pages only between writable mappings), and into an RW page. Each fill must be a memory_writes
 * row naming the process written into, the range and the bytes filled (none, and failed, for the refused move), over
 * the region the analyzer has there (r-x, never writable, but for the RW page the move filled).
 * Recorded with --hooks auto (tp_btf here) and with the raw_tp variant forced.
 */
class UffdFillRecordedTest {
    @ParameterizedTest
    @EnumSource(value = Recorder.Hooks.class, names = {"AUTO", "SYSCALLS_RAW_TP"})
    void codeFilledIntoMemoryThatWasNeverWritableIsAWriteIntoThatProcess(Recorder.Hooks hooks, @TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        RecordedReplay run = RecordedReplay.of(tmp, "uffdfill", hooks);
        List<Map<String, String>> cases = RegionsWorkload.notes(run.items).stream().filter(n -> n.what().equals("uffdfill"))
                .map(RegionsWorkload.Note::values).toList();
        assertEquals(List.of("self", "child", "int80", "race", "move-rx", "move"), cases.stream().map(c -> c.get("case")).toList(), run.output);
        for (Map<String, String> c : cases) {
            int caller = Integer.parseInt(c.get("pid")), target = Integer.parseInt(c.get("target"));
            long addr = Long.parseLong(c.get("addr")), len = Long.parseLong(c.get("len"));
            boolean compat = c.get("case").equals("int80"), moved = c.get("case").startsWith("move");
            int ret = Integer.parseInt(c.get("ret"));
            assertEquals(switch (c.get("case")) {
                case "move-rx" -> "refused";
                case "move" -> "moved";
                default -> "42";
            }, c.get("result"), "the code ran, or the move did what the kernel does: " + c);
            List<MemoryWriteRow> writes = run.memoryWrites.stream().filter(w -> w.pid() == caller && "ioctl".equals(w.syscall())
                    && w.addr() != null && w.addr() == addr).toList();
            assertEquals(1, writes.size(), c + ": one write by the ioctl: " + run.memoryWrites);
            MemoryWriteRow w = writes.getFirst();
            // the range as the call began (the ioctl's entry), but for a 32-bit call, which passes no syscall tracepoint;
            // rewritten during the call only in the race, where the argument as it returned names the decoy
            boolean raced = c.get("case").equals("race");
            assertEquals(Arrays.asList(target, addr, len, Math.max(0, Long.parseLong(c.get("done"))), ret != 0, compat ? "return" : "entry",
                            compat ? null : raced),
                    Arrays.asList(w.targetPid(), w.addr(), w.len(), w.written(), w.failed(), w.iovecsRead(), w.iovecsChanged()),
                    c + ": " + w);
            SyscallRow row = run.syscalls.stream().filter(s -> s.tsNs() == w.tsNs() && s.pid() == caller).findFirst().orElseThrow();
            assertEquals(Arrays.asList("ioctl", moved ? 0xc028aa05L : 0xc028aa03L, (long) ret, target, addr, compat),
                    Arrays.asList(row.name(), row.args()[1], row.ret(), row.targetPid(), row.targetAddr(), row.compat()), row.toString());
            // the page written was r-x, anonymous, never writable (but for the move the kernel did, into an RW page): in
            // the target's regions at that moment
            RegionVersion region = run.regions.stream().filter(r -> r.pid() == target && r.start() <= addr && addr < r.end()
                    && r.validFromNs() <= w.tsNs() && (r.validToNs() == null || w.tsNs() < r.validToNs())).findFirst()
                    .orElseThrow(() -> new AssertionError("no region of " + target + " at " + Long.toHexString(addr)));
            assertEquals(Arrays.asList(true, c.get("case").equals("move") ? "rw-p" : "r-xp", "anon"), Arrays.asList(region.known(), region.perms(), region.backing()), region.toString());
            assertTrue(run.alerts.stream().noneMatch(a -> a.task().pid() == target && a.addr() <= addr && addr < a.addr() + a.len()),
                    "no alert names the page: the write is the only trace " + run.alerts);
        }
        // Every range handed to a userfaultfd: an ioctl row with the range and whose memory it is, and no memory_writes row
        List<Map<String, String>> registered = RegionsWorkload.notes(run.items).stream().filter(n -> n.what().equals("uffd-register"))
                .map(RegionsWorkload.Note::values).toList();
        assertTrue(registered.size() >= cases.size(), "a registration per case at least: " + registered);
        for (Map<String, String> r : registered) {
            int caller = Integer.parseInt(r.get("pid"));
            long addr = Long.parseLong(r.get("addr")), len = Long.parseLong(r.get("len"));
            String range = Long.toHexString(addr) + "-" + Long.toHexString(addr + len);
            List<SyscallRow> rows = run.syscalls.stream().filter(s -> s.pid() == caller && s.name().equals("ioctl")
                    && s.args()[1] == 0xc020aa00L && range.equals(s.ranges())).toList();
            assertEquals(1, rows.size(), r + ": one UFFDIO_REGISTER row with its range: " + rows);
            SyscallRow row = rows.getFirst();
            assertEquals(Arrays.asList(0L, caller, null), Arrays.asList(row.ret(), row.targetPid(), row.targetAddr()), row.toString());
            assertTrue(run.memoryWrites.stream().noneMatch(w -> w.seq() == row.seq()), "a registration writes nothing: " + row);
        }
    }
}
