package dev.mapscribe.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import dev.mapscribe.formats.testkit.BpfRequirement;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * With real eBPF: scripts/workloads/flash.c runs children that each map executable a memfd, or a file deleted
 * just before or just after the mapping, and exit 100 ms later. Once such a process is gone nothing on the host leads to those bytes any more (its
 * /proc/PID/map_files went with it), and that is how fileless code comes and goes. The workload first maps a
 * 160 MiB file, so the enricher is busy hashing it (about a second) while the children come: their files wait
 * in its queue for longer than they live. Every one must still be hashed, because the recorder holds each
 * file (an O_PATH descriptor) as soon as it sees the mapping. The enricher runs at nice 19: on a machine whose
 * cores are busy with other work it can take a minute over the ballast (55 s beside two nice-0 busy loops), longer
 * than a recording's stop grants it (10 s), so RecordedRun waits for it to catch up before it stops the recorder.
 */
class ShortLivedFilesTest {
    static final int CHILDREN = 12;
    /**
     * 100 ms here: still far shorter than the files wait in the enricher's queue, and longer than a host busy with
     * other work usually delays the writer thread (at 20 ms, beside two busy loops, 1 or 2 files of 12 were lost in
     * 2 of 4 runs; at 100 ms in 1 of 4). A machine whose cores are all taken can still fail it. How short a life still gets hashed on a quiet host: -Dflash.liveUs=2000 (docs/SNAPSHOT-AND-ENRICHMENT.md).
     */
    static final int LIVE_US = Integer.getInteger("flash.liveUs", 100_000);
    static final int BALLAST_MB = 160;

    @Test
    void theCodeOfShortLivedProcessesIsHashed(@TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        RecordedRun run = RecordedRun.ofWorkload(tmp, "flash", true, Integer.toString(CHILDREN),
                Integer.toString(LIVE_US), Integer.toString(BALLAST_MB));
        assertAllHashed(run, CHILDREN);
    }

    /**
     * The kernel's wake-ups alone get every file held: with the drain timer at 5 s (and a ring under 16 MiB,
     * which never backs off further), a record that does not wake the recorder waits 50 times longer than the
     * children live. Fails if either wake-up is lost: every mapping of a nameless file's (memfd, unlinked), and
     * the first sighting of a named one's (the "late" children, whose file is unlinked right after the mapping).
     */
    @Test
    void theKernelWakesTheRecorderForEveryNewExecutableFile(@TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        Recorder.Config config = new Recorder.Config(tmp.resolve("journal"), Recorder.Hooks.SYSCALLS, 1L << 30, 8L << 20,
                true, false, List.of("test"), System.err).withDrainInterval(5_000_000_000L);
        RecordedRun run = RecordedRun.ofWorkload(tmp, "flash", config, "6", "100000");
        assertAllHashed(run, 6);
    }

