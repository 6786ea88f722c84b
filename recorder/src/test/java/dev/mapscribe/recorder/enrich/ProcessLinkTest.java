package dev.mapscribe.recorder.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ProcessLinkTest {
    @Test
    void eachKindNamesItsOwnProcPath() {
        assertNull(ProcessLink.NONE.procPath(4096));
        assertEquals("/proc/42/exe", ProcessLink.exe(42).procPath(4096));
        // map_files names whole pages: a record's end (address + length) is rounded up.
        assertEquals("/proc/42/map_files/7f0000000000-7f0000008000",
                ProcessLink.mapping(42, 0x7f0000000000L, 0x7f0000000000L + 30000).procPath(4096));
    }

    @Test
    void onlyALinkThroughAProcessHasAPid() {
        assertThrows(IllegalArgumentException.class, () -> new ProcessLink(ProcessLink.Kind.EXE, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ProcessLink(ProcessLink.Kind.NONE, 7, 0, 0));
        // The factories take any record's pid without failing the writer thread: no process, no link.
        assertEquals(ProcessLink.NONE, ProcessLink.exe(0));
        assertEquals(ProcessLink.NONE, ProcessLink.mapping(-1, 0x1000, 0x2000));
    }
}
