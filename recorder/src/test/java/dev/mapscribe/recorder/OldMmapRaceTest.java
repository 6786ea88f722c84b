package dev.mapscribe.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.raw.KernelRecord.MmapRecord;
import dev.mapscribe.formats.testkit.BpfRequirement;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With real eBPF: scripts/workloads/oldmmaprace.c maps 64 MiB RWX with a 32-bit old_mmap (int 0x80: its arguments in
 * an array in the caller's memory) while a second thread, a millisecond into the call, rewrites the array's prot to RW.
 * Read as the call returned, the array said RW, and the analyzer would have seen no W+E mapping; the recorder takes
 * prot, sharing and anonymity from the VMA the call made (MS_F_ARGS_FROM_VMA).
 */
class OldMmapRaceTest {
    @Test
    void anOldMmapIsRecordedAsTheKernelMadeItNotAsItsRewrittenArgumentsSay(@TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        RecordedRun run = RecordedRun.ofWorkload(tmp, "oldmmaprace", false);
        List<Map<String, String>> logged = run.calls().stream().filter(c -> c.get("call").equals("old_mmap")).toList();
        assertEquals(1, logged.size(), run.calls().toString());
        assertEquals("rwxp", logged.getFirst().get("maps"), "the kernel mapped RWX");
        long ret = Long.parseUnsignedLong(logged.getFirst().get("ret"), 16);
        List<MmapRecord> recorded = run.all(MmapRecord.class).stream()
                .filter(m -> m.h().has(KernelRecord.F_COMPAT) && m.ret() == ret && m.len() == Long.parseLong(logged.getFirst().get("len")))
                .toList();
        assertEquals(1, recorded.size(), "one record of the counted call: " + recorded);
        MmapRecord m = recorded.getFirst();
        assertEquals(7, m.prot(), "RWX, as the kernel mapped it: " + m);
        assertTrue(m.h().has(KernelRecord.F_ARGS_FROM_VMA), "taken from the VMA: " + m);
        assertEquals(0x22, m.flags() & 0x2f, "private and anonymous: " + m);
        assertEquals(null, m.file(), "anonymous memory has no file: " + m);
    }
}
