package dev.mapscribe.recorder.bench;

import dev.mapscribe.formats.journal.JournalReader;
import dev.mapscribe.formats.journal.ReadResult;
import dev.mapscribe.formats.raw.KernelRecord.MmapRecord;
import dev.mapscribe.formats.raw.KernelRecord.MprotectRecord;
import dev.mapscribe.formats.raw.KernelRecord.MunmapRecord;
import dev.mapscribe.formats.raw.UserRecord.Loss;

import java.nio.file.Path;

/**
 * Counts, in a journal, the records of one storm run (scripts/workloads/storm.c): the
 * mmap/mprotect/munmap calls of that pid whose address lies in the storm's own range
 * (every storm thread maps at its own hint there), so scripts/bench can set "captured"
 * against the storm's exact count of calls. Also sums the journal's loss records.
 *
 * <p>Usage: {@code StormCount JOURNAL PID BASE SPAN} (BASE and SPAN may be 0x hex).
 * Prints {@code captured=N records=M lost=L damage=none|"..."} on stdout.
 */
public final class StormCount {
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: StormCount JOURNAL PID BASE SPAN");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int pid = Integer.parseInt(args[1]);
        long base = Long.decode(args[2]), span = Long.decode(args[3]);
        long[] n = new long[3]; // captured, records, lost
        try (JournalReader reader = JournalReader.open(dir)) {
            ReadResult result = reader.read((record, batchId) -> {
                n[1]++;
                switch (record) {
                    // The hint or, for scripts/bench-capacity's generator (hint 0), the address the "kernel" returned.
                    case MmapRecord m when m.h().pid() == pid && (in(m.addr(), base, span) || in(m.ret(), base, span)) -> n[0]++;
                    case MprotectRecord m when m.h().pid() == pid && in(m.addr(), base, span) -> n[0]++;
                    case MunmapRecord m when m.h().pid() == pid && in(m.addr(), base, span) -> n[0]++;
                    case Loss l -> n[2] += l.count();
                    default -> { } // every other record counts only towards records=
                }
            });
            String damage = result.damage() == null ? "none" : '"' + result.damage().describe() + '"';
            System.out.printf("captured=%d records=%d lost=%d damage=%s%n", n[0], n[1], n[2], damage);
        }
    }

    /** Unsigned compare: addresses are unsigned 64-bit values. */
    private static boolean in(long addr, long base, long span) {
        return Long.compareUnsigned(addr, base) >= 0 && Long.compareUnsigned(addr - base, span) < 0;
    }
}
