package dev.mapscribe.recorder.ring;

import dev.mapscribe.formats.raw.Layouts;
import java.lang.foreign.MemorySegment;

/**
 * A request from the kernel that the holder thread hold a file at once (bpf/mapscribe.h, struct ms_hold_request):
 * the process that mapped it, the mapping's range, the file's (dev, inode), and the record's time.
 */
public record HoldRequest(int tgid, long start, long end, int dev, long ino, long ktimeNs) {
    private static final long KTIME = Layouts.off(Layouts.MS_HOLD_REQUEST, "ktime_ns");
    private static final long START = Layouts.off(Layouts.MS_HOLD_REQUEST, "start");
    private static final long END = Layouts.off(Layouts.MS_HOLD_REQUEST, "end");
    private static final long INO = Layouts.off(Layouts.MS_HOLD_REQUEST, "ino");
    private static final long DEV = Layouts.off(Layouts.MS_HOLD_REQUEST, "dev");
    private static final long TGID = Layouts.off(Layouts.MS_HOLD_REQUEST, "tgid");

    /** The request at {@code at} of {@code ring}, as RingReader hands it over. */
    public static HoldRequest at(MemorySegment ring, long at) {
        return new HoldRequest(ring.get(Layouts.U32, at + TGID), ring.get(Layouts.U64, at + START),
                ring.get(Layouts.U64, at + END), ring.get(Layouts.U32, at + DEV), ring.get(Layouts.U64, at + INO),
                ring.get(Layouts.U64, at + KTIME));
    }
}