    /**
     * Fileless execution: scripts/workloads/fexec.c runs 6 children from memfds (a copy of /bin/sleep with a tail
     * of its own each, run with fexecve), which sleep 100 ms and exit. Each stage must be hashed, read through its
     * process (/proc/PID/exe): its name leads nowhere. Until the hold of an exec's file used /proc/PID/exe, all were
     * lost, whatever their lives.
     */
    @Test
    void theStagesOfFilelessExecsAreHashed(@TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        RecordedRun run = RecordedRun.ofWorkload(tmp, "fexec", true, "6", "/bin/sleep", "0.1");
        List<FileInfo> infos = run.all(FileInfo.class);
        assertEquals(6, run.calls().size(), "the workload's lines: " + run.calls());
        byte[] binary = java.nio.file.Files.readAllBytes(Path.of("/bin/sleep"));
        List<String> wrong = new ArrayList<>();
        for (Map<String, String> c : run.calls()) {
            long ino = Long.parseLong(c.get("ino"));
            long size = Long.parseLong(c.get("size"));
            byte[] tail = c.get("tail").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] stage = java.util.Arrays.copyOf(binary, binary.length + tail.length);
            System.arraycopy(tail, 0, stage, binary.length, tail.length);
            int pid = Integer.parseInt(c.get("pid"));
            List<FileInfo> mine = infos.stream().filter(f -> f.ino() == ino && f.size() == size).toList();
            if (mine.size() != 1 || !sha256(stage).equals(mine.getFirst().sha256()) || mine.getFirst().viaPid() != pid) {
                wrong.add("stage of pid " + pid + ": " + mine.stream()
                        .map(f -> "sha256 " + f.sha256() + " via pid " + f.viaPid() + " error " + f.error()).toList());
            }
        }
        assertEquals(List.of(), wrong, wrong.size() + " of 6 fileless stages not hashed right");
    }

    /**
     * Code made executable after it was written: scripts/workloads/flip.c maps a memfd writable, fills it through
     * the mapping, mprotects it executable (whole, or only its second page: the call starts inside the mapping; or
     * whole, from another thread, or from a child process that inherited the mapping; or one page 4 MiB into a
     * mapping of over 5 MiB, beyond the writer's table; or the whole of a named file mapped shared, unlinked after
     * the mprotect) and exits 100 ms later. The mmap had no PROT_EXEC and the
     * mprotect record names no file, so the recorder must tie the mprotect to the mapping it remembered, or hash
     * what the kernel asked it to hold; every file must be hashed through the process that made it executable.
     */
    @ParameterizedTest
    @ValueSource(strings = {"whole", "inside", "thread", "fork", "far", "named"})
    void theFilesOfMappingsMadeExecutableLaterAreHashed(String part, @TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        RecordedRun run = RecordedRun.ofWorkload(tmp, "flip", true, "6", "100000", part);
        List<FileInfo> infos = run.all(FileInfo.class);
        assertEquals(6, run.calls().size(), "the workload's lines: " + run.calls());
        List<String> wrong = new ArrayList<>();
        for (Map<String, String> c : run.calls()) {
            long ino = Long.parseLong(c.get("ino"));
            int size = Integer.parseInt(c.get("size"));
            int pid = Integer.parseInt(c.get("pid"));
            String expected = sha256(content(Long.parseLong(c.get("seed")), size));
            List<FileInfo> mine = infos.stream().filter(f -> f.ino() == ino && f.size() == size).toList();
            // Written through the mapping after it was mapped: when the writes' stamp is later than the mapping's ctime
            // (a tick of the coarse clock passed), the mapping's version is gone and says so, and the staged bytes are
            // the version hashed after it (Enricher.enrich). Exactly one version hashed, and it must be the staged bytes.
            List<FileInfo> hashed = mine.stream().filter(f -> f.sha256() != null).toList();
            boolean othersSayWhy = mine.stream().filter(f -> f.sha256() == null)
                    .allMatch(f -> f.error() != null && f.error().startsWith("changed after it was mapped"));
            // Through the process that made it executable; a named file maybe by its path, if held before the unlink.
            int via = hashed.size() == 1 ? hashed.getFirst().viaPid() : -1;
            boolean viaRight = via == pid || part.equals("named") && via == 0;
            if (hashed.size() != 1 || !expected.equals(hashed.getFirst().sha256()) || !viaRight || !othersSayWhy) {
                wrong.add("file of pid " + pid + ": " + mine.stream()
                        .map(f -> "sha256 " + f.sha256() + " via pid " + f.viaPid() + " error " + f.error()).toList());
            }
        }
        assertEquals(List.of(), wrong, wrong.size() + " of 6 files made executable by mprotect not hashed right");
    }

    private static void assertAllHashed(RecordedRun run, int children) throws Exception {
        List<FileInfo> infos = run.all(FileInfo.class);
        assertEquals(children, run.calls().size(), "the workload's lines: " + run.calls());
        List<String> wrong = new ArrayList<>();
        for (Map<String, String> c : run.calls()) {
            long ino = Long.parseLong(c.get("ino"));
            int size = Integer.parseInt(c.get("size"));
            String expected = sha256(content(Long.parseLong(c.get("seed")), size));
            // Unlinked files free their inode number for the next one: the size tells the children apart.
            List<FileInfo> mine = infos.stream().filter(f -> f.ino() == ino && f.size() == size).toList();
            // Nameless when mapped: only the child's map_files led to it, so that is what the FileInfo must say it
            // read. Unlinked only after the mapping ("late"): held by its path (via_pid 0) if the recorder was quick.
            int pid = Integer.parseInt(c.get("pid"));
            boolean late = c.get("kind").equals("late");
            int via = mine.size() == 1 ? mine.getFirst().viaPid() : -1;
            if (mine.size() != 1 || !expected.equals(mine.getFirst().sha256()) || mine.getFirst().error() != null
                    || !(via == pid || late && via == 0)) {
                wrong.add(c.get("kind") + " of pid " + pid + ": " + mine.stream()
                        .map(f -> "sha256 " + f.sha256() + " via pid " + f.viaPid() + " error " + f.error()).toList());
            }
        }
        assertEquals(List.of(), wrong, wrong.size() + " of " + children + " short-lived files not hashed right");
    }

    /** content(seed, size) of scripts/workloads/shortlived.h: xorshift64, byte i = bits 24..31 of the i-th state. */
    static byte[] content(long seed, int size) {
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            out[i] = (byte) (x >>> 24);
        }
        return out;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
