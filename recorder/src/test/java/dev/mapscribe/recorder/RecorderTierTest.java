package dev.mapscribe.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.journal.JournalReader;
import dev.mapscribe.recorder.bpf.BpfException;
import dev.mapscribe.recorder.bpf.HookTier;
import dev.mapscribe.recorder.bpf.KernelPrograms;
import dev.mapscribe.formats.testkit.BpfRequirement;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --hooks auto|lsm on a kernel that refuses BPF LSM (this one: EPERM) and on one that allows it. */
class RecorderTierTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void bpf() {
        BpfRequirement.assumeRootAndBpf();
    }

    /** Whether this kernel loads the LSM tier at all: the expectations below depend on it. */
    private static boolean lsmLoads() throws IOException {
        try (KernelPrograms p = KernelPrograms.open(HookTier.LSM, null, 0, 64 << 10)) {
            p.load();
            return true;
        } catch (BpfException e) {
            return false;
        }
    }

    /** Whether this kernel loads and attaches the tp_btf programs (the syscall tier's first choice). */
    private static boolean tpBtfLoads() throws IOException {
        try (KernelPrograms p = KernelPrograms.open(HookTier.SYSCALLS, null, 0, 64 << 10)) {
            p.load();
            p.attachAll();
            return true;
        } catch (BpfException e) {
            return false;
        }
    }

    private Recorder.Config config(Path journal, Recorder.Hooks hooks, PrintStream err) {
        return new Recorder.Config(journal, hooks, 1L << 30, 1L << 20, false, false, List.of("test"), err);
    }

    @Test
    void autoFallsBackToTheSyscallTierWithOneLineWhenLsmIsRefused() throws Exception {
        boolean lsm = lsmLoads();
        // Where tp_btf does not load either, a second line says so (the syscall tier's own fallback).
        HookTier expected = lsm ? HookTier.LSM : tpBtfLoads() ? HookTier.SYSCALLS : HookTier.SYSCALLS_RAW_TP;
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        Path journal = tmp.resolve("auto");
        try (Recorder r = Recorder.start(config(journal, Recorder.Hooks.AUTO, new PrintStream(errBytes, true, StandardCharsets.UTF_8)))) {
            assertEquals(expected, r.tier());
            r.awaitStopped();
        }
        List<String> lines = errBytes.toString(StandardCharsets.UTF_8).lines().toList();
        if (lsm) {
            assertEquals(List.of(), lines);
        } else {
            assertEquals(expected == HookTier.SYSCALLS ? 1 : 2, lines.size(), "one line per fallback: " + lines);
            assertTrue(lines.getFirst().contains("LSM hooks refused") && lines.getFirst().contains("trying syscalls"), lines.getFirst());
        }
        try (JournalReader reader = JournalReader.open(journal)) {
            assertEquals(expected.journalName(), reader.header().hookTier());
            assertEquals(null, reader.read((rec, batch) -> { }).damage());
        }
    }

    @Test
    void syscallsUsesTpBtfWhereItLoadsElseRawTracepointsWithOneLine() throws Exception {
        boolean tpBtf = tpBtfLoads();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        Path journal = tmp.resolve("syscalls");
        try (Recorder r = Recorder.start(config(journal, Recorder.Hooks.SYSCALLS, new PrintStream(errBytes, true, StandardCharsets.UTF_8)))) {
            assertEquals(tpBtf ? HookTier.SYSCALLS : HookTier.SYSCALLS_RAW_TP, r.tier());
            r.awaitStopped();
        }
        List<String> lines = errBytes.toString(StandardCharsets.UTF_8).lines().toList();
        if (tpBtf) {
            assertEquals(List.of(), lines);
        } else {
            assertEquals(1, lines.size(), "exactly one line about the fallback: " + lines);
            assertTrue(lines.getFirst().contains("tp_btf programs refused") && lines.getFirst().contains("trying syscalls/raw_tp"), lines.getFirst());
        }
        try (JournalReader reader = JournalReader.open(journal)) {
            assertEquals(tpBtf ? "syscalls" : "syscalls/raw_tp", reader.header().hookTier());
        }
    }

    @Test
    void aRefusedTierFallsThroughToTheNextTierOfTheChain() throws Exception {
        // The step tp_btf -> raw_tp cannot be provoked where tp_btf loads; the chain is one loop for every step,
        // so drive it from a tier this kernel really refuses straight to the raw tracepoints.
        Assumptions.assumeFalse(lsmLoads(), "this kernel loads the LSM tier: nothing to refuse");
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try (KernelPrograms p = Recorder.loadFirstAccepted(List.of(HookTier.LSM, HookTier.SYSCALLS_RAW_TP), 0, 0, 64 << 10, Set.of(),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8))) {
            assertEquals(HookTier.SYSCALLS_RAW_TP, p.tier());
            assertTrue(p.attachedNs() > 0, "loaded and attached");
        }
        List<String> lines = errBytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.getFirst().startsWith("mapscribe: LSM hooks refused by the kernel (") && lines.getFirst().endsWith("; trying syscalls/raw_tp"),
                lines.getFirst());
    }

    @Test
    void anOptionalProgramTheKernelRefusesIsLeftOutWithOneLine() throws Exception {
        // The tier's optional hooks load here; the fallback is the same for any optional program, so drive it with one
        // this kernel refuses: the LSM object's mmap_file hook, made optional beside the syscall tier's programs, between
        // two it accepts (process_vm_writev's entry, the io_uring hooks), which stay.
        Assumptions.assumeFalse(lsmLoads(), "this kernel loads the LSM tier: nothing to refuse");
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        var refused = new HookTier.OptionalHooks("an LSM hook", Set.of("ms_lsm_mmap_file"), "no exact file of an mmap", null);
        try (KernelPrograms p = Recorder.loadTier(HookTier.LSM, HookTier.SYSCALLS.programs(),
                List.of(HookTier.VM_WRITEV_ENTRY, refused, HookTier.LSM.ioUring()), 0, 0, 64 << 10,
                new PrintStream(errBytes, true, StandardCharsets.UTF_8))) {
            assertTrue(p.attachedNs() > 0, "loaded and attached");
            Set<String> expected = new java.util.TreeSet<>(HookTier.SYSCALLS.programs());
            expected.addAll(HookTier.VM_WRITEV_ENTRY.programs());
            expected.addAll(HookTier.LSM.ioUring().programs());
            assertEquals(expected, p.programFds().keySet(), "the required programs and the optional ones the kernel takes");
            assertTrue(p.unwatched() != null && p.unwatched().startsWith("an LSM hook not watched (ms_lsm_mmap_file: ")
                    && !p.unwatched().contains(";"), p.unwatched());
        }
        List<String> lines = errBytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.getFirst().startsWith("mapscribe: an LSM hook not watched (ms_lsm_mmap_file: ")
                && lines.getFirst().endsWith("; no exact file of an mmap"), lines.getFirst());
    }

    @Test
    void withoutIoUringTheJournalSaysWhatIsNotWatched() throws Exception {
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        Path journal = tmp.resolve("no-io-uring");
        try (Recorder r = Recorder.start(config(journal, Recorder.Hooks.SYSCALLS, new PrintStream(errBytes, true, StandardCharsets.UTF_8))
                .withIoUring(false).withMapOrder(false).withUffdEntry(false))) {
            r.awaitStopped();
        }
        List<String> notes = new java.util.ArrayList<>();
        try (JournalReader reader = JournalReader.open(journal)) {
            assertEquals(null, reader.read((rec, batch) -> {
                if (rec instanceof dev.mapscribe.formats.raw.UserRecord.RecorderStatus st && st.last()) notes.add(st.note());
            }).damage());
        }
        assertEquals(1, notes.size(), "one final status: " + notes);
        assertEquals("io_uring requests not watched (--no-io-uring); userfaultfd fills' entry not watched (--no-uffd-entry); "
                        + "the order of address-space changes not watched (--no-map-order)",
                notes.getFirst());
        // and with them (the default) nothing is said: the io_uring programs load on this kernel
        Path with = tmp.resolve("io-uring");
        try (Recorder r = Recorder.start(config(with, Recorder.Hooks.SYSCALLS, new PrintStream(errBytes, true, StandardCharsets.UTF_8)))) {
            r.awaitStopped();
        }
        try (JournalReader reader = JournalReader.open(with)) {
            reader.read((rec, batch) -> {
                if (rec instanceof dev.mapscribe.formats.raw.UserRecord.RecorderStatus st && st.last()) notes.add(st.note());
            });
        }
        assertFalse(notes.getLast().contains("io_uring") || notes.getLast().contains("order") || notes.getLast().contains("userfaultfd"),
                notes.getLast());
        if (tpBtfLoads()) {
            assertEquals(List.of(), errBytes.toString(StandardCharsets.UTF_8).lines().toList());
        }
    }

    @Test
    void lsmTierFailsWithOneClearLineWhereRefused() throws Exception {
        // Nothing to refuse where the LSM tier loads (the auto test covers it): shown as skipped, not as passed.
        Assumptions.assumeFalse(lsmLoads(), "this kernel loads the LSM tier");
        Path journal = tmp.resolve("lsm");
        IOException e = assertThrows(IOException.class, () -> Recorder.start(config(journal, Recorder.Hooks.LSM, System.err)));
        assertTrue(e.getMessage().contains("LSM tier does not load") && e.getMessage().contains("--hooks syscalls"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertFalse(Files.exists(journal), "no journal is created when the programs do not load");
    }
}
