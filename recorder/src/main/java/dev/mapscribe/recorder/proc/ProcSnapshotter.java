package dev.mapscribe.recorder.proc;

import dev.mapscribe.formats.raw.UserRecord.ProcSnapshot;
import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import dev.mapscribe.formats.raw.UserRecord;
import dev.mapscribe.formats.raw.Utf8Text;
import dev.mapscribe.recorder.sys.Libc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;

/**
 * The state of every process already running when the recorder starts, read from /proc: one
 * {@link ProcSnapshot} per process followed by one {@link SnapshotRegion} per VMA of its smaps. Without it
 * the analyzer would not know the regions of processes that existed before the first kernel record.
 *
 * <p>One instance belongs to one thread: it reuses one read buffer for every file it reads.
 */
public final class ProcSnapshotter implements AutoCloseable {
    private static final Path PROC = Path.of("/proc");

    private final Libc libc = new Libc();
    private byte[] buf = new byte[256 * 1024];
    private ByteBuffer bufView = ByteBuffer.wrap(buf);

    /** Every process in /proc but {@code selfPid} (the recorder never records itself), in pid order. */
    public List<UserRecord> snapshot(int selfPid) throws IOException {
        int[] pids = listPids();
        List<UserRecord> out = new ArrayList<>(pids.length * 40);
        for (int pid : pids) {
            if (pid != selfPid) {
                snapshotProcess(pid, out);
            }
        }
        return out;
    }

    /**
     * Appends the snapshot of one process and its regions to {@code out}. A process that vanishes or cannot
     * be read still gets its ProcSnapshot, with {@code error} saying what was missing.
     */
    public void snapshotProcess(int pid, List<UserRecord> out) {
        String dir = "/proc/" + pid + "/";
        StringJoiner errors = new StringJoiner("; ");

        ProcText.Stat stat = null;
        try {
            stat = ProcText.parseStat(buf, readFully(dir + "stat"));
        } catch (IOException | IllegalArgumentException e) {
            errors.add("stat: " + describe(e));
        }
        if (stat == null) {
            // Nothing identifies the process any more (it most likely exited between the listing and now). The analyzer
            // takes this shape (no start, no name, no ids, an error) for no process at all (ProcessTable.vanished).
            out.add(new ProcSnapshot(libc.monotonicNs(), pid, 0, 0, -1, -1, -1, -1, 0, "", "", List.of(), errors.toString()));
            return;
        }

        ProcText.Ids ids = new ProcText.Ids(-1, -1, -1, -1);
        try {
            ids = ProcText.parseStatusIds(buf, readFully(dir + "status"));
        } catch (IOException | IllegalArgumentException e) {
            errors.add("status: " + describe(e));
        }

        // A leader that exited while other threads of its process run on reads as a zombie too: through it /proc shows
        // no exe, argv, namespace or maps (they are the task's, and it has let go of them), yet the process lives on
        // and all its threads share one address space. Such a process is read through a live thread; otherwise a
        // running program would hide its maps from the snapshot just by ending its first thread.
        int via = 0;
        String from = dir; // where the exe, argv, namespace and maps are read
        if (stat.zombie() && stat.threads() > 1) {
            via = LiveThread.of(pid);
            if (via > 0) {
                from = dir + "task/" + via + "/";
            } else {
                errors.add("task: no live thread to read through (its threads exited meanwhile)");
            }
        }
        boolean lives = !stat.zombie() || via > 0;

        long mntns = 0; // a zombie has left its namespaces: 0
        if (lives) {
            try {
                mntns = ProcText.parseNamespaceLink(Files.readSymbolicLink(Path.of(from + "ns/mnt")).toString());
            } catch (IOException | IllegalArgumentException e) {
                errors.add("ns/mnt: " + describe(e));
            }
        }

        String exe = "";
        List<String> argv = List.of();
        List<UserRecord> regions = new ArrayList<>();
        if (!stat.kernelThread() && lives) { // neither a kernel thread nor a dead process has an exe, argv or maps
            try {
                exe = Utf8Text.decode(libc.readlink(from + "exe")); // the name's bytes, as kernel records give them
            } catch (IOException e) {
                errors.add("exe: " + describe(e));
            }
            try {
                argv = ProcText.splitCmdline(buf, readFully(from + "cmdline"));
            } catch (IOException e) {
                errors.add("cmdline: " + describe(e));
            }
            try {
                // smaps, not maps: its VmFlags show what keeps two VMAs apart that look alike in maps (a library's
                // RELRO part is charged, "ac", its read-only data is not), so the analyzer can keep them apart too.
                // It costs a walk of the page tables per VMA (for the Rss and Pss it reports), once, at start.
                int length = readFully(from + "smaps");
                if (length == 0) {
                    // Every live user process maps something: an empty read means it exited meanwhile.
                    errors.add("smaps: empty (the process exited)");
                }
                ProcText.parseMaps(buf, length, pid, regions);
            } catch (IOException | IllegalArgumentException e) {
                regions.clear(); // half a map would look like a complete one to the analyzer
                errors.add("smaps: " + describe(e));
            }
        }
        String error = errors.length() == 0 ? null : errors.toString();
        // Stamped once smaps is read, not as the read began: no change made after this instant is in the snapshot, and
        // the analyzer replays the kernel records older than it before the snapshot (SnapshotOrder), whose regions
        // then fill only what those left unknown; stamped at the start, a change made during the read was in the
        // snapshot and replayed again after it.
        long ktimeNs = libc.monotonicNs();
        out.add(new ProcSnapshot(ktimeNs, pid, stat.ppid(), stat.startTicks(), ids.uid(), ids.gid(), ids.euid(),
                ids.egid(), mntns, stat.comm(), exe, argv, error, stat.state(), stat.threads(), via));
        out.addAll(regions);
    }


    private static int[] listPids() throws IOException {
        int[] pids = new int[512];
        int n = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && name.charAt(0) >= '1' && name.charAt(0) <= '9' && isDigits(name)) {
                    if (n == pids.length) {
                        pids = Arrays.copyOf(pids, n * 2);
                    }
                    pids[n++] = Integer.parseInt(name);
                }
            }
        }
        int[] sorted = Arrays.copyOf(pids, n);
        Arrays.sort(sorted);
        return sorted;
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads a whole /proc file into {@link #buf} (grown as needed) and returns its length. A read asks for the
     * whole free part of the buffer: for maps the kernel then walks as many VMAs as fit under one mmap lock,
     * so a large buffer gives a consistent view of the address space as well as fewer system calls.
     */
    private int readFully(String path) throws IOException {
        try (FileChannel ch = FileChannel.open(Path.of(path), StandardOpenOption.READ)) {
            bufView.clear();
            while (true) {
                if (!bufView.hasRemaining()) {
                    int used = bufView.position();
                    buf = Arrays.copyOf(buf, buf.length * 2);
                    bufView = ByteBuffer.wrap(buf);
                    bufView.position(used);
                }
                if (ch.read(bufView) < 0) {
                    return bufView.position();
                }
            }
        }
    }

    private static String describe(Exception e) {
        return switch (e) {
            case NoSuchFileException _ -> "no such file (the process exited)";
            case AccessDeniedException _ -> "permission denied";
            case Libc.PosixException p when p.errno() == Libc.ENOENT -> "no such file (the process exited)";
            case Libc.PosixException p when p.errno() == Libc.EACCES -> "permission denied";
            case IllegalArgumentException iae -> "unparsable: " + iae.getMessage();
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    @Override
    public void close() {
        libc.close();
    }
}
