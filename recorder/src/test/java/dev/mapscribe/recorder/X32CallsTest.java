package dev.mapscribe.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.raw.KernelRecord.MmapRecord;
import dev.mapscribe.formats.raw.KernelRecord.MprotectRecord;
import dev.mapscribe.formats.raw.KernelRecord.MunmapRecord;
import dev.mapscribe.formats.raw.UserRecord.Loss;
import dev.mapscribe.formats.testkit.BpfRequirement;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With real eBPF: scripts/workloads/x32.c makes memory calls with x32's numbers (0x40000000 added), which any 64-bit
 * process can, and which a tracer that knows only the 64-bit numbers misses. Each must be recorded as the call of its
 * number, marked F_X32, with what the kernel returned: the calls themselves where the kernel has x32, ENOSYS here
 * (this kernel has no CONFIG_X86_X32_ABI, so only that half runs in CI). x32's own process_vm_writev (540) is left out
 * and counted; an x32 getpid is nothing to the recorder.
 */
class X32CallsTest {
    @Test
    void callsMadeWithX32NumbersAreRecordedAsTheCallsTheyAre(@TempDir Path tmp) throws Exception {
        assertX32CallsRecorded(tmp, Recorder.Hooks.SYSCALLS);
    }

    /** The raw tracepoint programs, which the recorder falls back to where tp_btf is refused. */
    @Nested
    class RawTp {
        @Test
        void callsMadeWithX32NumbersAreRecordedAsTheCallsTheyAre(@TempDir Path tmp) throws Exception {
            assertX32CallsRecorded(tmp, Recorder.Hooks.SYSCALLS_RAW_TP);
        }
    }

    private static void assertX32CallsRecorded(Path tmp, Recorder.Hooks hooks) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        RecordedRun run = RecordedRun.ofWorkload(tmp, "x32", RecordedRun.config(tmp.resolve("journal"), hooks, false, false));
        Map<String, Map<String, String>> calls = run.calls().stream().collect(Collectors.toMap(c -> c.get("call"), c -> c));
        assertEquals(5, calls.size(), run.calls().toString());
        int pid = Integer.parseInt(calls.get("mmap").get("pid"));

        MmapRecord mmap = only(run.kernel(MmapRecord.class, pid).stream().filter(m -> m.h().has(KernelRecord.F_X32)).toList(), "x32 mmap");
        Map<String, String> c = calls.get("mmap");
        assertEquals(List.of(0L, 4096L, 5, 2, Integer.parseInt(c.get("fd")), 0L, Long.parseLong(c.get("ret"))),
                List.of(mmap.addr(), mmap.len(), mmap.prot(), mmap.flags() & 0x2f, mmap.fd(), mmap.off(), mmap.ret()), mmap.toString());
        assertTrue(mmap.file() != null && mmap.file().path().endsWith("/x32-lib"), "the file it named: " + mmap);

        MprotectRecord mprotect = only(run.kernel(MprotectRecord.class, pid).stream().filter(m -> m.h().has(KernelRecord.F_X32)).toList(), "x32 mprotect");
        c = calls.get("mprotect");
        assertEquals(List.of(Long.parseLong(c.get("addr")), 4096L, 5, Long.parseLong(c.get("ret"))),
                List.of(mprotect.addr(), mprotect.len(), mprotect.prot(), mprotect.ret()), mprotect.toString());

        MunmapRecord munmap = only(run.kernel(MunmapRecord.class, pid).stream().filter(m -> m.h().has(KernelRecord.F_X32)).toList(), "x32 munmap");
        c = calls.get("munmap");
        assertEquals(List.of(Long.parseLong(c.get("addr")), 4096L, Long.parseLong(c.get("ret"))),
                List.of(munmap.addr(), munmap.len(), munmap.ret()), munmap.toString());

        // Nothing else of the workload's is marked: its own 64-bit mmap of the page, the libraries the loader mapped
        long marked = run.records().stream().filter(r -> r instanceof KernelRecord k && k.h().pid() == pid && k.h().has(KernelRecord.F_X32)).count();
        assertEquals(3, marked, "x32 records of the workload");
        long leftOut = run.all(Loss.class).stream().filter(l -> l.cpu() == Loss.COMPAT).mapToLong(Loss::count).sum();
        assertEquals(1, leftOut, "x32's own process_vm_writev, counted with the 32-bit calls left out");
    }

    private static <T> T only(List<T> list, String what) {
        assertEquals(1, list.size(), "one " + what + ": " + list);
        return list.getFirst();
    }
}
