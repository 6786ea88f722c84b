package dev.mapscribe.recorder.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mapscribe.formats.testkit.BpfRequirement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The two syscall-entry hooks (perf-event tracepoints, whose ids libbpf reads from tracefs) attach on a host that has
 * tracefs mounted nowhere, and the host's mounts are as they were afterwards: {@link TracefsMount}. This project's CI
 * machine mounts no tracefs, so there the mount is made and undone; where tracefs is mounted, the test checks that it
 * stays so and that nothing else is mounted.
 */
class TracefsMountTest {
    @Test
    void theEntryHooksAttachWithoutTracefsAndTheMountsStayAsTheyWere() throws Exception {
        BpfRequirement.assumeRootAndBpf();
        List<String> before = tracefsMounts();
        Set<String> programs = new HashSet<>(HookTier.SYSCALLS.programs());
        programs.addAll(HookTier.VM_WRITEV_ENTRY.programs());
        programs.addAll(HookTier.UFFD_ENTRY.programs());
        try (KernelPrograms p = KernelPrograms.open(HookTier.SYSCALLS, programs, (int) ProcessHandle.current().pid(), 1 << 20)) {
            p.load();
            p.attachAll(); // throws when a tracepoint's id cannot be read
        }
        assertEquals(before, tracefsMounts(), "tracefs mounts before and after the attach");
    }

    /** The tracefs lines of this process's mount table: mount point and options. */
    private static List<String> tracefsMounts() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream().filter(l -> l.split(" ")[2].equals("tracefs")).toList();
    }
}
