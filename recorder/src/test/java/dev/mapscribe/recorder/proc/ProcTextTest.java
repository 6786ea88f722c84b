package dev.mapscribe.recorder.proc;

import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import dev.mapscribe.formats.raw.UserRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcTextTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void statCommWithSpacesAndParensIsCutAtTheLastParen() {
        byte[] b = bytes("14512 (x) y (z) S 14511 14507 2660 0 -1 4194304 140 0 0 0 0 0 0 0 20 0 1 0 59288 2781184 397 "
                + "18446744073709551615 94784089096192\n");
        ProcText.Stat stat = ProcText.parseStat(b, b.length);
        assertEquals("x) y (z", stat.comm());
        assertEquals(14511, stat.ppid());
        assertEquals(59288, stat.startTicks());
        assertEquals('S', stat.state());
        assertEquals(1, stat.threads());
        assertFalse(stat.kernelThread());
        assertFalse(stat.zombie());
    }

    @Test
    void statFlagsTellKernelThreads() {
        byte[] b = bytes("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 20 0 0 18446744073709551615\n");
        ProcText.Stat stat = ProcText.parseStat(b, b.length);
        assertEquals("kthreadd", stat.comm());
        assertEquals(20, stat.startTicks());
        assertTrue(stat.kernelThread());
    }

    @Test
    void statStateTellsZombies() {
        // a leader that exited while two other threads run on: still Z, and field 20 counts it with them
        byte[] b = bytes("77 (defunct) Z 1 77 77 0 -1 4227084 0 0 0 0 0 0 0 0 20 0 3 0 123456 0 0 18446744073709551615\n");
        ProcText.Stat stat = ProcText.parseStat(b, b.length);
        assertTrue(stat.zombie());
        assertEquals(3, stat.threads());
        assertEquals(123456, stat.startTicks());
    }

    @Test
    void statCutBeforeStarttimeIsRejected() {
        byte[] b = bytes("7 (a) S 1 7 7 0 -1 4194304 0 0");
        assertThrows(IllegalArgumentException.class, () -> ProcText.parseStat(b, b.length));
    }

    @Test
    void statusGivesRealAndEffectiveIds() {
        byte[] b = bytes("Name:\tsu\nUmask:\t0022\nState:\tS (sleeping)\nPPid:\t1\nUid:\t1000\t0\t0\t0\n"
                + "Gid:\t100\t5\t5\t5\nFDSize:\t64\n");
        assertEquals(new ProcText.Ids(1000, 0, 100, 5), ProcText.parseStatusIds(b, b.length));
    }

    @Test
    void cmdlineSplitsOnNulAndKeepsEmptyArguments() {
        byte[] b = bytes("/bin/sh\0-c\0\0echo a b\0");
        assertEquals(List.of("/bin/sh", "-c", "", "echo a b"), ProcText.splitCmdline(b, b.length));
        byte[] rewritten = bytes("nginx: worker process");
        assertEquals(List.of("nginx: worker process"), ProcText.splitCmdline(rewritten, rewritten.length));
    }

    @Test
    void namespaceLinkGivesTheInode() {
        assertEquals(4026531841L, ProcText.parseNamespaceLink("mnt:[4026531841]"));
    }

    @Test
    void mapsLinesWithSpacesDeletedAnonymousAndSpecialNames() {
        String text = """
                5634a3f60000-5634a3f61000 r-xp 00001000 fe:00 2147412                    /tmp/lib with space (x).so
                7f5678a11000-7f5678a13000 r-xp 00000000 00:00 0\s
                7f5678a16000-7f5678a3b000 r-xs 0000a000 00:01 1027                       /memfd:mapholder (deleted)
                7ffd1c2e0000-7ffd1c301000 rw-p 00000000 00:00 0                          [stack]
                ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
                """;
        byte[] b = bytes(text);
        List<UserRecord> out = new ArrayList<>();
        ProcText.parseMaps(b, b.length, 42, out);
        assertEquals(List.of(
                new SnapshotRegion(42, 0x5634a3f60000L, 0x5634a3f61000L, 5, false, 0x1000, 0xfe, 0, 2147412,
                        "/tmp/lib with space (x).so"),
                new SnapshotRegion(42, 0x7f5678a11000L, 0x7f5678a13000L, 5, false, 0, 0, 0, 0, ""),
                new SnapshotRegion(42, 0x7f5678a16000L, 0x7f5678a3b000L, 5, true, 0xa000, 0, 1, 1027,
                        "/memfd:mapholder (deleted)"),
                new SnapshotRegion(42, 0x7ffd1c2e0000L, 0x7ffd1c301000L, 3, false, 0, 0, 0, 0, "[stack]"),
                new SnapshotRegion(42, 0xffffffffff600000L, 0xffffffffff601000L, 4, false, 0, 0, 0, 0, "[vsyscall]")),
                out);
    }

    @Test
    void smapsGivesEachVmaItsFlagsAndIgnoresTheOtherFields() {
        String text = """
                7f642e3bd000-7f642e410000 r--p 0017c000 fe:00 1234                       /usr/lib/x86_64-linux-gnu/libc.so.6
                Size:                332 kB
                KernelPageSize:        4 kB
                Rss:                 180 kB
                THPeligible:           0
                VmFlags: rd mr mw me\s
                7f642e410000-7f642e414000 r--p 001cf000 fe:00 1234                       /usr/lib/x86_64-linux-gnu/libc.so.6
                Size:                 16 kB
                VmFlags: rd mr mw me ac\s
                7f642e416000-7f642e423000 rw-p 00000000 00:00 0\s
                Size:                 52 kB
                VmFlags: rd wr mr mw me nr\s
                """;
        byte[] b = bytes(text);
        List<UserRecord> out = new ArrayList<>();
        ProcText.parseMaps(b, b.length, 42, out);
        String libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
        assertEquals(List.of(
                new SnapshotRegion(42, 0x7f642e3bd000L, 0x7f642e410000L, 1, false, 0x17c000, 0xfe, 0, 1234, libc, "rd mr mw me"),
                new SnapshotRegion(42, 0x7f642e410000L, 0x7f642e414000L, 1, false, 0x1cf000, 0xfe, 0, 1234, libc, "rd mr mw me ac"),
                new SnapshotRegion(42, 0x7f642e416000L, 0x7f642e423000L, 3, false, 0, 0, 0, 0, "", "rd wr mr mw me nr")),
                out);
    }

    @Test
    void aPathThatIsNotUtf8ReadsAsTheRecordsOfTheKernelDo() {
        // The same \xNN escapes as kernel records' paths (Utf8Text), so that the snapshot and the recording name one
        // file the same way.
        byte[] b = bytes("7f5678a11000-7f5678a13000 r-xp 00000000 fe:00 77 /tmp/lib?.so\n");
        b[new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf('?')] = (byte) 0xff;
        List<UserRecord> out = new ArrayList<>();
        ProcText.parseMaps(b, b.length, 42, out);
        assertEquals("/tmp/lib\\xff.so", ((SnapshotRegion) out.getFirst()).path());
    }

    @Test
    void mapsLineWithoutFieldsIsRejected() {
        byte[] b = bytes("garbage\n");
        assertThrows(IllegalArgumentException.class, () -> ProcText.parseMaps(b, b.length, 1, new ArrayList<>()));
    }
}
