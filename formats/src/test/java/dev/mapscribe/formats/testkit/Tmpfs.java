package dev.mapscribe.formats.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tmpfs mounted for a test (root: see {@link BpfRequirement#assumeRoot}): a real file system of a known size,
 * for tests of what happens when it fills up.
 */
public final class Tmpfs implements AutoCloseable {
    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code size} (mount's syntax: "48m") on {@code dir}, created if need be. */
    public static Tmpfs mount(Path dir, String size) throws Exception {
        Files.createDirectories(dir);
        run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
        return new Tmpfs(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Lazily: Chronicle unmaps its files on a background thread of its own, a little after a journal is closed. */
    @Override
    public void close() throws Exception {
        run("umount", "--lazy", dir.toString());
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue());
        }
    }
}
