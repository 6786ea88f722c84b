package dev.mapscribe.recorder.cli;

import dev.mapscribe.recorder.bpf.BpfException;
import dev.mapscribe.recorder.bpf.HookTier;
import dev.mapscribe.recorder.bpf.KernelPrograms;
import dev.mapscribe.recorder.bpf.LibBpf;
import dev.mapscribe.recorder.bpf.TracefsMount;
import dev.mapscribe.recorder.sys.Libc;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check that this host can record: kernel, BTF, privileges, libbpf, JDK, and which hook tiers",
                "actually load (each is loaded into the kernel and unloaded). One line per check on stdout.",
                "Exit 0 when recording is possible, 1 when it is not."},
        footer = {"", "Example:", "  mapscribe doctor"})
public final class DoctorCommand implements Callable<Integer> {
    private static final long PROBE_RING = 64 << 10; // the probe loads need a ring map, not a big one

    /** One hook tier probe: which object, which programs. */
    private record Probe(String name, HookTier object, Set<String> programs, String what) {
    }

    private static final List<Probe> PROBES = List.of(
            // the tiers' required programs: a kernel that refuses only the optional ones still records
            new Probe("tp_btf", HookTier.SYSCALLS, HookTier.SYSCALLS.programs(), "BTF tracepoints: the syscall tier"),
            new Probe("raw_tp", HookTier.SYSCALLS_RAW_TP, HookTier.SYSCALLS_RAW_TP.programs(), "raw tracepoints: the syscalls/raw_tp fallback"),
            new Probe("lsm", HookTier.LSM, Set.of("ms_lsm_mmap_file"), "BPF LSM: the lsm tier"),
            new Probe("fentry", HookTier.LSM, Set.of("ms_fentry_mmap_file"), "fentry trampolines"),
            new Probe("io_uring", HookTier.SYSCALLS, HookTier.SYSCALLS.ioUring().programs(),
                    "io_uring_submit_req, io_uring_file_get, io_uring_complete: writes into process memory and madvise through a ring; optional"),
            new Probe("vm_writev", HookTier.SYSCALLS, HookTier.VM_WRITEV_ENTRY.programs(),
                    "syscalls:sys_enter_process_vm_writev: the ranges process_vm_writev writes, as it begins; optional"),
            new Probe("uffd_entry", HookTier.SYSCALLS, HookTier.UFFD_ENTRY.programs(),
                    "syscalls:sys_enter_ioctl: the range a userfaultfd fill writes, as it begins; optional"),
            new Probe("map_order", HookTier.SYSCALLS, HookTier.SYSCALLS.mapOrder().programs(),
                    "mmap_lock_acquire_returned: calls that race on one address space are told; optional"));

    @Override
    public Integer call() {
        PrintStream out = System.out;
        line(out, "kernel", read("/proc/sys/kernel/osrelease"));
        boolean btf = Files.isReadable(Path.of("/sys/kernel/btf/vmlinux"));
        line(out, "btf", btf ? "present (/sys/kernel/btf/vmlinux)" : "MISSING: the kernel needs CONFIG_DEBUG_INFO_BTF=y");
        boolean canBpf = Capabilities.canLoadBpf();
        line(out, "privileges", (Capabilities.isRoot() ? "root" : "not root") + ", BPF "
                + (canBpf ? "allowed" : "NOT allowed: " + Capabilities.missingForBpf())
                + (Capabilities.has(Capabilities.CAP_SYS_RESOURCE) ? "" : " (no CAP_SYS_RESOURCE: fine on kernels >= 5.11)"));
        line(out, "libbpf", LibBpf.version());
        line(out, "jdk", Runtime.version() + " (" + System.getProperty("java.vm.vendor", "?") + ")");
        line(out, "tracefs", TracefsMount.present() ? "mounted" : "not mounted (the recorder mounts it while it attaches its two"
                + " syscall-entry hooks, then unmounts it; tp_btf and raw_tp need none)");
        line(out, "bpffs", mounted("/sys/fs/bpf", "bpf") ? "mounted" : "not mounted (not needed)");
        line(out, "realtime", realtime());
        line(out, "x32", x32());
        java.util.Map<String, Boolean> loads = new java.util.HashMap<>();
        for (Probe p : PROBES) {
            String result = probe(p);
            loads.put(p.name(), result.startsWith("loads"));
            line(out, "hooks " + p.name(), result);
        }
        // The verdict names what `record --hooks auto` would use: lsm first, else tp_btf, else raw tracepoints.
        String usable = loads.get("lsm") ? HookTier.LSM.journalName() : loads.get("tp_btf") ? HookTier.SYSCALLS.journalName()
                : loads.get("raw_tp") ? HookTier.SYSCALLS_RAW_TP.journalName() : null;
        if (usable == null) {
            line(out, "verdict", "recording is NOT possible on this host");
            return Cli.FAILURE;
        }
        line(out, "verdict", "recording possible: `mapscribe record --hooks auto` uses the " + usable + " tier");
        return Cli.OK;
    }

    /** Whether calls made with x32's numbers run here: the recorder records them either way (syscalls.x32). */
    private static String x32() {
        try {
            return Libc.kernelRunsX32Calls()
                    ? "ON: calls made with x32's numbers run here (recorded as the calls they are, syscalls.x32; x32's own "
                            + "versions of watched calls are counted as left out)"
                    : "off: calls made with x32's numbers fail with ENOSYS (recorded, failed: a probe for a tracer blind to them)";
        } catch (IllegalStateException e) {
            return "unknown: " + e.getMessage();
        }
    }

    private static String probe(Probe p) {
        int self = (int) ProcessHandle.current().pid();
        try (KernelPrograms kp = KernelPrograms.open(p.object(), p.programs(), self, PROBE_RING)) {
            kp.load();
            kp.attachAll();
            return "loads and attaches (" + p.what() + ")";
        } catch (BpfException e) {
            return (e.refusedByKernel() ? "refused by the kernel: " : "fails: ") + e.getMessage();
        } catch (IOException | RuntimeException e) {
            return "fails: " + e.getMessage();
        }
    }

    /** Whether a thread may run under SCHED_FIFO, as the recorder's holder thread does: tried on a throwaway thread. */
    private static String realtime() {
        String[] result = {"not tried"};
        Thread probe = new Thread(() -> {
            try {
                Libc.realtimeCurrentThread(1);
                result[0] = "SCHED_FIFO allowed (the holder thread holds new executable files at once)";
            } catch (IOException | RuntimeException e) {
                result[0] = "SCHED_FIFO refused: " + e.getMessage() + " (the holder thread runs at nice -4: files of"
                        + " processes that live about a millisecond may be lost on a busy host)";
            }
        }, "mapscribe-doctor-rt");
        probe.start();
        try {
            probe.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return result[0];
    }

    private static void line(PrintStream out, String what, String value) {
        out.printf("%-14s %s%n", what, value);
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).strip();
        } catch (IOException e) {
            return "unknown (" + path + ": " + e.getMessage() + ")";
        }
    }

    private static boolean mounted(String dir, String type) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[1].equals(dir) && f[2].equals(type)) {
                    return true;
                }
            }
        } catch (IOException e) {
            // treat as not mounted
        }
        return false;
    }
}
