package dev.mapscribe.formats.testkit;

import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.raw.RawRecords;
import dev.mapscribe.formats.raw.KernelRecord.ExecRecord;
import dev.mapscribe.formats.raw.KernelRecord.ExitRecord;
import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.KernelRecord.ForkRecord;
import dev.mapscribe.formats.raw.KernelRecord.Hdr;
import dev.mapscribe.formats.raw.KernelRecord.MmapRecord;
import dev.mapscribe.formats.raw.KernelRecord.MprotectRecord;
import dev.mapscribe.formats.raw.KernelRecord.MunmapRecord;
import dev.mapscribe.formats.raw.KernelRecord.SyscallRecord;
import dev.mapscribe.formats.raw.KernelRecord.TaskRecord;
import dev.mapscribe.formats.raw.KernelRecord.VmaRecord;
import dev.mapscribe.formats.raw.RecordDecoder;
import dev.mapscribe.formats.raw.RawRecords.SynthFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test kit's raw records decode to exactly the values written: every kind it writes, every member it sets,
 * with distinct values so a value written into the wrong member shows. Sizes are the ones bpf/mapscribe.h gives
 * (LayoutTest ties the Java layouts to the header).
 */
class RawRecordsTest {
    private static final SynthFile LIB = new SynthFile(77, 12345, 1_700_000_123L, 456, (8 << 20) | 3, 0100644, "/usr/lib/libx.so");
    private static final SynthFile EXE = new SynthFile(88, 999, 1_700_000_321L, 654, (8 << 20) | 4, 0100755, "/bin/tool");

    @Test
    void everyKindDecodesToTheValuesWritten() {
        RawRecords raw = new RawRecords(4096)
                .task(10, 1, 100, 101, 99, 1000, 5000, 4000, 3000, "a-long-command-name")
                .mmap(11, 2, 100, 101, 0x1000, 0x2000, 5, 0x812, 7, 0x3000, 0x7f0000001000L, LIB)
                .mmap(12, 100, 101, 0, 4096, 3, 0x22, -1, 0, -12)
                .mprotect(13, 3, 100, 101, 0x4000, 0x5000, 7, 0)
                .munmap(14, 4, 100, 101, 0x6000, 0x7000, -22)
                .fork(15, 5, 100, 101, 200, 6000)
                .exec(16, 6, 200, EXE, "/bin/tool\0--x\0")
                .exit(17, 7, 200, 201, 3)
                .vma(18, 8, 200, 0x400000, 0x401000, 9, 0x5, 2, true, EXE)
                .vma(19, 9, 200, 0x7ffc0000, 0x7ffc1000, 0, 0x3, 3, false, null);

        List<KernelRecord> expected = List.of(
                new TaskRecord(new Hdr(1, 96, 1, 0, 10, 100, 101), 99, 1000, 1000, 1000, 1000, 0xF0000000L, 5000, 4000,
                        3000, "a-long-command-"), // comm: 15 bytes and the NUL
                new MmapRecord(new Hdr(2, pad(72 + 40 + LIB.path().length()), 2, KernelRecord.F_FILE, 11, 100, 101), 0x1000,
                        0x2000, 5, 0x812, 7, 0x3000, 0x7f0000001000L, ref(LIB)),
                new MmapRecord(new Hdr(2, 72, 0, 0, 12, 100, 101), 0, 4096, 3, 0x22, -1, 0, -12, null),
                new MprotectRecord(new Hdr(3, 56, 3, 0, 13, 100, 101), 0x4000, 0x5000, 7, -1, 0),
                new MunmapRecord(new Hdr(4, 48, 4, 0, 14, 100, 101), 0x6000, 0x7000, -22),
                new ForkRecord(new Hdr(8, 48, 5, 0, 15, 100, 101), 200, 200, 6000, 0),
                new ExecRecord(new Hdr(9, pad(72 + EXE.path().length() + 14), 6, 0, 16, 200, 200), 200, ref(EXE),
                        List.of("/bin/tool", "--x"), false),
                new ExitRecord(new Hdr(10, 32, 7, 0, 17, 200, 201), 3, false),
                new VmaRecord(new Hdr(11, pad(64 + 40 + EXE.path().length()), 8, KernelRecord.F_FILE | KernelRecord.F_VMA_LAST,
                        18, 200, 200), 0x400000, 0x401000, 9, 0x5, 2, true, false, ref(EXE)),
                new VmaRecord(new Hdr(11, 64, 9, 0, 19, 200, 200), 0x7ffc0000, 0x7ffc1000, 0, 0x3, 3, false, false, null));

        assertEquals(expected, decodeAll(raw));
    }

    @Test
    void shortFormsFillTheDocumentedDefaults() {
        RawRecords raw = new RawRecords(1024)
                .task(1, 100, 100, 1, 0, 500, "init")
                .mmapFile(2, 100, 100, 0x1000, 4096, 5, 0x2, 3, 0, 0x1000, 42, 0x800001, "/lib/x.so")
                .exec(3, 100, "/bin/sh", "sh", "-c");
        List<KernelRecord> got = decodeAll(raw);
        assertEquals(new TaskRecord(new Hdr(1, 96, 0, 0, 1, 100, 100), 1, 0, 0, 0, 0, 0xF0000000L, 500, 500, 1, "init"),
                got.get(0));
        assertEquals(new FileRef(42, 4096, 1_700_000_000L, 5, 0x800001, 0100755, 0, "/lib/x.so"),
                ((MmapRecord) got.get(1)).file());
        ExecRecord exec = (ExecRecord) got.get(2);
        assertEquals(List.of("sh", "-c"), exec.argv());
        assertEquals(new FileRef(1234, 4096, 1_700_000_000L, 5, (8 << 20) | 1, 0100755, 0, "/bin/sh"), exec.exe());
    }

