package dev.mapscribe.recorder.enrich;

import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.recorder.proc.LiveThread;
import dev.mapscribe.recorder.sys.Libc;
import dev.mapscribe.recorder.sys.Libc.PosixException;
import dev.mapscribe.recorder.sys.Libc.Stat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;

/**
 * Opens the very file a mapping refers to. First by its path; when the path no longer opens, or opens another
 * file (deleted, replaced, memfd), through {@code /proc/PID/map_files/START-END} of a process that maps it (or
 * {@code /proc/PID/exe} for the file a process runs): those links reach the inode itself, which is where
 * attackers hide code. Every candidate is checked
 * with fstat against the recorded (dev, inode) before it is trusted.
 */
final class MappedFileOpener {
    private static final int S_IFMT = 0xf000;
    private static final int S_IFREG = 0x8000;
    private static final long PAGE = Libc.pageSize();
    // For the read descriptor: no atime update (this is forensics); non-blocking, belt and braces.
    private static final int FLAGS = Libc.O_RDONLY | Libc.O_CLOEXEC | Libc.O_NOCTTY
            | Libc.O_NONBLOCK;

    /** An open descriptor on the mapped file; {@code viaPid} > 0 when it came through the process (map_files, exe). */
    record Opened(int fd, int viaPid, Stat stat) {
    }

    /** An O_PATH descriptor held on the mapped file ({@link #hold}); {@code viaPid} as in {@link Opened}. */
    record Held(int fd, int viaPid) {
    }

    private final Libc libc;

    MappedFileOpener(Libc libc) {
        this.libc = libc;
    }

    /**
     * {@code file} (dev, inode and path known, as in /proc/PID/maps) completed with the ctime, size and mode
     * of the file that is mapped, or returned as it is when no way reaches it (the later open says why).
     */
    FileRef identify(FileRef file, ProcessLink link) {
        try {
            Opened opened = open(file, link, null);
            closeQuietly(opened.fd());
            Stat st = opened.stat();
            return new FileRef(file.ino(), st.size(), st.ctimeSec(), (int) st.ctimeNsec(), file.dev(), st.mode(),
                    file.fileFlags(), file.path());
        } catch (IOException e) {
            return file;
        }
    }

    /**
     * An O_PATH descriptor on the mapped file, by its path or else through the process's link to it
     * ({@code /proc/PID/map_files/START-END} or {@code /proc/PID/exe}), checked like any candidate; null when
     * neither reaches it. It keeps the inode alive after the file is unlinked and the process has exited;
     * {@link #open} reads the file through it. O_PATH runs no driver code.
     */
    Held hold(FileRef file, ProcessLink link) {
        if (notRegular(file)) {
            return null;
        }
        StringJoiner unused = new StringJoiner(""); // not held: the worker tries the usual ways, and says why
        String path = file.path();
        PathFd byPath = path == null || path.isEmpty() || file.unlinked() ? null : openChecked(path, file, unused);
        if (byPath != null) {
            return new Held(byPath.fd(), 0);
        }
        PathFd viaProcess = link.kind() == ProcessLink.Kind.NONE ? null : openChecked(link.procPath(PAGE), file, unused);
        ProcessLink viaThread;
        if (viaProcess == null && (viaThread = throughLiveThread(link)) != null) {
            viaProcess = openChecked(viaThread.procPath(PAGE), file, unused);
        }
        return viaProcess != null ? new Held(viaProcess.fd(), link.pid()) : null;
    }

    /**
     * {@code link} through a live thread of its process when the process's first thread has exited (its /proc/PID/
     * then shows no map_files entry and no exe: a way to hide them); null otherwise.
     */
    private static ProcessLink throughLiveThread(ProcessLink link) {
        if (link.kind() == ProcessLink.Kind.NONE || link.procId() != link.pid()) {
            return null;
        }
        int tid = LiveThread.ofExitedLeader(link.pid());
        return tid > 0 ? link.throughThread(tid) : null;
    }

