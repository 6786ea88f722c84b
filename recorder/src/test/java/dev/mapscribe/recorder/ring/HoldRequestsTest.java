package dev.mapscribe.recorder.ring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.recorder.bpf.HookTier;
import dev.mapscribe.recorder.bpf.KernelPrograms;
import dev.mapscribe.recorder.testing.MapHolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's side of the holder thread: an executable mapping of a file without a name puts a hold request
 * (bpf/mapscribe.h, struct ms_hold_request) naming its process, range and (dev, inode) in the "holds" ring,
 * read here as the holder thread reads it.
 */
class HoldRequestsTest {
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