    @Test
    void aTaskRecordCarriesThePersonalityAndAFormatOneRecordReadsAsTheDefault() {
        RawRecords raw = new RawRecords(1024).task(1, 0, 100, 101, 1, 0, 500, 500, 1, "rie", TaskRecord.READ_IMPLIES_EXEC);
        assertEquals(TaskRecord.READ_IMPLIES_EXEC, ((TaskRecord) decodeAll(raw).get(0)).personality());
        // Format 1 (before the sixteenth session): the same record without its last 8 bytes, personality and padding
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = raw.segment(arena);
            s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2, (short) 88);
            TaskRecord v1 = (TaskRecord) RecordDecoder.decodeKernel(s.asSlice(0, 88), 0, 88);
            assertEquals(new TaskRecord(new Hdr(1, 88, 0, 0, 1, 100, 101), 1, 0, 0, 0, 0, 0xF0000000L, 500, 500, 1, "rie"), v1);
            assertEquals(0, v1.personality());
        }
    }

    @Test
    void clearedBufferLeavesNoStaleBytesInPadding() {
        RawRecords raw = new RawRecords(1024);
        raw.mmapFile(1, 1, 1, 0, 4096, 5, 2, 3, 0, 0x1000, 1, 1, "/a/long/path/to/fill/padding");
        raw.clear().mmapFile(1, 1, 1, 0, 4096, 5, 2, 3, 0, 0x1000, 1, 1, "/b");
        byte[] fresh = new RawRecords(1024).mmapFile(1, 1, 1, 0, 4096, 5, 2, 3, 0, 0x1000, 1, 1, "/b")
                .buffer().asSlice(0, raw.length()).toArray(ValueLayout.JAVA_BYTE);
        assertEquals(Arrays.toString(fresh),
                Arrays.toString(raw.buffer().asSlice(0, raw.length()).toArray(ValueLayout.JAVA_BYTE)));
    }

    private static int pad(int n) {
        return (n + 7) & ~7;
    }

    @Test
    void aSyscallRecordCarriesTheFileItOpenedWhenFlagged() {
        SynthFile mem = new SynthFile(4242, 0, 1_700_000_777L, 1, 4, 0100600, "/proc/7950/mem");
        RawRecords raw = new RawRecords(4096)
                .syscall(20, 1, 100, 101, 257, new long[] {-100, 0x7ffd0000, 2, 0, 9, 9}, 3, mem)
                .syscall(21, 1, 100, 101, 101, new long[] {4, 7950, 0x7f0000001000L, 42}, 0, null);
        List<KernelRecord> out = decodeAll(raw);
        SyscallRecord open = (SyscallRecord) out.get(0);
        assertEquals(new Hdr(7, pad(88 + 40 + mem.path().length()), 1, KernelRecord.F_FILE, 20, 100, 101), open.h());
        assertEquals(257, open.nr());
        assertEquals(List.of(-100L, 0x7ffd0000L, 2L, 0L, 9L, 9L), java.util.Arrays.stream(open.args()).boxed().toList());
        assertEquals(3, open.ret());
        assertEquals(ref(mem), open.file());
        SyscallRecord poke = (SyscallRecord) out.get(1);
        assertEquals(new Hdr(7, 88, 1, 0, 21, 100, 101), poke.h());
        assertEquals(List.of(4L, 7950L, 0x7f0000001000L, 42L, 0L, 0L), java.util.Arrays.stream(poke.args()).boxed().toList());
        assertNull(poke.file());
    }

    @Test
    void aSyscallRecordCarriesWhereAWriteBeganBeforeItsFile() {
        SynthFile mem = new SynthFile(4243, 0, 1_700_000_778L, 2, 4, 0100600, "/proc/7950/task/7951/mem");
        RawRecords raw = new RawRecords(4096)
                .syscall(30, 1, 100, 101, 18, new long[] {5, 0x7ffd0000, 16, 0x401000}, 16, 0x401000L, mem)
                .syscall(31, 0, 100, 101, 311, new long[] {7950, 0x7ffd0000, 1, 0x7ffd1000, 1, 0}, 8, 0x402000L, null);
        List<KernelRecord> out = decodeAll(raw);
        SyscallRecord write = (SyscallRecord) out.get(0);
        assertEquals(new Hdr(7, pad(88 + 8 + 40 + mem.path().length()), 1, KernelRecord.F_ADDR | KernelRecord.F_FILE, 30,
                100, 101), write.h());
        assertEquals(0x401000L, write.addr());
        assertEquals(ref(mem), write.file());
        SyscallRecord vm = (SyscallRecord) out.get(1);
        assertEquals(new Hdr(7, 96, 0, KernelRecord.F_ADDR, 31, 100, 101), vm.h());
        assertTrue(vm.hasAddr());
        assertEquals(0x402000L, vm.addr());
        assertEquals(8, vm.ret());
        assertNull(vm.file());
    }

    private static FileRef ref(SynthFile f) {
        return new FileRef(f.ino(), f.size(), f.ctimeSec(), f.ctimeNsec(), f.dev(), f.mode(), 0, f.path());
    }

    private static List<KernelRecord> decodeAll(RawRecords raw) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = raw.segment(arena);
            List<KernelRecord> out = new ArrayList<>();
            for (long at = 0; at < raw.length(); at += RecordDecoder.sizeAt(s, at)) {
                out.add(RecordDecoder.decodeKernel(s, at, raw.length()));
            }
            assertEquals(raw.count(), out.size());
            return out;
        }
    }
}
