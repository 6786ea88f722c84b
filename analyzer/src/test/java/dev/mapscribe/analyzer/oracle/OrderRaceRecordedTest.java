package dev.mapscribe.analyzer.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.oracle.RegionsWorkload.Checkpoint;
import dev.mapscribe.analyzer.oracle.RegionsWorkload.Note;
import dev.mapscribe.analyzer.replay.LossRow;
import dev.mapscribe.formats.testkit.BpfRequirement;
import java.nio.file.Path;
import java.util.List;
import dev.mapscribe.recorder.Recorder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * End to end with real eBPF: scripts/workloads/orderrace.c makes two calls of one address space return in the other
 * order than the kernel made their changes (a userfaultfd UNMAP event holds an mmap(MAP_FIXED) back after its change;
 * meanwhile another thread mprotects the new mapping RWX and returns). Replayed in the records' order, the range
 * would end as the mmap's RW mapping while the kernel has it RWX. The recorder notes the mmap (MS_ORDER): the
 * analyzer must not claim what the kernel contradicts, but say it does not know, and why; the workload's next mmap
 * of the range makes it known again. Recorded with --hooks auto (tp_btf here) and with the raw_tp variant forced, whose
 * lock program is its own.
 */
class OrderRaceRecordedTest {
    @ParameterizedTest
    @EnumSource(value = Recorder.Hooks.class, names = {"AUTO", "SYSCALLS_RAW_TP"})
    void aCallOvertakenByAnotherChangeOfItsRangeLeavesItUnknownNotWrong(Recorder.Hooks hooks, @TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        RecordedReplay run = RecordedReplay.of(tmp, "orderrace", hooks);
        Note race = RegionsWorkload.notes(run.items).stream().findFirst().orElseThrow();
        assertEquals("1", race.values().get("mprotect_first"), "the mprotect returned before the mmap: " + race);
        long addr = Long.parseUnsignedLong(race.values().get("addr"), 16), len = Long.parseLong(race.values().get("len"));

        List<Checkpoint> cps = RegionsWorkload.checkpoints(run.items);
        assertEquals(3, cps.size());
        assertEquals(List.of(), run.differences(cps.get(0)), "before");
        String range = Long.toHexString(addr) + "-" + Long.toHexString(addr + len) + ": ";
        assertEquals(List.of("checkpoint 2 raced (pid " + run.pid + "): " + range + "maps has rwxp, state does not know (????)"),
                run.differences(cps.get(1)), "after the race: unknown, not the mmap's rw-p");
        assertEquals(List.of(), run.differences(cps.get(2)), "known again once mapped again");

        List<LossRow> order = run.losses.stream().filter(l -> l.source().equals(LossRow.ORDER)).toList();
        assertEquals(1, order.size(), order.toString());
        assertTrue(order.getFirst().message().startsWith("pid " + run.pid + " tid " + run.pid + ": ")
                && order.getFirst().message().contains("[0x" + Long.toHexString(addr) + ", 0x" + Long.toHexString(addr + len) + ")"),
                order.getFirst().message());
        assertEquals(1, run.stats.orderRaces());
    }
}
