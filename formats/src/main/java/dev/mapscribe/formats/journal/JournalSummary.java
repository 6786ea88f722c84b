package dev.mapscribe.formats.journal;

import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.raw.Record;
import dev.mapscribe.formats.raw.RecordKind;
import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import dev.mapscribe.formats.raw.UserRecord.JournalRolled;
import dev.mapscribe.formats.raw.UserRecord.Loss;
import dev.mapscribe.formats.raw.UserRecord.RecorderStatus;

import java.util.EnumMap;
import java.util.Map;

/**
 * What `mapscribe journal info` reports: counts per kind, the kernel time span, losses, damage.
 *
 * @param lost    kernel records lost for want of ring-buffer space
 * @param refused kernel records the journal refused (--max-disk reached, or its file system nearly full)
 * @param compat  32-bit syscalls the kernel programs left out (Loss.COMPAT): neither lost nor refused, never recorded
 * @param rolled  the last JournalRolled record (its counts are totals since the start); null when no cycle was deleted
 * @param unhashed file infos without hashes: the file was gone, unreadable or over the size cap (each one's error says which)
 * @param unchecked excerpts without checksums (written before them): damage inside their records cannot be seen
 * @param stopped  the recorder's final status record, written as it stopped; null when the journal has none (it is
 *                 still being recorded, the recorder was killed or crashed, or the journal's end is lost)
 */
public record JournalSummary(JournalHeader header, Map<RecordKind, Long> counts, long batches, long firstKtimeNs,
                             long lastKtimeNs, long lost, long refused, long compat, JournalRolled rolled, long unhashed,
                             long unchecked, RecorderStatus stopped, JournalDamage damage) {

    /** What a journal without the recorder's final record ({@link #stopped} null) says of its end. */
    public static final String NO_FINAL_RECORD = "no final record from the recorder: it was still recording, or it was"
            + " killed or crashed, or the journal's end is lost";

    public static JournalSummary of(JournalReader reader) {
        Map<RecordKind, Long> counts = new EnumMap<>(RecordKind.class);
        long[] span = {Long.MAX_VALUE, Long.MIN_VALUE};
        long[] lost = {0, 0, 0}; // in the kernel, refused by the journal, 32-bit calls left out
        JournalRolled[] rolled = {null};
        long[] unhashed = {0};
        RecorderStatus[] stopped = {null};
        ReadResult r = reader.read((Record rec, long batch) -> {
            counts.merge(rec.kind(), 1L, Long::sum);
            if (rec instanceof KernelRecord k) {
                span[0] = Math.min(span[0], k.h().ktimeNs());
                span[1] = Math.max(span[1], k.h().ktimeNs());
            } else if (rec instanceof Loss l) {
                lost[l.leftOut() ? 2 : l.inKernel() ? 0 : 1] += l.count();
            } else if (rec instanceof JournalRolled j) {
                rolled[0] = j; // totals: the last one holds the earlier ones
            } else if (rec instanceof FileInfo f && f.sha256() == null) {
                unhashed[0]++;
            } else if (rec instanceof RecorderStatus st && st.last()) {
                stopped[0] = st;
            }
        });
        return new JournalSummary(reader.header(), counts, r.excerpts(), span[0] == Long.MAX_VALUE ? 0 : span[0],
                span[1] == Long.MIN_VALUE ? 0 : span[1], lost[0], lost[1], lost[2], rolled[0], unhashed[0], r.unchecked(), stopped[0], r.damage());
    }

    /** Cycle files the recorder deleted to stay under --max-disk. */
    public long rolledCycles() {
        return rolled == null ? 0 : rolled.deletedCycles();
    }

    public long kernelRecords() {
        return counts.entrySet().stream().filter(e -> e.getKey().isKernel()).mapToLong(Map.Entry::getValue).sum();
    }

    public long records() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
