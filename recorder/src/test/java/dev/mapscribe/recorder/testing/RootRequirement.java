package dev.mapscribe.recorder.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Tests that read other processes' /proc/PID/map_files need root (CAP_SYS_ADMIN), not BPF: skip when not
 * root, unless MAPSCRIBE_REQUIRE_BPF=1 (CI), where a skip would hide a broken set-up, so fail.
 */
public final class RootRequirement {
    private RootRequirement() {
    }

    public static void assumeRoot() {
        boolean root;
        try {
            root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException e) {
            root = false;
        }
        if (!root) {
            if ("1".equals(System.getenv("MAPSCRIBE_REQUIRE_BPF"))) {
                fail("this test needs root (/proc/PID/map_files) and MAPSCRIBE_REQUIRE_BPF=1 forbids skipping it");
            }
            Assumptions.abort("needs root for /proc/PID/map_files (set MAPSCRIBE_REQUIRE_BPF=1 to fail instead)");
        }
    }
}
