package dev.mapscribe.analyzer.replay;

import static dev.mapscribe.analyzer.replay.Recs.HEADER;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mapscribe.analyzer.export.TableExport;
import dev.mapscribe.analyzer.query.QueryRows;
import dev.mapscribe.analyzer.query.QuerySession;
import dev.mapscribe.formats.raw.KernelRecord.BrkRecord;
import dev.mapscribe.formats.raw.KernelRecord.ExecRecord;
import dev.mapscribe.formats.raw.KernelRecord.ExitRecord;
import dev.mapscribe.formats.raw.KernelRecord.FileRef;
import dev.mapscribe.formats.raw.KernelRecord.ForkRecord;
import dev.mapscribe.formats.raw.KernelRecord.Hdr;
import dev.mapscribe.formats.raw.KernelRecord.MmapRecord;
import dev.mapscribe.formats.raw.KernelRecord.MprotectRecord;
import dev.mapscribe.formats.raw.KernelRecord.MremapRecord;
import dev.mapscribe.formats.raw.KernelRecord.MunmapRecord;
import dev.mapscribe.formats.raw.KernelRecord.SyscallRecord;
import dev.mapscribe.formats.raw.KernelRecord.TaskRecord;
import dev.mapscribe.formats.raw.KernelRecord.VmaRecord;
import dev.mapscribe.formats.raw.Record;
import dev.mapscribe.formats.raw.RecordKind;
import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import dev.mapscribe.formats.raw.UserRecord.Loss;
import dev.mapscribe.formats.raw.UserRecord.ProcSnapshot;
import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A journal is evidence from a machine that may be compromised, or damaged where no check can see it (a flipped
 * bit inside a record): the replay must take records whose values no kernel would write -- addresses at the top
 * of the address space, lengths that overflow, inverted ranges, a successful call that "returned" an odd address,
 * processes forked twice or from themselves, exits and execs of processes never seen, VMA walks out of order,
 * snapshot lines upside down, time running backwards -- without an exception, and still export every syscall
 * (through the real Parquet and JSONL export too, read back by DuckDB).
 * Well-formed records with hostile values; HostileRecordsTest (formats) covers the malformed ones.
 */
class HostileValuesReplayTest {
    private static final long TOP = 0xffff_ffff_ffff_f000L;

