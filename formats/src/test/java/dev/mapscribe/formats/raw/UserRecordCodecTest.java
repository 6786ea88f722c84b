package dev.mapscribe.formats.raw;

import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import dev.mapscribe.formats.raw.UserRecord.ProcSnapshot;
import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Fields added to a record kind after journals were written with it: new ones round-trip, old ones still read. */
class UserRecordCodecTest {
    private static final JournalHeader HEADER = new JournalHeader(1, "0.1.0", "web-7", "m-1", "6.18.44", 17L, "syscalls",
            "ab", 18L, 19L, List.of("mapscribe", "record"), 4242, 2, 3_600_000_000_123L);
    private static final SnapshotRegion LINE = new SnapshotRegion(7, 0x7f0000000000L, 0x7f0000004000L, 1, false, 0x1cf000,
            8, 1, 1234, "/usr/lib/x86_64-linux-gnu/libc.so.6", "rd mr mw me ac");

    /** A process whose leader exited while a thread runs on, read through that thread. */
    private static final ProcSnapshot LEADER_GONE = new ProcSnapshot(99L, 300, 1, 4567L, 0, 0, 0, 0, 4026531832L, "w",
            "/usr/bin/w", List.of("w", "-x"), null, 'Z', 3, 302);

    @Test
    void theOvercommitModeAndTheVmFlagsRoundTrip() {
        assertEquals(HEADER, roundTrip(HEADER));
        assertEquals(LINE, roundTrip(LINE));
        assertEquals(LEADER_GONE, roundTrip(LEADER_GONE));
        SnapshotRegion fromMaps = new SnapshotRegion(7, 0x1000, 0x2000, 3, false, 0, 0, 0, 0, "[heap]");
        assertEquals(fromMaps, roundTrip(fromMaps));
    }

    @Test
    void aHeaderWrittenBeforeTheOvercommitModeReadsItAsUnknown() {
        JournalHeader old = (JournalHeader) decode(withoutTrailingBytes(HEADER, 4 + 8));
        assertEquals(JournalHeader.OVERCOMMIT_UNKNOWN, old.overcommitMemory());
        assertEquals(JournalHeader.SUSPENDED_UNKNOWN, old.suspendedNs());
        assertEquals(4242, old.recorderPid());
    }

    @Test
    void aHeaderWrittenBeforeTheTimeSuspendedReadsItAsUnknown() {
        JournalHeader old = (JournalHeader) decode(withoutTrailingBytes(HEADER, 8));
        assertEquals(JournalHeader.SUSPENDED_UNKNOWN, old.suspendedNs());
        assertEquals(2, old.overcommitMemory());
    }

    @Test
    void aSnapshotLineWrittenBeforeTheVmFlagsReadsThemAsUnknown() {
        // The flags are a string: its i32 length and its bytes go.
        SnapshotRegion old = (SnapshotRegion) decode(withoutTrailingBytes(LINE, 4 + "rd mr mw me ac".length()));
        assertEquals(null, old.vmFlags());
        assertEquals(LINE.path(), old.path());
    }

    @Test
    void aSnapshotWrittenBeforeTheLeadersStateReadsItAsUnknown() {
        ProcSnapshot old = (ProcSnapshot) decode(withoutTrailingBytes(LEADER_GONE, 12));
        assertEquals(ProcSnapshot.STATE_UNKNOWN, old.state());
        assertEquals(ProcSnapshot.THREADS_UNKNOWN, old.threads());
        assertEquals(0, old.readVia());
        assertEquals(false, old.leaderExited());
        assertEquals(LEADER_GONE.argv(), old.argv());
        assertEquals(null, old.error());
    }

    private static UserRecord roundTrip(UserRecord r) {
        return decode(encode(r));
    }

    private static ByteBuffer encode(UserRecord r) {
        ByteBuffer b = UserRecordCodec.encode(r, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN));
        return b.flip();
    }

    /** The record as a writer that did not know its last {@code n} bytes of fields wrote it. */
    private static ByteBuffer withoutTrailingBytes(UserRecord r, int n) {
        ByteBuffer b = encode(r);
        int size = b.limit() - n;
        b.limit(size);
        b.putInt(4, size);
        return b;
    }

    private static UserRecord decode(ByteBuffer b) {
        return UserRecordCodec.decode(b);
    }
}
