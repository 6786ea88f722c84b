package dev.mapscribe.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.journal.JournalReader;
import dev.mapscribe.formats.journal.JournalSummary;
import dev.mapscribe.formats.journal.ReadResult;
import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.raw.UserRecord.RecorderStatus;
import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.formats.testkit.CWorkloads;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGKILL at any moment leaves a journal that reads cleanly up to the last complete record. */
class RecorderKillTest {
    @TempDir
    Path tmp;

    /** `mapscribe record` in its own JVM, with this JVM's flags and class path. */
    private static List<String> recordCommand(Path journal) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--") || a.startsWith("-D") && a.contains("chronicle")).toList());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.mapscribe.recorder.cli.RecorderMain",
                "record", "--journal", journal.toString(), "--hooks", "syscalls", "--ring", "4M", "--no-snapshot", "--no-enrich"));
        return cmd;
    }

    /** Reads the recorder's stderr until it says it is attached; returns that reader. */
    private static BufferedReader awaitRecording(Process recorder) throws java.io.IOException {
        BufferedReader err = new BufferedReader(new InputStreamReader(recorder.getErrorStream(), StandardCharsets.UTF_8));
        for (String line; (line = err.readLine()) != null && !line.contains("recording to"); ) {
            // wait until the programs are attached
        }
        return err;
    }

    /**
     * SIGINT stops the recording cleanly (exit 0, summary, a journal without damage) even as a shell's
     * background job, which starts with SIGINT ignored: the JVM alone would never see it.
     */
    @Test
    void sigintStopsTheRecordingEvenWhenInheritedAsIgnored() throws Exception {
        BpfRequirement.assumeRootAndBpf();
        Path journal = tmp.resolve("journal");
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "trap '' INT; exec \"$@\"", "sh"));
        cmd.addAll(recordCommand(journal));
        Process recorder = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader err = awaitRecording(recorder);
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(recorder.pid())).start().waitFor());
        StringBuilder rest = new StringBuilder();
        for (String line; (line = err.readLine()) != null; ) {
            rest.append(line).append('\n');
        }
        assertEquals(0, recorder.waitFor(), "exit status after SIGINT; stderr: " + rest);
        assertTrue(rest.toString().contains("SIGINT received"), rest.toString());
        assertTrue(rest.toString().contains("kernel records"), "the summary is printed: " + rest);
        try (JournalReader reader = JournalReader.open(journal)) {
            JournalSummary s = JournalSummary.of(reader);
            assertNull(s.damage());
            assertNotNull(s.stopped(), "a recorder that stopped writes its final record last");
        }
    }

    @Test
    void sigkillLeavesAJournalThatReadsToTheLastCompleteRecord() throws Exception {
        BpfRequirement.assumeRootAndBpf();
        Path workload = CWorkloads.build("syscalls");
        Path journal = tmp.resolve("journal");
        Process recorder = new ProcessBuilder(recordCommand(journal)).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        awaitRecording(recorder);
        for (int i = 0; i < 5; i++) {
            new ProcessBuilder(workload.toString(), tmp.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
        Thread.sleep(300); // a few drain periods, so batches are in the journal while more keep coming
        recorder.destroyForcibly(); // SIGKILL
        assertEquals(137, recorder.waitFor(), "killed by SIGKILL");

        AtomicLong kernel = new AtomicLong();
        AtomicBoolean last = new AtomicBoolean();
        ReadResult result;
        try (JournalReader reader = JournalReader.open(journal)) {
            assertEquals("syscalls", reader.header().hookTier());
            result = reader.read((rec, batch) -> {
                if (rec instanceof KernelRecord) {
                    kernel.incrementAndGet();
                }
                if (rec instanceof RecorderStatus st && st.last()) last.set(true);
            });
        }
        assertFalse(last.get(), "a killed recorder leaves no final record: journal info and analyze say so");
        assertNull(result.damage(), () -> result.damage().describe());
        assertTrue(kernel.get() > 5 * 20, "the workload's records before the kill: " + kernel.get());
    }
}
