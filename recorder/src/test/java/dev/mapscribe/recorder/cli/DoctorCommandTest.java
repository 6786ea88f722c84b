package dev.mapscribe.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.testkit.BpfRequirement;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `mapscribe doctor` on this machine: each hook tier really loaded into the kernel and unloaded, one line each. */
class DoctorCommandTest {
    @Test
    void saysWhichHooksLoadAndThatRecordingIsPossible() throws Exception {
        BpfRequirement.assumeRootAndBpf();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int code;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            code = new DoctorCommand().call();
        } finally {
            System.setOut(saved);
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(Cli.OK, code, String.join("\n", lines));
        // tp_btf and raw tracepoints load on every kernel CI runs on, and so do the io_uring programs (6.0+),
        // process_vm_writev's entry (syscall tracepoints) and the mmap lock's program (6.13+'s seqcount)
        for (String hooks : List.of("tp_btf", "raw_tp", "io_uring", "vm_writev", "map_order")) {
            assertTrue(lines.stream().anyMatch(l -> l.matches("hooks " + hooks + " +loads and attaches \\(.*")),
                    hooks + " loads: " + lines);
        }
        // the LSM and fentry tiers are refused here (EPERM), loaded elsewhere: either way one line says which
        for (String hooks : List.of("lsm", "fentry")) {
            assertTrue(lines.stream().anyMatch(l -> l.matches("hooks " + hooks + " +(loads and attaches|refused by the kernel: ).*")),
                    hooks + ": " + lines);
        }
        assertTrue(lines.getLast().startsWith("verdict        recording possible: `mapscribe record --hooks auto` uses the "),
                lines.getLast());
    }
}
