package dev.mapscribe.formats.raw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.raw.RawRecords.SynthFile;
import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import dev.mapscribe.formats.raw.UserRecord.JournalRolled;
import dev.mapscribe.formats.raw.UserRecord.Loss;
import dev.mapscribe.formats.raw.UserRecord.ProcSnapshot;
import dev.mapscribe.formats.raw.UserRecord.RecorderStatus;
import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Any journal may be hostile (DESIGN.md, invariants): the decoders of both record families, handed valid records
 * with random damage (bytes overwritten, the kind set to another kind's id, a record's length changed by a few
 * multiples of 8, the batch cut short), must either decode
 * a record or throw {@link RecordFormatException} -- never another exception, never a loop -- and every record
 * that lies wholly before the first damaged byte must come back exactly as written. The JournalReader turns the
 * RecordFormatException into "damage at ..." and keeps what came before (JournalTest); this checks the decoders
 * themselves on many more shapes of damage than those tests name.
 */
class HostileRecordsTest {
    private static final int[] KERNEL_KINDS = Arrays.stream(RecordKind.values()).filter(RecordKind::isKernel)
            .mapToInt(RecordKind::id).toArray();

    /** A batch of every kernel kind RawRecords writes, with the sizes and contents {@code seed} chooses. */
    private static RawRecords kernelBatch(long seed, int records) {
        Random r = new Random(seed);
        RawRecords rec = new RawRecords(records * 4200 + 64);
        for (int i = 0; i < records; i++) {
            long t = 1000L * i;
            int pid = 100 + r.nextInt(5);
            SynthFile f = new SynthFile(r.nextLong(), r.nextLong(), r.nextLong(), r.nextInt(), r.nextInt(), 0100755,
                    "/" + "d/".repeat(r.nextInt(40)) + "x" + r.nextInt(1000));
            switch (r.nextInt(11)) {
                case 0 -> rec.task(t, pid, pid, 1, r.nextInt(), r.nextLong(), "comm" + r.nextInt(100));
                case 1 -> rec.mmap(t, pid, pid, r.nextLong(), r.nextLong(), 7, 0x22, -1, 0, r.nextLong());
                case 2 -> rec.mmapFile(t, pid, pid, r.nextLong(), r.nextLong(), 5, 2, 3, 0, r.nextLong(), r.nextLong(),
                        r.nextInt(), f.path());
                case 3 -> rec.mprotect(t, pid, pid, r.nextLong(), r.nextLong(), r.nextInt(8), r.nextLong());
                case 4 -> rec.munmap(t, pid, pid, r.nextLong(), r.nextLong(), r.nextLong());
                case 5 -> rec.fork(t, r.nextInt(4), pid, pid, pid + 10, r.nextLong());
                case 6 -> rec.exec(t, r.nextInt(4), pid, f, "a\0b b\0" + "c".repeat(r.nextInt(3000)) + "\0");
                case 7 -> rec.exit(t, r.nextInt(4), pid, pid, r.nextInt());
                case 8 -> { // process_vm_writev with its ranges part (0 to 4 remote iovecs)
                    long[] ranges = new long[2 * r.nextInt(5)];
                    for (int k = 0; k < ranges.length; k++) ranges[k] = r.nextLong();
                    rec.syscallWithRanges(t, r.nextInt(4), pid, pid, 311, new long[] {pid + 1, r.nextLong(), 1, r.nextLong(),
                            ranges.length / 2, 0}, r.nextLong(), ranges, r.nextInt(4));
                }
                case 9 -> rec.uffdFill(t, r.nextInt(4), pid, pid, new long[] {3, 0xc028aa03L, r.nextLong(), 0, 0, 0}, r.nextLong(),
                        r.nextLong(), r.nextLong(), r.nextInt(), r.nextLong());
                default -> rec.vma(t, r.nextInt(4), pid, r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), i,
                        r.nextBoolean(), r.nextBoolean() ? f : null);
            }
        }
        return rec;
    }

    /** Decodes a batch as JournalReader does, until its end or the first RecordFormatException. */
    private static List<Object> decodeKernel(MemorySegment s, long limit) {
        List<Object> out = new ArrayList<>();
        long offset = 0;
        while (offset < limit) {
            try {
                KernelRecord k = RecordDecoder.decodeKernel(s, offset, limit);
                assertTrue(k.h().size() >= RecordDecoder.HDR_SIZE, "a record that does not advance: " + k);
                out.add(k);
                offset += k.h().size();
            } catch (RecordFormatException e) {
                out.add(e);
                break;
            }
        }
        return out;
    }

    @Property(tries = 2000)
    void damagedKernelBatchesDecodeOrFailCleanlyAndKeepWhatCameBefore(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 30) int records,
            @ForAll @IntRange(min = 0, max = 8) int overwrites, @ForAll @IntRange(min = 0, max = 2) int kindSwaps,
            @ForAll @IntRange(min = 0, max = 1) int lengthChanges, @ForAll boolean cut) {
        RawRecords rec = kernelBatch(seed, records);
        long length = rec.length();
        byte[] original = rec.buffer().asSlice(0, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        byte[] damaged = original.clone();
        Random r = new Random(~seed);
        long firstDamage = length;
        long limit = length;
        List<Long> hits = new ArrayList<>();
        for (int i = 0; i < overwrites; i++) {
            int at = r.nextInt((int) length);
            damaged[at] = (byte) r.nextInt(256);
            firstDamage = Math.min(firstDamage, at);
            hits.add((long) at);
        }
        // another kind's id on a record's header: its bytes read as a foreign layout
        List<Long> starts = recordStarts(original, length);
        for (int i = 0; i < kindSwaps; i++) {
            long at = starts.get(r.nextInt(starts.size()));
            int kind = KERNEL_KINDS[r.nextInt(KERNEL_KINDS.length)];
            damaged[(int) at] = (byte) kind;
            damaged[(int) at + 1] = 0;
            firstDamage = Math.min(firstDamage, at);
            hits.add(at);
        }
        // a length still plausible (a multiple of 8, within the batch): a few words more or less, or the next record
        // swallowed whole (its records then decode cleanly after it: the skip itself is what must not pass). Only on
        // a record that, with the next, holds no other damage: two damages on one record can conspire (a length
        // and a path length that agree), which no check without checksums can see.
        for (int i = 0; i < lengthChanges; i++) {
            int n = r.nextInt(starts.size());
            long from = starts.get(n), to = n + 2 < starts.size() ? starts.get(n + 2) : length;
            if (hits.stream().anyMatch(h -> h >= from && h < to)) {
                continue;
            }
            long at = starts.get(n);
            MemorySegment o = MemorySegment.ofArray(original);
            int size = RecordDecoder.sizeAt(o, at) + (r.nextBoolean() && n + 1 < starts.size()
                    ? RecordDecoder.sizeAt(o, starts.get(n + 1)) : 8 * (r.nextInt(7) - 3));
            damaged[(int) at + 2] = (byte) size;
            damaged[(int) at + 3] = (byte) (size >>> 8);
            firstDamage = Math.min(firstDamage, at);
            hits.add(at + 2);
        }
        if (cut) {
            limit = r.nextLong(length);
            firstDamage = Math.min(firstDamage, limit);
        }
        List<Object> clean = decodeKernel(MemorySegment.ofArray(original), length);
        List<Object> got = decodeKernel(MemorySegment.ofArray(damaged), limit);
        // every record that ends at or before the first damaged byte comes back as written
        int intact = 0;
        for (long end : recordEnds(original, length)) {
            if (end <= firstDamage) intact++;
        }
        assertTrue(got.size() >= intact, "only " + got.size() + " results for " + intact + " intact records");
        for (int i = 0; i < intact; i++) {
            assertEquals(String.valueOf(clean.get(i)), String.valueOf(got.get(i)), "record " + i + " before the damage");
        }
        // after it, nothing skipped or invented: a record that differs from the one written at its place had its own
        // bytes hit (a damaged value inside a record cannot be told without checksums)
        List<Long> ends = recordEnds(original, length);
        for (int i = intact; i < got.size() && got.get(i) instanceof KernelRecord k; i++) {
            if (!String.valueOf(clean.get(i)).equals(String.valueOf(k))) {
                long from = starts.get(i), to = ends.get(i);
                assertTrue(hits.stream().anyMatch(h -> h >= from && h < to),
                        "record " + i + " is not the one written there, and its bytes were not damaged: " + k);
            }
        }
    }

    private static List<Long> recordStarts(byte[] batch, long length) {
        List<Long> starts = new ArrayList<>();
        MemorySegment s = MemorySegment.ofArray(batch);
        for (long at = 0; at < length; at += RecordDecoder.sizeAt(s, at)) {
            starts.add(at);
        }
        return starts;
    }

    private static List<Long> recordEnds(byte[] batch, long length) {
        List<Long> ends = new ArrayList<>();
        MemorySegment s = MemorySegment.ofArray(batch);
        for (long at = 0; at < length; at += RecordDecoder.sizeAt(s, at)) {
            ends.add(at + RecordDecoder.sizeAt(s, at));
        }
        return ends;
    }

    /** One user record of each kind, with the contents {@code seed} chooses. */
    private static List<UserRecord> userRecords(long seed) {
        Random r = new Random(seed);
        String s = "s".repeat(r.nextInt(300));
        return List.of(
                new JournalHeader(1, "v" + s, "host", "machine", "6.18", r.nextLong(), "syscalls", "ab" + s,
                        r.nextLong(), r.nextLong(), List.of("mapscribe", "record", s), r.nextInt(), r.nextInt(3)),
                new ProcSnapshot(r.nextLong(), r.nextInt(), r.nextInt(), r.nextLong(), 0, 0, 0, 0, r.nextLong(), "comm",
                        "/bin/" + s, List.of("a", s, ""), r.nextBoolean() ? null : "error " + s),
                new SnapshotRegion(r.nextInt(), r.nextLong(), r.nextLong(), 5, r.nextBoolean(), r.nextLong(), 8, 1,
                        r.nextLong(), r.nextBoolean() ? null : "/lib/" + s, r.nextBoolean() ? null : "rd mr mw me ac " + s),
                new FileInfo(r.nextLong(), r.nextInt(), r.nextLong(), r.nextLong(), r.nextInt(), r.nextLong(), "/p/" + s,
                        "ELF", "md5", null, "sha256", "sha512" + s, null, r.nextInt()),
                new Loss(r.nextLong(), r.nextInt(), r.nextLong(), r.nextLong(), r.nextLong()),
                new RecorderStatus(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(),
                        r.nextLong(), "note " + s),
                new JournalRolled(r.nextLong(), r.nextInt(), r.nextLong(), r.nextLong(), r.nextLong()));
    }

    @Property(tries = 2000)
    void damagedUserRecordsDecodeOrFailCleanlyAndKeepWhatCameBefore(
            @ForAll long seed, @ForAll @IntRange(min = 0, max = 8) int overwrites, @ForAll boolean cut) {
        List<UserRecord> records = new ArrayList<>();
        for (int i = 0; i < 3; i++) records.addAll(userRecords(seed + i));
        ByteBuffer buf = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> ends = new ArrayList<>();
        for (UserRecord u : records) {
            buf = UserRecordCodec.encode(u, buf);
            ends.add(buf.position());
        }
        int length = buf.position();
        byte[] damaged = Arrays.copyOf(buf.array(), length);
        Random r = new Random(~seed);
        int firstDamage = length;
        for (int i = 0; i < overwrites; i++) {
            int at = r.nextInt(length);
            damaged[at] = (byte) r.nextInt(256);
            firstDamage = Math.min(firstDamage, at);
        }
        int limit = cut ? r.nextInt(length) : length;
        firstDamage = Math.min(firstDamage, limit);
        ByteBuffer in = ByteBuffer.wrap(damaged, 0, limit).order(ByteOrder.LITTLE_ENDIAN);
        List<UserRecord> got = new ArrayList<>();
        while (in.hasRemaining()) {
            try {
                got.add(UserRecordCodec.decode(in)); // advances past the record, as the JournalReader reads them
            } catch (RecordFormatException e) {
                break;
            }
        }
        for (int i = 0; i < records.size() && ends.get(i) <= firstDamage; i++) {
            assertTrue(i < got.size(), "record " + i + " lay before the damage and did not come back");
            assertEquals(records.get(i), got.get(i), "record " + i + " before the damage");
        }
    }
}
