package dev.mapscribe.recorder.ring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.raw.Layouts;
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
    private record Request(int tgid, long start, long end, int dev, long ino) {}

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
            List<Request> requests = new ArrayList<>();
            try (MapHolder holder = MapHolder.start("--memfd-from", bytes.toString());
                 RingReader ring = new RingReader(programs.holdRingFd(), KernelPrograms.HOLD_RING_BYTES)) {
                MapHolder.Mapping m = holder.mapping("memfd");
                ring.drain((seg, at, length) -> {
                    requests.add(new Request(seg.get(Layouts.U32, at + Layouts.off(Layouts.MS_HOLD_REQUEST, "tgid")),
                            seg.get(Layouts.U64, at + Layouts.off(Layouts.MS_HOLD_REQUEST, "start")),
                            seg.get(Layouts.U64, at + Layouts.off(Layouts.MS_HOLD_REQUEST, "end")),
                            seg.get(Layouts.U32, at + Layouts.off(Layouts.MS_HOLD_REQUEST, "dev")),
                            seg.get(Layouts.U64, at + Layouts.off(Layouts.MS_HOLD_REQUEST, "ino"))));
                    return true;
                });
                // The mapping's range as mmap returned it and its length was asked (the request's end is not rounded).
                Request expected = new Request(holder.pid(), m.start(), m.end(), (m.devMajor() << 20) | m.devMinor(), m.ino());
                assertTrue(requests.contains(expected), "no hold request " + expected + " among " + requests);
            }
        }
    }
}
