package dev.mapscribe.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.raw.UserRecord.Loss;
import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.formats.testkit.CWorkloads;
import dev.mapscribe.formats.testkit.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With real eBPF: a recording whose journal's file system fills up goes on, refusing kernel records and
 * counting them, instead of faulting on a write to its mapped file (which ended the recording). The journal goes
 * to a 48 MiB tmpfs that a 12 MiB file already takes a part of; the writer keeps 32 MiB free, and the storm
 * (scripts/workloads/storm.c) makes more records than the 4 MiB left hold.
 */
class RecorderDiskFullTest {
    @Test
    void aFullDiskRefusesKernelRecordsAsCountedLossesAndTheJournalStaysWhole(@TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("fs"), "48m")) {
            Files.write(fs.dir().resolve("filler"), new byte[12 << 20]);
            RecordedRun r = RecordedRun.of(fs.dir().resolve("journal"), Recorder.Hooks.SYSCALLS,
                    List.of(CWorkloads.build("storm").toString(), "-d", "4", "-t", "1"));
            assertTrue(r.read().clean(), () -> r.read().damage().describe());
            assertTrue(r.summary().refusedForSpace() > 0, "the storm should outgrow 4 MiB: " + r.summary());
            long written = r.all(Loss.class).stream().filter(l -> l.cpu() == Loss.DISK_FULL).mapToLong(Loss::count).sum();
            assertEquals(r.summary().refusedForSpace(), written, "every refused record is in a DISK_FULL loss");
            assertEquals(0, r.summary().refusedRecords(), "not --max-disk's refusals");
            assertEquals(0, r.summary().lost(), "nor ring-buffer losses");
            assertTrue(Files.getFileStore(fs.dir()).getUsableSpace() >= 30L << 20, "the margin is kept");
        }
    }
}