    private static long addr(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1 -> TOP;
            case 2 -> -1L;
            case 3 -> r.nextLong();
            case 4 -> 0x7fff_ffff_f000L - 4096L * r.nextInt(4);
            default -> 0x10000L + 4096L * r.nextInt(64) + (r.nextInt(4) == 0 ? r.nextInt(4096) : 0);
        };
    }

    private static long len(Random r) {
        return switch (r.nextInt(7)) {
            case 0 -> 0;
            case 1 -> -1L;
            case 2 -> Long.MAX_VALUE;
            case 3 -> r.nextLong();
            case 4 -> 1 + r.nextInt(5000);
            default -> 4096L * (1 + r.nextInt(16));
        };
    }

    private static long ret(Random r, long addr) {
        return switch (r.nextInt(5)) {
            case 0 -> -(1 + r.nextInt(133)); // an errno
            case 1 -> r.nextLong();
            case 2 -> 0;
            default -> addr;
        };
    }

    private static FileRef file(Random r) {
        return r.nextInt(3) == 0 ? null : new FileRef(r.nextInt(4), r.nextLong(), r.nextLong(), r.nextInt(), r.nextInt(3),
                r.nextInt(), r.nextInt(8), r.nextBoolean() ? "/lib/x" + r.nextInt(3) : "");
    }

    private static Record record(Random r, int[] pids) {
        int pid = pids[r.nextInt(pids.length)];
        int tid = r.nextInt(4) == 0 ? pids[r.nextInt(pids.length)] : pid;
        long t = r.nextInt(10) == 0 ? r.nextLong() : 1_000_000L + r.nextInt(1_000_000);
        Hdr h = new Hdr(0, 0, r.nextInt(4), r.nextInt(1 << 16), t, pid, tid);
        long a = addr(r);
        return switch (r.nextInt(16)) {
            case 0 -> new TaskRecord(kind(h, RecordKind.TASK), pids[r.nextInt(pids.length)], r.nextInt(), r.nextInt(),
                    r.nextInt(), r.nextInt(), r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), "c" + r.nextInt(3));
            case 1, 2, 3 -> new MmapRecord(kind(h, RecordKind.MMAP), a, len(r), r.nextInt(16) - 4, r.nextInt(),
                    r.nextInt(5) - 1, r.nextLong(), ret(r, a), file(r));
            case 4, 5 -> new MprotectRecord(kind(h, RecordKind.MPROTECT), a, len(r), r.nextInt(16) - 4, r.nextInt(3) - 1,
                    ret(r, 0));
            case 6 -> new MunmapRecord(kind(h, RecordKind.MUNMAP), a, len(r), ret(r, 0));
            case 7 -> {
                long to = addr(r);
                yield new MremapRecord(kind(h, RecordKind.MREMAP), a, len(r), len(r), r.nextInt(8), to, ret(r, to));
            }
            case 8 -> new BrkRecord(kind(h, RecordKind.BRK), a, addr(r), ret(r, a));
            case 9 -> { // madvise, shmdt, mseal and the lock calls change the region state: hostile addresses and lengths
                int nr = switch (r.nextInt(6)) {
                    case 0 -> 28;
                    case 1 -> 67;
                    case 2 -> 462;
                    case 3 -> 149 + r.nextInt(4); // mlock, munlock, mlockall, munlockall
                    case 4 -> 325; // mlock2
                    default -> r.nextInt(500) - 10;
                };
                boolean mapping = nr == 28 || nr == 67 || nr == 462 || nr >= 149 && nr <= 152 || nr == 325;
                yield new SyscallRecord(kind(h, RecordKind.SYSCALL), nr,
                        new long[] {mapping ? a : r.nextLong(), mapping ? len(r) : r.nextLong(),
                                mapping && r.nextBoolean() ? r.nextInt(20) : r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong()},
                        mapping ? ret(r, 0) : r.nextLong());
            }
            case 10 -> new ForkRecord(kind(h, RecordKind.FORK), pids[r.nextInt(pids.length)], pids[r.nextInt(pids.length)],
                    r.nextInt(3) == 0 ? r.nextLong() : t, r.nextInt(8));
            case 11 -> new ExecRecord(kind(h, RecordKind.EXEC), pids[r.nextInt(pids.length)], file(r),
                    r.nextBoolean() ? List.of() : List.of("a", "", "b"), r.nextBoolean());
            case 12 -> new ExitRecord(kind(h, RecordKind.EXIT), r.nextInt(), r.nextBoolean());
            case 13 -> new VmaRecord(kind(h, RecordKind.VMA), a, addr(r), r.nextLong(), r.nextLong(), r.nextInt(5) - 1,
                    r.nextBoolean(), r.nextInt(4) == 0, file(r));
            case 14 -> new ProcSnapshot(t, pid, pids[r.nextInt(pids.length)], r.nextLong(), 0, 0, 0, 0, r.nextLong(), "s",
                    r.nextBoolean() ? null : "/bin/s", r.nextBoolean() ? List.of() : List.of("s"), r.nextInt(4) == 0 ? "gone" : null);
            default -> switch (r.nextInt(3)) {
                case 0 -> new SnapshotRegion(pid, a, addr(r), r.nextInt(8), r.nextBoolean(), r.nextLong(), r.nextInt(3),
                        r.nextInt(3), r.nextInt(4), r.nextBoolean() ? null : "/lib/x" + r.nextInt(3));
                case 1 -> new FileInfo(t, r.nextInt(3), r.nextInt(4), r.nextLong(), r.nextInt(), r.nextLong(), "/lib/x",
                        null, null, null, r.nextBoolean() ? "ab" : null, null, r.nextBoolean() ? "err" : null, pid);
                default -> new Loss(t, r.nextInt(6) - 3, r.nextLong(), r.nextLong(), r.nextLong());
            };
        };
    }

    private static Hdr kind(Hdr h, RecordKind k) {
        return new Hdr(k.id(), h.size(), h.cpu(), h.flags(), h.ktimeNs(), h.pid(), h.tid());
    }

    @Property(tries = 1500)
    void recordsNoKernelWouldWriteReplayWithoutAnExceptionAndEverySyscallIsExported(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int records) {
        Random r = new Random(seed);
        int[] pids = {1, 2, 3, 4, r.nextInt(), 0, -1};
        List<Record> journal = new ArrayList<>();
        for (int i = 0; i < records; i++) journal.add(record(r, pids));
        CollectingSink sink = new CollectingSink();
        Replayer replayer = new Replayer(HEADER, sink);
        int i = 0;
        try {
            for (; i < journal.size(); i++) replayer.accept(journal.get(i), 1);
            replayer.finish();
        } catch (RuntimeException e) {
            throw new AssertionError("record " + i + " of " + journal.size() + " (" + (i < journal.size() ? journal.get(i) : "finish")
                    + ") threw " + e, e);
        }
        assertEquals(syscallRecords(journal), sink.syscalls.size(), "syscall rows");
    }

    private static long syscallRecords(List<Record> journal) {
        return journal.stream().filter(x -> x instanceof MmapRecord || x instanceof MprotectRecord
                || x instanceof MunmapRecord || x instanceof MremapRecord || x instanceof BrkRecord || x instanceof SyscallRecord).count();
    }

    /** The same hostile records through the real export (Parquet and both JSONL shapes), read back by DuckDB. */
    @Property(tries = 40)
    void recordsNoKernelWouldWriteAreExportedAndReadBack(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int records)
            throws Exception {
        Random r = new Random(seed);
        int[] pids = {1, 2, 3, 4, r.nextInt(), 0, -1};
        List<Record> journal = new ArrayList<>();
        for (int i = 0; i < records; i++) journal.add(record(r, pids));
        Path out = Files.createTempDirectory("mapscribe-hostile-export-");
        try {
            try (TableExport export = new TableExport(out, "host-h", true, TableExport.RowFilter.ALL)) {
                Replayer replayer = new Replayer(HEADER, export);
                for (Record x : journal) replayer.accept(x, 1);
                replayer.finish();
            }
            try (QuerySession q = QuerySession.open(List.of(out))) {
                assertEquals(List.of(String.valueOf(syscallRecords(journal))), QueryRows.of(q, "select count(*) from syscalls"));
            }
        } finally {
            try (var paths = Files.walk(out)) {
                paths.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
            }
        }
    }
}
