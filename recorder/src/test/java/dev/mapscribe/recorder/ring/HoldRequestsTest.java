package dev.mapscribe.recorder.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.formats.testkit.CWorkloads;
import dev.mapscribe.recorder.bpf.HookTier;
import dev.mapscribe.recorder.bpf.KernelPrograms;
import dev.mapscribe.recorder.testing.MapHolder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The kernel's side of the holder thread: an executable mapping of a file without a name puts a hold request
 * (bpf/mapscribe.h, struct ms_hold_request) naming its process, range and (dev, inode) in the "holds" ring,
 * read here as the holder thread reads it.
 */
class HoldRequestsTest {
    /**
     * A memfd (or a named file) mapped writable and made executable later by mprotect (scripts/workloads/flip.c): the
     * mprotect's record names no file, so the kernel looks up the VMA in a process that mapped a file through which
     * code can be staged (a nameless one, or a named one shared and writable), and asks for a hold of the part made
     * executable: the mapping's second page ("inside"), or the whole mapping made executable by another thread than
     * the one that mapped it ("thread"), or by a child process that inherited it ("fork"), or the whole of a named
     * file mapped shared ("named"). Both variants of the syscall tier: the raw_tp one hands a child its parent's mark
     * at the child's first record, not at the fork.
     */
    @ParameterizedTest
    @CsvSource({"SYSCALLS, inside", "SYSCALLS, thread", "SYSCALLS, fork", "SYSCALLS, named", "SYSCALLS_RAW_TP, fork"})
    void aFileMadeExecutableByMprotectAsksForAHold(HookTier tier, String mode, @TempDir Path dir) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        Path flip = CWorkloads.build("flip");
        int self = (int) ProcessHandle.current().pid();
        try (KernelPrograms programs = KernelPrograms.open(tier, null, self, 1 << 20)) {
            programs.load();
            programs.attachAll();
            Process p = new ProcessBuilder(flip.toString(), dir.toString(), "1", "300000", mode)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            // flip pid=PID ino=INODE size=SIZE seed=SEED, PID being the process that made it executable
            Matcher m = Pattern.compile("pid=(\\d+) ino=(\\d+) size=(\\d+)").matcher(out);
            assertTrue(m.find(), out);
            int pid = Integer.parseInt(m.group(1));
            long ino = Long.parseLong(m.group(2));
            long pages = (Long.parseLong(m.group(3)) + 4095) / 4096 * 4096;
            long length = mode.equals("inside") ? 4096 : pages;
            List<HoldRequest> requests = new ArrayList<>();
            try (RingReader ring = new RingReader(programs.holdRingFd(), KernelPrograms.HOLD_RING_BYTES)) {
                ring.drain((seg, at, len) -> requests.add(HoldRequest.at(seg, at)));
            }
            assertTrue(requests.stream().anyMatch(r -> r.tgid() == pid && r.ino() == ino && r.end() - r.start() == length),
                    "no hold request for the " + length + " bytes made executable in pid " + pid + " (inode " + ino
                            + ") among " + requests);
        }
    }

    @Test
    void anExecutableMemfdMappingAsksForAHold(@TempDir Path dir) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        byte[] stage = new byte[8192];
        new Random(7).nextBytes(stage);
        Path bytes = Files.write(dir.resolve("stage.bin"), stage);
        int self = (int) ProcessHandle.current().pid();
        try (KernelPrograms programs = KernelPrograms.open(HookTier.SYSCALLS, null, self, 1 << 20)) {
            programs.load();
            programs.attachAll();
            List<HoldRequest> requests = new ArrayList<>();
            try (MapHolder holder = MapHolder.start("--memfd-from", bytes.toString());
                 RingReader ring = new RingReader(programs.holdRingFd(), KernelPrograms.HOLD_RING_BYTES)) {
                MapHolder.Mapping m = holder.mapping("memfd");
                ring.drain((seg, at, length) -> requests.add(HoldRequest.at(seg, at)));
                // The mapping's range as mmap returned it and its length was asked (the request's end is not rounded).
                assertTrue(requests.stream().anyMatch(r -> r.tgid() == holder.pid() && r.start() == m.start()
                                && r.end() == m.end() && r.dev() == ((m.devMajor() << 20) | m.devMinor()) && r.ino() == m.ino()),
                        "no hold request for " + m + " of pid " + holder.pid() + " among " + requests);
            }
        }
    }
}
