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
        for (String hooks : List.of("tp_btf", "raw_tp", "io_uring", "vm_writev", "uffd_entry", "map_order")) {
            assertTrue(lines.stream().anyMatch(l -> l.matches("hooks " + hooks + " +loads and attaches \\(.*")),
                    hooks + " loads: " + lines);
        }
        // the LSM and fentry tiers are refused here (EPERM), loaded elsewhere: either way one line says which
        for (String hooks : List.of("lsm", "fentry")) {
            assertTrue(lines.stream().anyMatch(l -> l.matches("hooks " + hooks + " +(loads and attaches|refused by the kernel: ).*")),
                    hooks + ": " + lines);
        }
        // whether the kernel runs x32 calls, as its configuration says (this machine's has no CONFIG_X86_X32_ABI)
        String x32 = lines.stream().filter(l -> l.startsWith("x32 ")).findFirst().orElseThrow(() -> new AssertionError(lines));
        String config = kernelConfig();
        if (config.contains("# CONFIG_X86_X32_ABI is not set")) {
            assertTrue(x32.matches("x32 +off: calls made with x32's numbers fail with ENOSYS .*"), x32);
        } else {
            assertTrue(x32.matches("x32 +(ON|off): .*"), x32);
        }
        assertTrue(lines.getLast().startsWith("verdict        recording possible: `mapscribe record --hooks auto` uses the "),
                lines.getLast());
    }

    /** /proc/config.gz, or "" where the kernel does not offer it. */
    private static String kernelConfig() throws java.io.IOException {
        java.nio.file.Path gz = java.nio.file.Path.of("/proc/config.gz");
        if (!java.nio.file.Files.isReadable(gz)) return "";
        try (var in = new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
