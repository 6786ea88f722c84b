package dev.mapscribe.formats.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout's top directory: env MAPSCRIBE_ROOT (set by surefire), else the first parent holding bpf/mapscribe.h. */
public final class ProjectRoot {
    private ProjectRoot() {}

    public static Path get() {
        String env = System.getenv("MAPSCRIBE_ROOT");
        if (env != null && Files.exists(Path.of(env, "bpf", "mapscribe.h"))) return Path.of(env);
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("bpf/mapscribe.h"))) return p;
        }
        throw new IllegalStateException("cannot find the project root (no bpf/mapscribe.h above " + Path.of("").toAbsolutePath() + ")");
    }
}
