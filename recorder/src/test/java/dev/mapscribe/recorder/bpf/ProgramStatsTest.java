package dev.mapscribe.recorder.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.formats.testkit.CWorkloads;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The program counters the recorder reads (recursion misses: losses with no failed reservation to count them). */
class ProgramStatsTest {
    /** The one definition of the offsets, in ProgramStats, against the kernel's uapi header. */
    @Test
    void offsetsAreThoseOfLinuxBpfH(@TempDir Path tmp) throws Exception {
        Path src = Files.writeString(tmp.resolve("info.c"), """
                #include <stdio.h>
                #include <stddef.h>
                #include <linux/bpf.h>
                int main(void) {
                    printf("%zu %zu %zu %zu %zu\\n", offsetof(struct bpf_prog_info, id),
                           offsetof(struct bpf_prog_info, run_time_ns), offsetof(struct bpf_prog_info, run_cnt),
                           offsetof(struct bpf_prog_info, recursion_misses),
                           offsetof(struct bpf_prog_info, recursion_misses) + sizeof(((struct bpf_prog_info *)0)->recursion_misses));
                    return 0;
                }
                """);
        Path exe = tmp.resolve("info");
        CWorkloads.compile(List.of("cc", "-Wall", "-Werror", "-o", exe.toString(), src.toString()));
        Process p = new ProcessBuilder(exe.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor());
        assertEquals(ProgramStats.ID + " " + ProgramStats.RUN_TIME_NS + " " + ProgramStats.RUN_CNT + " "
                + ProgramStats.RECURSION_MISSES + " " + ProgramStats.INFO_BYTES, out);
    }

    /**
     * The counters read through libbpf are the kernel's, as bpftool reads them: with the kernel's BPF statistics on,
     * bpftool's run count of the loaded sys_exit program lies between two of ours taken around it, and every syscall
     * of this process in between ran the program once.
     */
    @Test
    void theCountersAreTheKernelsAsBpftoolReadsThem() throws Exception {
        BpfRequirement.assumeRootAndBpf();
        Path statsSwitch = Path.of("/proc/sys/kernel/bpf_stats_enabled");
        String wasOn = Files.readString(statsSwitch).strip();
        Files.writeString(statsSwitch, "1");
        try (Arena arena = Arena.ofConfined();
             KernelPrograms programs = KernelPrograms.open(HookTier.SYSCALLS, null, (int) ProcessHandle.current().pid(), 1 << 20)) {
            programs.load();
            programs.attachAll();
            int fd = programs.programFds().get("ms_sys_exit");
            ProgramStats stats = new ProgramStats(arena);
            ProgramStats.Counters before = stats.read(fd);
            for (int i = 0; i < 2000; i++) {
                Files.getLastModifiedTime(statsSwitch); // a stat syscall: one run of the program each
            }
            String json = run("bpftool", "prog", "show", "id", Integer.toString(before.id()), "--json");
            ProgramStats.Counters after = stats.read(fd);
            assertEquals(before.id(), after.id());
            assertTrue(after.runs() - before.runs() >= 2000, before + " then " + after);
            assertTrue(after.runTimeNs() > before.runTimeNs(), before + " then " + after);
            long bpftoolRuns = field(json, "run_cnt");
            assertTrue(before.runs() <= bpftoolRuns && bpftoolRuns <= after.runs(), before + ", bpftool " + json + ", " + after);
            long bpftoolMisses = field(json, "recursion_misses"); // bpftool prints it only when it is not 0
            assertTrue(before.recursionMisses() <= bpftoolMisses && bpftoolMisses <= after.recursionMisses(), json);
        } finally {
            Files.writeString(statsSwitch, wasOn);
        }
    }

    private static long field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
