package dev.mapscribe.analyzer.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.oracle.RegionsWorkload.Call;
import dev.mapscribe.analyzer.oracle.RegionsWorkload.Checkpoint;
import dev.mapscribe.analyzer.oracle.RegionsWorkload.Item;
import dev.mapscribe.analyzer.state.RegionMap;
import dev.mapscribe.formats.testkit.CWorkloads;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real kernel as the oracle for random call sequences (scripts/workloads/mapfuzz.c, no recorder): for every
 * call, the region map seeded from the dump before it and given the kernel's result must hold exactly the pages
 * of the dump after it. Covers what the page model cannot vouch for: the kernel's own choices of addresses,
 * failures (EFAULT, EEXIST, ENOMEM after a partial mprotect, EINVAL), merges and splits, brk. After an EACCES the
 * map may say it does not know a range's protection (which VMA refused is not recorded): that alone is allowed.
 */
class MapFuzzKernelTest {

    /** Seeds 1..5 by default; a longer hunt: -Dmapfuzz.seeds=FIRST-LAST -Dmapfuzz.steps=N. */
    static IntStream seeds() {
        String[] range = System.getProperty("mapfuzz.seeds", "1-5").split("-");
        return IntStream.rangeClosed(Integer.parseInt(range[0]), Integer.parseInt(range[1]));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyCallLeavesThePagesTheKernelShows(int seed) throws Exception {
        int steps = Integer.getInteger("mapfuzz.steps", 250);
        Path exe = CWorkloads.build("mapfuzz");
        Process p = new ProcessBuilder(exe.toString(), Integer.toString(seed), Integer.toString(steps))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "mapfuzz " + seed + " failed");
        List<Item> items = RegionsWorkload.parse(out);
        List<Checkpoint> cps = RegionsWorkload.checkpoints(items);
        assertEquals(steps + 1, cps.size());
        List<String> failures = new ArrayList<>();
        int succeeded = 0;
        int refused = 0;
        int lockGuessed = 0;
        int dontunmapUnlocked = 0;
        int future = 0; // the flags of the last mlockall that asked for MCL_FUTURE, until one without it or munlockall
        for (int n = 1; n < cps.size() && failures.size() < 5; n++) {
            RegionMap m = RegionsWorkloadTest.seeded(cps.get(n - 1).maps());
            if (future != 0) {
                m.mlockall(future, 0, n); // what the dump cannot show: every later mapping is locked (mm->def_flags)
            }
            for (Call c : RegionsWorkload.callsBefore(items, n)) {
                if (c.ret() == 0 && c.syscall().equals("mlockall")) {
                    future = (int) c.get(0) & ~1; // MCL_FUTURE, MCL_ONFAULT: not MCL_CURRENT, which the dump shows
                    future = (future & 2) != 0 ? future : 0;
                } else if (c.ret() == 0 && c.syscall().equals("munlockall")) {
                    future = 0;
                }
                RegionsWorkloadTest.apply(m, c, n);
                succeeded += c.ret() >= 0 ? 1 : 0;
                for (String d : MapsComparison.differences(cps.get(n).maps(), m.regions().stream().map(MapsComparison.Span::of).toList())) {
                    if (c.ret() == -13 && d.contains("state does not know")) {
                        refused++; // EACCES: which VMA refused is not recorded, so the map says it does not know
                        continue;
                    }
                    if (c.ret() == -12 && (c.syscall().equals("mlock") || c.syscall().equals("mlock2")) && d.contains("VMA flags")) {
                        lockGuessed++; // mlock's ENOMEM is taken as RLIMIT_MEMLOCK's (nothing changed); root locked a part
                        continue;
                    }
                    if (c.ret() >= 0 && c.syscall().equals("mremap") && (c.get(3) & 4) != 0 && d.contains("VMA flags")) {
                        // MREMAP_DONTUNMAP unlocks the kernel's VMA left behind: where anon_vmas kept it smaller than the
                        // merged region, or the moved pages joined it (anonymous pages never written), the map differs
                        dontunmapUnlocked++;
                        continue;
                    }
                    failures.add("step " + n + " " + c.syscall() + " " + c.values().stream().map(Long::toHexString).toList() + ": " + d);
                }
            }
        }
        assertEquals(List.of(), failures);
        assertTrue(succeeded > 100, "most of the calls should do something: " + succeeded);
        System.err.println("mapfuzz " + seed + ": " + succeeded + " calls succeeded; " + refused + " ranges left unknown after EACCES; "
                + lockGuessed + " ranges whose lock an mlock's ENOMEM changed after all; " + dontunmapUnlocked
                + " ranges whose lock a MREMAP_DONTUNMAP left otherwise");
    }
}
