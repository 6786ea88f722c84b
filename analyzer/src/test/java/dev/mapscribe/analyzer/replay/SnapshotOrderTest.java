package dev.mapscribe.analyzer.replay;

import static dev.mapscribe.analyzer.replay.Recs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mapscribe.formats.raw.KernelRecord.ExitRecord;
import dev.mapscribe.formats.raw.KernelRecord.Hdr;
import dev.mapscribe.formats.raw.Record;
import dev.mapscribe.formats.raw.RecordKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotOrderTest {
    /** The journal positions in the order SnapshotOrder replays them, and where the snapshot was said past. */
    static List<String> replayed(int maxHeld, List<Record> journal) {
        List<String> out = new ArrayList<>();
        SnapshotOrder order = new SnapshotOrder(new SnapshotOrder.Target() {
            @Override
            public void apply(Record r, long batch, long position) {
                out.add(String.valueOf(position));
            }

            @Override
            public void snapshotPast() {
                out.add("past");
            }
        }, maxHeld);
        long position = 0;
        for (Record r : journal) {
            order.accept(r, 0, ++position);
        }
        order.finish();
        return out;
    }

    static ExitRecord exitOfSize(long t, int pid, int size) {
        return new ExitRecord(new Hdr(RecordKind.EXIT.id(), size, 0, 0, t, pid, pid), 0, true);
    }

    @Test
    void eachSnapshotGoesAfterTheHeldKernelRecordsOlderThanItsRead() {
        List<Record> journal = List.of(HEADER, exit(10, 1, 1, true), exit(30, 2, 2, true), info(31, file("/x", 1), "s"),
                exit(50, 3, 3, true), snap(20, 7, 1, 0, "a", "/a"), line(7, 0x1000, 0x2000, R, null, 0, 0),
                snap(40, 8, 1, 0, "b", "/b"), exit(60, 4, 4, true));
        // the header and the exit at 10 before the read at 20; the exit at 30 and the file information after it
        // before the read at 40; the exit at 50 after it; then the first record after the snapshot
        assertEquals(List.of("1", "2", "6", "7", "3", "4", "8", "5", "past", "9"), replayed(SnapshotOrder.MAX_HELD, journal));
    }

    @Test
    void pastEitherLimitTheRecordsGoInJournalOrder() {
        List<Record> small = List.of(exitOfSize(10, 1, 1024), exitOfSize(30, 2, 1024), snap(20, 7, 1, 0, "a", "/a"),
                exit(40, 3, 3, true));
        assertEquals(List.of("1", "3", "2", "past", "4"), replayed(SnapshotOrder.MAX_HELD, small));
        assertEquals(List.of("1", "2", "3", "past", "4"), replayed(1, small), "over the count: journal order");
        int big = (int) (SnapshotOrder.MAX_HELD_BYTES / 2);
        List<Record> large = List.of(exitOfSize(10, 1, big), exitOfSize(30, 2, big), exitOfSize(35, 5, 1024),
                snap(20, 7, 1, 0, "a", "/a"), exit(40, 3, 3, true));
        assertEquals(List.of("1", "2", "3", "4", "past", "5"), replayed(SnapshotOrder.MAX_HELD, large),
                "over the bytes: journal order");
    }
}
