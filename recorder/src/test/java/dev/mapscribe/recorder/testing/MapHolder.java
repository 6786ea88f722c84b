package dev.mapscribe.recorder.testing;

import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.testkit.CWorkloads;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The scripts/workloads/mapholder.c process: maps files executable (plain, unlinked, memfd copies), reports
 * where, and holds the mappings until closed.
 */
public final class MapHolder implements AutoCloseable {
    /** One file mapping as the workload reported it (fstat of the mapped descriptor). */
    public record Mapping(String kind, long start, long end, int devMajor, int devMinor, long ino, long size,
                          int mode, long ctimeSec, int ctimeNsec) {
        /** The FileRef the kernel would record for this mapping, with {@code path}. */
        public FileRef fileRef(String path, int fileFlags) {
            return new FileRef(ino, size, ctimeSec, ctimeNsec, (devMajor << 20) | devMinor, mode, fileFlags, path);
        }
    }

    private final Process process;
    private final List<Mapping> mappings;
    private final List<String> command;

    private final int zombiePid;
    private final int thread;
    private final long[] late;

    private MapHolder(Process process, List<Mapping> mappings, List<String> command, int zombiePid, int thread,
                      long[] late) {
        this.zombiePid = zombiePid;
        this.thread = thread;
        this.late = late;
        this.process = process;
        this.mappings = mappings;
        this.command = command;
    }

    /** Builds and starts mapholder with {@code args}; returns once it has mapped everything. */
    public static MapHolder start(String... args) throws IOException, InterruptedException {
        Path exe = CWorkloads.build("mapholder");
        List<String> command = new ArrayList<>();
        command.add(exe.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Mapping> mappings = new ArrayList<>();
        int zombie = 0;
        int thread = 0;
        long[] late = null;
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.equals("ready")) {
            String[] f = line.split(" ");
            if (f[0].equals("zombie")) {
                zombie = Integer.parseInt(f[1]);
                continue;
            }
            if (f[0].equals("thread")) {
                thread = Integer.parseInt(f[1]);
                continue;
            }
            if (f[0].equals("late")) {
                late = new long[] {Long.parseUnsignedLong(f[1], 16), Long.parseUnsignedLong(f[2], 16)};
                continue;
            }
            mappings.add(new Mapping(f[1], Long.parseUnsignedLong(f[2], 16), Long.parseUnsignedLong(f[3], 16),
                    Integer.parseInt(f[4]), Integer.parseInt(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]),
                    Integer.parseInt(f[8]), Long.parseLong(f[9]), Integer.parseInt(f[10])));
        }
        if (line == null) {
            p.destroyForcibly();
            throw new IOException("mapholder ended before it was ready: " + command);
        }
        return new MapHolder(p, mappings, command, zombie, thread, late);
    }

    public int pid() {
        return (int) process.pid();
    }

    /** The unreaped child --zombie made, 0 without it. */
    public int zombiePid() {
        return zombiePid;
    }

    /** With --leader-exits: the thread that holds the process once its leader has exited; 0 without it. */
    public int thread() {
        return thread;
    }

    /** With --leader-exits: start and end of the page the thread mapped read-write-execute after the leader's exit. */
    public long[] late() {
        return late;
    }

    public List<String> command() {
        return command;
    }

    public List<Mapping> mappings() {
        return mappings;
    }

    public Mapping mapping(String kind) {
        return mappings.stream().filter(m -> m.kind().equals(kind)).findFirst()
                .orElseThrow(() -> new IllegalStateException("mapholder reported no " + kind + " mapping"));
    }

    /** Closes its stdin (it exits) and waits for it. */
    @Override
    public void close() throws IOException {
        process.getOutputStream().close();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
