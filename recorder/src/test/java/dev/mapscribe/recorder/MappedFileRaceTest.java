package dev.mapscribe.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.raw.KernelRecord.MmapRecord;
import dev.mapscribe.formats.testkit.BpfRequirement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With real eBPF: scripts/workloads/fdrace.c maps fd 100 while another thread keeps dup2()ing two files onto it,
 * and reads each mapping's first byte to learn which file the kernel really mapped. Resolving the fd when the
 * call returns named the wrong file for ~5 % of these mmaps; the recorder names the mapped VMA's file.
 */
class MappedFileRaceTest {
    static final int ITERATIONS = 5000;

    @Test
    void aSuccessfulMmapNamesTheFileItMappedEvenWhenTheFdWasSwappedMeanwhile(@TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        RecordedRun run = RecordedRun.ofWorkload(tmp, "fdrace", false, Integer.toString(ITERATIONS));
        Path files = RecordedRun.filesDir(tmp);
        List<Map<String, String>> logged = run.calls().stream().filter(c -> c.get("call").equals("mmap")).toList();
        assertEquals(Integer.toString(ITERATIONS), run.calls().getLast().get("maps"), "every mmap succeeded: " + run.calls().getLast());

        // The workload maps at a reused address; pair the records with the log in order, per address.
        Map<Long, List<MmapRecord>> recordedAt = new HashMap<>();
        for (MmapRecord m : run.all(MmapRecord.class)) {
            if (m.fd() == 100 && m.ret() >= 0) recordedAt.computeIfAbsent(m.ret(), a -> new ArrayList<>()).add(m);
        }
        Map<Long, Integer> used = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        for (Map<String, String> c : logged) {
            long addr = Long.parseUnsignedLong(c.get("addr"), 16);
            List<MmapRecord> at = recordedAt.getOrDefault(addr, List.of());
            int i = used.merge(addr, 1, Integer::sum) - 1;
            assertTrue(i < at.size(), "no record for the mmap at " + c.get("addr"));
            String path = at.get(i).file() == null ? null : at.get(i).file().path();
            String expected = files.resolve(c.get("file")).toString();
            if (!expected.equals(path)) wrong.add(c.get("addr") + ": mapped " + expected + ", recorded " + path);
        }
        assertEquals(List.of(), wrong.subList(0, Math.min(5, wrong.size())), wrong.size() + " of " + logged.size() + " mmaps name the wrong file");
    }
}
