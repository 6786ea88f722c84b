package dev.mapscribe.formats.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Compiles the real C workloads of scripts/workloads/ for tests, once per source change. */
public final class CWorkloads {
    private CWorkloads() {}

    /** The executable built from scripts/workloads/NAME.c into target/workloads/NAME (at the project root). */
    public static synchronized Path build(String name) throws IOException, InterruptedException {
        Path root = ProjectRoot.get();
        Path src = root.resolve("scripts/workloads/" + name + ".c");
        if (!Files.exists(src)) throw new IOException("no workload source " + src);
        Path out = root.resolve("target/workloads/" + name);
        if (Files.exists(out) && !newerThan(src, out) && !sharedHeaderNewerThan(src.getParent(), out)) return out;
        Files.createDirectories(out.getParent());
        compile(List.of("cc", "-O2", "-Wall", "-o", out.toString(), src.toString(), "-lpthread", "-ldl"));
        return out;
    }

    /**
     * A 32-bit workload (scripts/workloads/NAME.c, written for no C library): built with -m32 -nostdlib -static into
     * target/workloads/NAME, which needs only the compiler's -m32, not a 32-bit libc.
     */
    public static synchronized Path build32(String name) throws IOException, InterruptedException {
        Path root = ProjectRoot.get();
        Path src = root.resolve("scripts/workloads/" + name + ".c");
        if (!Files.exists(src)) throw new IOException("no workload source " + src);
        Path out = root.resolve("target/workloads/" + name);
        if (Files.exists(out) && !newerThan(src, out)) return out;
        Files.createDirectories(out.getParent());
        compile(List.of("cc", "-m32", "-nostdlib", "-static", "-fno-pie", "-no-pie", "-O2", "-Wall", "-o", out.toString(), src.toString()));
        return out;
    }

    private static boolean newerThan(Path a, Path b) throws IOException {
        return Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b)) >= 0;
    }

    /** The workloads share headers (checkpoint.h): a changed header rebuilds them too. */
    private static boolean sharedHeaderNewerThan(Path dir, Path out) throws IOException {
        try (var headers = Files.list(dir)) {
            for (Path h : headers.filter(p -> p.toString().endsWith(".h")).toList()) {
                if (newerThan(h, out)) return true;
            }
        }
        return false;
    }

    /** Runs a compiler command; an IOException with its output when it fails. */
    public static void compile(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException("compile failed: " + String.join(" ", cmd) + "\n" + output);
    }
}
