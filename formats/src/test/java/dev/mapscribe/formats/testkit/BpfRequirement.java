package dev.mapscribe.formats.testkit;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tests that load real eBPF programs need root and a kernel with BTF. Where those are missing they are skipped,
 * except when MAPSCRIBE_REQUIRE_BPF=1 (CI sets it), where a missing capability fails the test instead.
 */
public final class BpfRequirement {
    private BpfRequirement() {}

    public static boolean required() {
        return "1".equals(System.getenv("MAPSCRIBE_REQUIRE_BPF"));
    }

    public static void assumeRootAndBpf() {
        String missing = null;
        if (!"root".equals(System.getProperty("user.name")) && !isUid0()) missing = "not running as root";
        else if (!Files.isReadable(Path.of("/sys/kernel/btf/vmlinux"))) missing = "kernel has no BTF (/sys/kernel/btf/vmlinux)";
        if (missing == null) return;
        if (required()) throw new AssertionError("MAPSCRIBE_REQUIRE_BPF=1 but " + missing);
        Assumptions.abort("real-eBPF test skipped: " + missing);
    }

    /** Same rule for a test that only needs root (e.g. reading /proc/PID/map_files). */
    public static void assumeRoot() {
        if (isUid0()) return;
        if (required()) throw new AssertionError("MAPSCRIBE_REQUIRE_BPF=1 but not running as root");
        Assumptions.abort("root-only test skipped: not running as root");
    }

    private static boolean isUid0() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
            }
        } catch (Exception ignored) {
            // fall through
        }
        return false;
    }
}
