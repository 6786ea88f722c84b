package dev.mapscribe.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.KernelRecord.MmapRecord;
import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import dev.mapscribe.formats.testkit.BpfRequirement;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With real eBPF: scripts/workloads/rewrite.c maps four memfds executable and overwrites three of them, one while the
 * recorder's enricher reads it and two before the enricher reaches them, one of those with its times then set back to
 * what they were before the write (timestomping: only its ctime shows the change); a file overwritten and timestomped
 * so, which keeps its name and mode, and one whose name is not UTF-8; a file renamed after its mapping and one chmod'ed, whose bytes (their hashes as
 * mapped) must survive the ctime those move; and two files it chmods and unlinks, one with
 * its mtime set into the future before the mapping, whose bytes (their hashes as mapped) must survive the ctime those
 * move. Hashes of what a file holds after the code in
 * it ran, reported under the identity it had when mapped, would be a lie that hides the code from a hash list: the
 * enricher must say that the file changed instead, and hash the file as it is now under its new ctime (for the file
 * written during its read, once the read is over: a second read).
 */
class FileRewrittenTest {
    private static final int OVER = 4096;

    @Test
    void aFileOverwrittenAfterItWasMappedIsNotReportedWithTheHashesOfItsNewBytes(@TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        RecordedRun run = RecordedRun.ofWorkload(tmp, "rewrite", true, Long.toString(ProcessHandle.current().pid()));
        List<Map<String, String>> cases = run.calls();
        assertEquals(List.of("during", "after", "stomped", "stomped-named", "stomped-bytes", "renamed", "chmodded", "unlinked", "future",
                "kept"), cases.stream().map(c -> c.get("case")).toList(), cases.toString());
        // Without it the two overwrites did not fall where the workload meant them to (the enricher read 64 MiB within
        // ~20 ms): not a failure of the enricher, but then this test would show nothing.
        assertEquals("1", cases.getFirst().get("still_read"), "the enricher was still reading 'during' after the overwrites and the unlink");

        for (Map<String, String> c : cases) {
            long ino = Long.parseLong(c.get("ino"));
            boolean named = List.of("stomped-named", "stomped-bytes", "renamed", "chmodded", "unlinked", "future").contains(c.get("case"));
            // the recorded name of "stomped-bytes" ends in the byte 0xff, which the records' paths spell \xff
            String name = c.get("case").equals("stomped-bytes") ? "stomped-\\xff" : c.get("case");
            String path = named ? RecordedRun.filesDir(tmp) + "/rewrite-" + name : "/memfd:rewrite-" + name;
            FileRef mapped = mappedFile(run, path);
            assertEquals(ino, mapped.ino());
            List<FileInfo> infos = run.all(FileInfo.class).stream().filter(f -> f.ino() == ino).toList();
            List<FileInfo> asMapped = infos.stream().filter(f -> sameCtime(f, mapped)).toList();
            assertEquals(1, asMapped.size(), c + ": one info of the file as it was mapped: " + infos);
            FileInfo info = asMapped.getFirst();
            byte[] bytes = ShortLivedFilesTest.content(Long.parseLong(c.get("seed")), Integer.parseInt(c.get("size")));
            if (c.get("over").equals("0")) { // "renamed", "chmodded", "unlinked", "future": their ctime moved by a rename, chmod and unlink, not their bytes
                assertEquals(ShortLivedFilesTest.sha256(bytes), info.sha256(), "the bytes as mapped: " + info);
                assertNull(info.error(), info.toString());
                assertEquals(1, infos.size(), infos.toString());
                continue;
            }
            assertNoHashes(info);
            String why = switch (c.get("case")) {
                case "during" -> "changed while it was hashed (mtime ";
                case "stomped", "stomped-named", "stomped-bytes" -> "changed after it was mapped (its ctime moved from ";
                default -> "changed after it was mapped (written at mtime ";
            };
            assertTrue(info.error().startsWith(why), info.error());
            assertEquals(2, infos.size(), "the file as it is now is hashed too: " + infos);
            FileInfo now = infos.stream().filter(f -> f != info).findFirst().orElseThrow();
            System.arraycopy(ShortLivedFilesTest.content(Long.parseLong(c.get("over")), OVER), 0, bytes, 0, OVER);
            assertEquals(ShortLivedFilesTest.sha256(bytes), now.sha256(), "the bytes as overwritten: " + now);
            assertNull(now.error(), now.toString());
            assertNotEquals(info.ctimeSec() * 1_000_000_000L + info.ctimeNsec(),
                    now.ctimeSec() * 1_000_000_000L + now.ctimeNsec(), "under its new ctime");
        }
    }

    private static FileRef mappedFile(RecordedRun run, String path) {
        List<FileRef> files = run.all(MmapRecord.class).stream().map(MmapRecord::file)
                .filter(f -> f != null && f.path().startsWith(path)).toList();
        assertEquals(1, files.size(), "one mapping of " + path + ": " + files);
        return files.getFirst();
    }

    private static boolean sameCtime(FileInfo info, FileRef file) {
        return info.ctimeSec() == file.ctimeSec() && info.ctimeNsec() == file.ctimeNsec();
    }

    private static void assertNoHashes(FileInfo info) {
        assertTrue(info.md5() == null && info.sha1() == null && info.sha256() == null && info.sha512() == null,
                "no hashes of bytes that were not mapped: " + info);
    }
}
