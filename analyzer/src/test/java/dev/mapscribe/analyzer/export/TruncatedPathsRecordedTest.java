package dev.mapscribe.analyzer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.cli.AnalyzerMain;
import dev.mapscribe.analyzer.query.QueryRows;
import dev.mapscribe.analyzer.query.QuerySession;
import dev.mapscribe.formats.testkit.BpfRequirement;
import dev.mapscribe.formats.testkit.CWorkloads;
import dev.mapscribe.recorder.Recorder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paths the kernel's path walk cuts, end to end with real eBPF: scripts/workloads/deeppath.c maps a file 140
 * directories deep (the walk keeps 128 dentries), one whose path is over 4096 bytes, and one with a short path,
 * then execs a copy of itself from the deep directory. The real recorder records it, the real analyzer exports
 * it, and DuckDB reads back the path_truncated columns. /proc/self/maps (dumped by the workload) has the whole
 * path that the cut one must end.
 */
class TruncatedPathsRecordedTest {
    static final int MAX_PATH_DEPTH = 128; // bpf/mapscribe.bpf.c
    static final int MS_PATH_MAX = 4096; // bpf/mapscribe.h

    @TempDir
    static Path tmp;

    static Path base, export;
    static int pid, child;
    static final Map<String, String> addr = new HashMap<>(); // label -> mapping address, hex
    static final Map<String, String> mapsPath = new HashMap<>(); // address hex -> path /proc/self/maps printed

    @BeforeAll
    static void recordAndAnalyze() throws Exception {
        BpfRequirement.assumeRootAndBpf();
        Path exe = CWorkloads.build("deeppath");
        base = Files.createDirectory(tmp.resolve("base"));
        Path journal = tmp.resolve("journal");
        Recorder.Config config = new Recorder.Config(journal, Recorder.Hooks.AUTO, Recorder.Config.DEFAULT_MAX_DISK,
                16L << 20, false, true, List.of("TruncatedPathsRecordedTest"), System.err);
        String out;
        try (Recorder recorder = Recorder.start(config)) {
            Process p = new ProcessBuilder(exe.toString(), base.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            recorder.stop();
            recorder.awaitStopped();
        }
        for (String line : out.split("\n")) {
            String[] f = line.split(" +", 6);
            switch (f[0]) {
                case "PID" -> pid = Integer.parseInt(f[1]);
                case "CHILD" -> child = Integer.parseInt(f[1]);
                case "MAPPED" -> addr.put(f[1], f[2]);
                default -> {
                    // a /proc/self/maps line: start-end perms offset dev inode path
                    if (f.length == 6 && f[0].contains("-")) mapsPath.put(f[0].substring(0, f[0].indexOf('-')), f[5]);
                }
            }
        }
        export = tmp.resolve("out");
        assertEquals(0, AnalyzerMain.run("analyze", journal.toString(), "--out", export.toString()), "mapscribe analyze");
    }

    /** Java cannot delete a path over 4096 bytes (TempDir's clean-up fails on it): rm -rf walks it with openat. */
    @AfterAll
    static void removeTheDeepTrees() throws Exception {
        if (base != null) assertEquals(0, new ProcessBuilder("rm", "-rf", base.toString()).inheritIO().start().waitFor());
    }

    static List<String> rows(String sql) throws Exception {
        try (QuerySession q = QuerySession.open(List.of(export))) {
            return QueryRows.of(q, sql);
        }
    }

    static long address(String label) {
        return Long.parseUnsignedLong(addr.get(label), 16);
    }

    /** The whole path of the deep file, as /proc/self/maps printed it. */
    static String deepPath() {
        String p = mapsPath.get(addr.get("deep"));
        assertTrue(p != null && p.endsWith("/deep.bin"), "maps line of the deep file: " + p);
        return p;
    }

    /** The last n components of a path, with its leading slash. */
    static String lastComponents(String path, int n) {
        String[] parts = path.substring(1).split("/");
        return "/" + String.join("/", List.of(parts).subList(parts.length - n, parts.length));
    }

    @Test
    void theWorkloadsPathsAreWhatTheTestAssumes() {
        String deep = deepPath();
        assertTrue(deep.split("/").length - 1 > MAX_PATH_DEPTH, deep.length() + " bytes, too shallow");
        String longPath = base + ("/" + "n".repeat(250)).repeat(17) + "/long.bin";
        assertTrue(longPath.length() > MS_PATH_MAX);
    }

    @Test
    void mmapExecMarksTheCutPathsAndOnlyThose() throws Exception {
        List<String> got = rows("select addr, mapped_path, mapped_path_truncated, exe_path_truncated from mmap_exec "
                + "where pid = " + pid + " and addr in (" + address("short") + ", " + address("deep") + ", " + address("long") + ")"
                + " order by addr");
        String longPath = base + ("/" + "n".repeat(250)).repeat(17) + "/long.bin";
        // The long path loses whole leading components until the rest fits in MS_PATH_MAX bytes.
        String longCut = longPath;
        while (longCut.length() > MS_PATH_MAX) longCut = longCut.substring(longCut.indexOf('/', 1));
        // The mappings came one page apart, each below the one before (deep, long, short in address order).
        assertEquals(List.of(
                address("deep") + "|" + lastComponents(deepPath(), MAX_PATH_DEPTH) + "|true|false",
                address("long") + "|" + longCut + "|true|false",
                address("short") + "|" + base.resolve("short.bin") + "|false|false"), got);
    }

    @Test
    void syscallsAndRegionsCarryTheSameFlag() throws Exception {
        assertEquals(List.of("deep.bin|true", "long.bin|true", "short.bin|false"),
                rows("select regexp_extract(path, '[^/]+$'), path_truncated from syscalls where pid = " + pid
                        + " and syscall = 'mmap' and path like '%.bin' order by path_truncated desc, path"));
        assertEquals(List.of("deep.bin|true", "long.bin|true", "short.bin|false"),
                rows("select regexp_extract(path, '[^/]+$'), path_truncated from regions where pid = " + pid
                        + " and path like '%.bin' order by path_truncated desc, path"));
    }

    @Test
    void aProcessExecutedFromTheDeepDirectoryHasACutExePath() throws Exception {
        String deepDir = deepPath().substring(0, deepPath().lastIndexOf('/'));
        assertEquals(List.of(child + "|" + lastComponents(deepDir + "/deeppath-child", MAX_PATH_DEPTH) + "|true",
                        pid + "|" + CWorkloads.build("deeppath") + "|false"),
                rows("select pid, exe_path, exe_path_truncated from processes where pid in (" + pid + ", " + child + ") "
                        + "order by exe_path_truncated desc"));
    }
}