    /**
     * Opens the file, or throws an IOException whose message says why every way failed: through {@code held}
     * (from {@link #hold}, or null: the very inode seen when the mapping was, checked then), by its path, then
     * through map_files.
     */
    Opened open(FileRef file, ProcessLink link, Held held) throws IOException {
        if (notRegular(file)) {
            // Opening a device or FIFO can have side effects (or block): never do it.
            throw new IOException("not a regular file (mode 0" + Integer.toOctalString(file.mode()) + ")");
        }
        StringJoiner why = new StringJoiner("; ");
        if (held != null) {
            Opened viaHeld = readHeld(held, why);
            if (viaHeld != null) {
                return viaHeld;
            }
        }
        String path = file.path();
        if (path == null || path.isEmpty()) {
            why.add("no path recorded");
        } else {
            Opened byPath = tryOpen(path, file, 0, why);
            if (byPath != null) {
                return byPath;
            }
        }
        if (link.kind() == ProcessLink.Kind.NONE) {
            why.add("no process given to read it through /proc/PID/map_files");
            throw new IOException(why.toString());
        }
        int pid = link.pid();
        Opened exact = tryOpen(link.procPath(PAGE), file, pid, why);
        if (exact != null) {
            return exact;
        }
        ProcessLink viaThread = throughLiveThread(link);
        if (viaThread != null) {
            link = viaThread;
            Opened throughThread = tryOpen(link.procPath(PAGE), file, pid, why);
            if (throughThread != null) {
                return throughThread;
            }
        }
        if (link.kind() == ProcessLink.Kind.EXE) {
            throw new IOException(why.toString()); // an exe link has no range to look around
        }
        String dir = "/proc/" + link.procId() + "/map_files/";
        long start = link.start();
        long end = link.end();
        // The VMA may have been split (mprotect) or merged since it was recorded: any entry overlapping the
        // recorded range that holds the same inode will do.
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(dir))) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                int dash = name.indexOf('-');
                if (dash <= 0) {
                    continue;
                }
                long s = Long.parseUnsignedLong(name, 0, dash, 16);
                long e = Long.parseUnsignedLong(name, dash + 1, name.length(), 16);
                boolean overlaps = Long.compareUnsigned(s, Math.max(end, start + 1)) < 0 && Long.compareUnsigned(start, e) < 0;
                if (overlaps) {
                    Opened near = tryOpen(dir + name, file, pid, new StringJoiner("; "));
                    if (near != null) {
                        return near;
                    }
                }
            }
            why.add("no entry of " + dir + " overlapping the mapping holds that inode");
        } catch (IOException | NumberFormatException e) {
            why.add("listing " + dir + ": " + e.getMessage());
        }
        throw new IOException(why.toString());
    }

    /**
     * Opens and verifies one candidate; null (with the reason added to {@code why}) when it is not the file.
     * The path is first opened O_PATH, which runs no driver code: only once fstat shows the very inode that
     * was mapped, and a regular file, is it reopened for reading through /proc/self/fd. So a device or FIFO
     * swapped in at the path (think /dev/watchdog) is never really opened, and nothing can change in between.
     */
    private Opened tryOpen(String path, FileRef file, int viaPid, StringJoiner why) {
        PathFd checked = openChecked(path, file, why);
        if (checked == null) {
            return null;
        }
        try {
            return new Opened(openNoAtime("/proc/self/fd/" + checked.fd()), viaPid, checked.stat());
        } catch (PosixException e) {
            why.add(e.getMessage());
            return null;
        } finally {
            closeQuietly(checked.fd());
        }
    }

    /** A read descriptor on a held file: it was checked when held, and an O_PATH descriptor cannot change file. */
    private Opened readHeld(Held held, StringJoiner why) {
        int fd = -1;
        try {
            fd = openNoAtime("/proc/self/fd/" + held.fd());
            return new Opened(fd, held.viaPid(), libc.fstat(fd));
        } catch (PosixException e) {
            why.add("the descriptor held since the mapping was seen: " + e.getMessage());
            if (fd >= 0) {
                closeQuietly(fd); // opened, but fstat failed
            }
            return null;
        }
    }

    /** An O_PATH descriptor and what fstat said of it. */
    private record PathFd(int fd, Stat stat) {
    }

    /**
     * {@code path} opened O_PATH and checked to be the mapped file: its (dev, inode), and a regular file. Null
     * (with the reason added to {@code why}) otherwise. The caller owns the descriptor.
     */
    private PathFd openChecked(String path, FileRef file, StringJoiner why) {
        int pathFd;
        try {
            pathFd = libc.open(path, Libc.O_PATH | Libc.O_CLOEXEC);
        } catch (PosixException e) {
            why.add(e.getMessage());
            return null;
        }
        try {
            Stat stat = libc.fstat(pathFd);
            if (stat.ino() != file.ino() || stat.kernelDev() != file.dev()) {
                why.add(path + " is now another file (dev " + devText(stat.kernelDev()) + " inode " + stat.ino()
                        + ", mapped was dev " + devText(file.dev()) + " inode " + file.ino() + ")");
            } else if (!stat.isRegularFile()) {
                why.add(path + " is not a regular file (mode 0" + Integer.toOctalString(stat.mode()) + ")");
            } else {
                return new PathFd(pathFd, stat);
            }
        } catch (PosixException e) {
            why.add(e.getMessage());
        }
        closeQuietly(pathFd);
        return null;
    }

    /** The kernel recorded the file's mode, and it is not a regular file's (0: not recorded, decided on opening). */
    private static boolean notRegular(FileRef file) {
        return file.mode() != 0 && (file.mode() & S_IFMT) != S_IFREG;
    }

    private int openNoAtime(String path) throws PosixException {
        try {
            return libc.open(path, FLAGS | Libc.O_NOATIME);
        } catch (PosixException e) {
            if (e.errno() != Libc.EPERM) {
                throw e;
            }
            return libc.open(path, FLAGS); // O_NOATIME needs ownership or CAP_FOWNER
        }
    }

    void closeQuietly(int fd) {
        try {
            libc.close(fd);
        } catch (PosixException e) {
            // close of a read-only descriptor cannot lose data; nothing to do
        }
    }

    private static String devText(int kernelDev) {
        return (kernelDev >>> 20) + ":" + (kernelDev & 0xfffff);
    }
}
