package dev.mapscribe.recorder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.raw.KernelRecord.SyscallRecord;
import dev.mapscribe.formats.testkit.BpfRequirement;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With real eBPF: scripts/workloads/vmrace.c copies 64 MiB into one region of itself with process_vm_writev while a
 * second thread, a millisecond into the copy, points the call's remote iovec at another region. Read as the call
 * returned, the array named the region the kernel never wrote; the recorder reads it as the call begins
 * (ms_vm_writev_enter) and says that it changed.
 */
class VmWriteRaceTest {
    private static final int NR_PROCESS_VM_WRITEV = 311;

    @Test
    void processVmWritevNamesTheRangeTheKernelWroteAndThatItsArrayWasRewritten(@TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        RecordedRun run = RecordedRun.ofWorkload(tmp, "vmrace", false);
        String note = run.all(dev.mapscribe.formats.raw.UserRecord.RecorderStatus.class).getLast().note();
        assertTrue(note == null || note.isEmpty(), "every hook watched: " + note);
        List<Map<String, String>> logged = run.calls().stream().filter(c -> c.get("call").equals("vm_writev")).toList();
        assertEquals(List.of("0", "1"), logged.stream().map(c -> c.get("changed")).toList(), "a plain call, then a racing one");

        // every try is recorded (the ones that did not count too); the counted ones are the first and the last
        List<SyscallRecord> recorded = run.all(SyscallRecord.class).stream().filter(s -> s.nr() == NR_PROCESS_VM_WRITEV).toList();
        assertEquals(Integer.parseInt(run.calls().getLast().get("tries")) + 1, recorded.size(), "one record per call");
        assertEquals(0, run.summary().lost(), "nothing lost");
        for (int i = 0; i < 2; i++) {
            Map<String, String> c = logged.get(i);
            SyscallRecord s = recorded.get(i == 0 ? 0 : recorded.size() - 1);
            long addr = Long.parseUnsignedLong(c.get("addr"), 16), len = Long.parseLong(c.get("len"));
            assertEquals(Long.parseLong(c.get("ret")), s.ret(), "result of " + c);
            assertArrayEquals(new long[] {addr, len}, s.ranges(), "the range the kernel wrote, " + c + ", recorded " + s);
            assertEquals(addr, s.addr(), "where the write began");
            int expected = SyscallRecord.RANGES_AT_ENTRY | (c.get("changed").equals("1") ? SyscallRecord.RANGES_CHANGED : 0);
            assertEquals(expected, s.rangesRead(), "when the ranges were read, " + c);
        }
    }
}
