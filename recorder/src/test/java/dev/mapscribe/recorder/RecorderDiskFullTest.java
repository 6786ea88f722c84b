package dev.mapscribe.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.raw.UserRecord.Loss;
import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.formats.testkit.CWorkloads;
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
        Path fs = Files.createDirectories(tmp.resolve("fs"));
        run("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", fs.toString());
        try {
            Files.write(fs.resolve("filler"), new byte[12 << 20]);
            RecordedRun r = RecordedRun.of(fs.resolve("journal"), Recorder.Hooks.SYSCALLS,
                    List.of(CWorkloads.build("storm").toString(), "-d", "4", "-t", "1"));
            assertTrue(r.read().clean(), () -> r.read().damage().describe());
            assertTrue(r.summary().refusedForSpace() > 0, "the storm should outgrow 4 MiB: " + r.summary());
            long written = r.all(Loss.class).stream().filter(l -> l.cpu() == Loss.DISK_FULL).mapToLong(Loss::count).sum();
            assertEquals(r.summary().refusedForSpace(), written, "every refused record is in a DISK_FULL loss");
            assertEquals(0, r.summary().refusedRecords(), "not --max-disk's refusals");
            assertEquals(0, r.summary().lost(), "nor ring-buffer losses");
            assertTrue(Files.getFileStore(fs).getUsableSpace() >= 30L << 20, "the margin is kept");
        } finally {
            // lazy: Chronicle unmaps its files on a background thread of its own, a little after close()
            run("umount", "--lazy", fs.toString());
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, p.waitFor(), String.join(" ", command));
    }
}
