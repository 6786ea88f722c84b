package dev.mapscribe.recorder.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The effective capabilities of this process, from /proc/self/status (CapEff). */
final class Capabilities {
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_SYS_RESOURCE = 24;
    static final int CAP_PERFMON = 38;
    static final int CAP_BPF = 39;

    private Capabilities() {
    }

    static long effective() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring(7).strip(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unreadable: report no capabilities
        }
        return 0;
    }

    static boolean has(int cap) {
        return (effective() & (1L << cap)) != 0;
    }

    /** Tracing programs need CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN on kernels before 5.8. */
    static boolean canLoadBpf() {
        return has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON));
    }

    static String missingForBpf() {
        List<String> missing = new ArrayList<>();
        if (!has(CAP_BPF) && !has(CAP_SYS_ADMIN)) {
            missing.add("CAP_BPF");
        }
        if (!has(CAP_PERFMON) && !has(CAP_SYS_ADMIN)) {
            missing.add("CAP_PERFMON");
        }
        return missing.isEmpty() ? "none missing" : "missing " + String.join(", ", missing);
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name")) || uid() == 0;
    }

    private static int uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).strip().split("\\s+")[1]); // effective uid
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }
}
