package dev.mapscribe.recorder.proc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A live thread of a process whose first thread has exited. Such a leader stays a zombie until the whole process is
 * reaped, and /proc shows the process's exe, cmdline, namespaces, maps and map_files through its pid no more (they
 * are the task's, and it has let go of them), while every other thread shares them: {@code /proc/TID/} of a live
 * thread (a directory that lookups reach though the listing of /proc leaves it out) shows them all.
 */
public final class LiveThread {
    private LiveThread() {}

    /** A thread of {@code pid} other than its first whose state is neither Z nor X; 0 when none is left. */
    public static int of(int pid) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                String name = task.getFileName().toString();
                int tid;
                try {
                    tid = Integer.parseInt(name);
                } catch (NumberFormatException e) {
                    continue;
                }
                char state = state("/proc/" + pid + "/task/" + tid + "/stat");
                if (tid != pid && state != 'Z' && state != 'X' && state != 0) {
                    return tid;
                }
            }
        } catch (IOException e) {
            // the process has gone meanwhile
        }
        return 0;
    }

    /** As {@link #of}, if the first thread of {@code pid} has exited (its state is Z); else 0. */
    public static int ofExitedLeader(int pid) {
        return state("/proc/" + pid + "/stat") == 'Z' ? of(pid) : 0;
    }

    /** The state letter of a stat file; 0 when it cannot be read (the task has gone). */
    private static char state(String statPath) {
        try {
            byte[] b = Files.readAllBytes(Path.of(statPath));
            return ProcText.parseStat(b, b.length).state();
        } catch (IOException | IllegalArgumentException e) {
            return 0;
        }
    }
}
