package dev.mapscribe.analyzer.derive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FileInfosTest {
    final List<MmapExecEvent> out = new ArrayList<>();
    final FileInfos files = new FileInfos(out::add);
    final FileRef lib = new FileRef(88, 5000, 1_700_000_000L, 7, (8 << 20) | 1, 0100755, 0, "/usr/lib/x.so");

    static MmapExecEvent draft(long ts) {
        return new MmapExecEvent("h", ts, ts, "u", 0, "mmap", null, null, "", "", null, "/usr/lib/x.so", 0, 88L, 0L,
                null, null, null, null, null, null, null, 0x1000L, 0, 4096, 5, 2, 3, 0, true, null, 0x1000L, false, false, false);
    }

    FileInfo info(int dev, int ctimeNsec) {
        return new FileInfo(0, dev, 88, 1_700_000_000L, ctimeNsec, 5000, "/usr/lib/x.so", "ELF", "m", "s1", "s256", "s512", null, 0);
    }

    @Test
    void anInfoRecordedEarlierJoinsAtOnce() {
        files.info(info(lib.dev(), 7));
        files.offer(draft(10), lib);
        assertEquals("s256", out.getFirst().sha256());
        assertEquals("ELF", out.getFirst().magic());
        assertNull(out.getFirst().error());
    }

    @Test
    void anEventWaitsForTheInfoThatFollowsIt() {
        files.offer(draft(10), lib);
        assertTrue(out.isEmpty());
        files.info(info(lib.dev(), 7));
        assertEquals("s512", out.getFirst().sha512());
        assertEquals(0, files.pending());
    }

    @Test
    void withoutInfoForSixtySecondsTheEventGoesOutAndSaysWhy() {
        files.offer(draft(10), lib);
        files.advance(10 + 60_000_000_000L);
        assertTrue(out.isEmpty(), "exactly 60 s is still within the wait");
        files.advance(11 + 60_000_000_000L);
        assertEquals("no file info recorded for this file", out.getFirst().error());
        assertEquals(5000L, out.getFirst().size(), "the size the kernel saw");
    }

    @Test
    void anotherVersionOfTheFileDoesNotJoin() {
        files.offer(draft(10), lib);
        files.info(info(lib.dev(), 8)); // ctime differs: the file changed
        files.flush();
        assertNull(out.getFirst().sha256());
    }

    @Test
    void anInfoWithDevEncodedDifferentlyJoinsWhenTheWaitEnds() {
        files.offer(draft(10), lib);
        files.info(info(0x801, 7)); // user space's st_dev encoding
        assertTrue(out.isEmpty());
        files.flush();
        assertEquals("s256", out.getFirst().sha256());
    }

    @Test
    void anUnresolvedFileGoesOutAtOnce() {
        files.offer(draft(10), null);
        assertEquals("the recorder could not resolve the mapped file", out.getFirst().error());
    }
}
