package dev.mapscribe.recorder.bpf;

import dev.mapscribe.recorder.sys.Libc;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * tracefs, mounted while the recorder attaches its tracepoint programs on a host that has it nowhere. The programs
 * on syscalls:sys_enter_* tracepoints (SEC("tracepoint/..."): process_vm_writev's and ioctl's entries) are perf events,
 * whose ids libbpf reads from tracefs (/sys/kernel/debug/tracing where debugfs is mounted, else /sys/kernel/tracing);
 * tp_btf and raw_tp programs need no file system. A host that mounts neither (a minimal VM after boot, this project's
 * CI machine) lost those two hooks, each with its line. An open perf event no longer needs the mount, so it is undone
 * as soon as the programs are attached: the host's mounts are left as they were found.
 */
public final class TracefsMount implements AutoCloseable {
    static final String TRACEFS = "/sys/kernel/tracing";
    static final String DEBUGFS_TRACING = "/sys/kernel/debug/tracing";
    private static final long MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8;
    private static final int MNT_DETACH = 2;

    private final boolean mounted;

    private TracefsMount(boolean mounted) {
        this.mounted = mounted;
    }

    /** Whether one of libbpf's two paths has tracefs now. */
    public static boolean present() {
        return Files.isDirectory(Path.of(TRACEFS, "events")) || Files.isDirectory(Path.of(DEBUGFS_TRACING, "events"));
    }

    /**
     * Mounts tracefs at /sys/kernel/tracing when neither path has it; nothing otherwise. A refused mount (no
     * CAP_SYS_ADMIN in this mount namespace) changes nothing: the attach then fails as it did, and the hook is left out
     * with its line.
     */
    static TracefsMount ifAbsent() {
        if (present() || !Files.isDirectory(Path.of(TRACEFS))) {
            return new TracefsMount(false);
        }
        try {
            Libc.mount("tracefs", TRACEFS, MS_NOSUID | MS_NODEV | MS_NOEXEC);
            return new TracefsMount(true);
        } catch (Libc.PosixException e) {
            return new TracefsMount(false);
        }
    }

    @Override
    public void close() {
        if (!mounted) {
            return;
        }
        try {
            Libc.umount2(TRACEFS, MNT_DETACH); // lazily: a reader of the events directory keeps it until done
        } catch (Libc.PosixException e) {
            // left mounted: a host with tracefs where it usually is, nothing worse
        }
    }
}
