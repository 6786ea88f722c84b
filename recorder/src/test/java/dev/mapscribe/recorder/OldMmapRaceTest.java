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
 * With real eBPF: scripts/workloads/oldmmaprace.c maps 64 MiB with 32-bit old_mmap calls (int 0x80: the arguments in
 * an array in the caller's memory) while a second thread, a millisecond into the call, rewrites the array: private
 * anonymous RWX memory whose prot it makes RW, and a memfd mapped shared R-X whose flags it makes anonymous. Read as
 * the call returned, the array hid the W+E mapping and the file; the recorder takes prot, sharing, anonymity and the
 * file from the VMA the call made (MS_F_ARGS_FROM_VMA).
 */
class OldMmapRaceTest {
    @Test
    void anOldMmapIsRecordedAsTheKernelMadeItNotAsItsRewrittenArgumentsSay(@TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        RecordedRun run = RecordedRun.ofWorkload(tmp, "oldmmaprace", false);
        List<Map<String, String>> logged = run.calls().stream().filter(c -> c.get("call").equals("old_mmap")).toList();
        assertEquals(List.of("anon", "memfd"), logged.stream().map(c -> c.get("case")).toList(), run.calls().toString());
        assertEquals(List.of("rwxp", "r-xs"), logged.stream().map(c -> c.get("maps")).toList(), "as the kernel mapped them");
        for (Map<String, String> c : logged) {
            long ret = Long.parseUnsignedLong(c.get("ret"), 16), len = Long.parseLong(c.get("len"));
            // a case's tries differ from the other's by their fd (the racer leaves it alone); the counted try is its last
            boolean anon = c.get("case").equals("anon");
            List<MmapRecord> tries = run.all(MmapRecord.class).stream()
                    .filter(m -> m.h().has(KernelRecord.F_COMPAT) && m.len() == len && (m.fd() == -1) == anon).toList();
            assertTrue(!tries.isEmpty(), "no record of the " + c.get("case") + " case");
            MmapRecord m = tries.getLast();
            assertEquals(ret, m.ret(), "the counted try: " + m);
            assertTrue(m.h().has(KernelRecord.F_ARGS_FROM_VMA), "taken from the VMA: " + m);
            if (anon) {
                assertEquals(7, m.prot(), "RWX, as the kernel mapped it: " + m);
                assertEquals(0x22, m.flags() & 0x2f, "private and anonymous: " + m);
                assertEquals(null, m.file(), "anonymous memory has no file: " + m);
            } else {
                assertEquals(5, m.prot(), "R-X: " + m);
                assertEquals(0x01, m.flags() & 0x2f, "shared, a file's: " + m);
                assertTrue(m.file() != null && m.file().path().startsWith("/memfd:oldmmaprace"), "the memfd: " + m);
            }
        }
    }
}
