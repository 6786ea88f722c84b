package dev.mapscribe.formats.raw;

import dev.mapscribe.formats.raw.UserRecord.*;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The one binary layout of the records the recorder writes in user space. Each record:
 * {@code u16 kind, u16 version, u32 size (whole record)}, then its fields in declaration order, little-endian:
 * int as 4 bytes, long as 8, boolean as 1, String as {@code i32 length (-1 for null)} + UTF-8 bytes,
 * List&lt;String&gt; as {@code i32 count} + strings.
 */
public final class UserRecordCodec {
    private UserRecordCodec() {}

    public static final int HEADER_SIZE = 8;
    private static final int VERSION = 1;

    /** Appends the encoding of {@code r} to {@code out}, growing it as needed; returns the (maybe new) buffer. */
    public static ByteBuffer encode(UserRecord r, ByteBuffer out) {
        Out o = new Out(out);
        int start = o.b.position();
        o.u16(r.kind().id()).u16(VERSION).i32(0);
        switch (r) {
            case JournalHeader h -> o.i32(h.formatVersion()).str(h.recorderVersion()).str(h.hostname())
                    .str(h.machineId()).str(h.kernelRelease()).i64(h.bootTimeUtcNs()).str(h.hookTier())
                    .str(h.bpfSha256()).i64(h.startUtcNs()).i64(h.startKtimeNs()).strs(h.commandLine())
                    .i32(h.recorderPid()).i32(h.overcommitMemory()).i64(h.suspendedNs());
            case ProcSnapshot p -> o.i64(p.ktimeNs()).i32(p.pid()).i32(p.ppid()).i64(p.startTicks()).i32(p.uid())
                    .i32(p.gid()).i32(p.euid()).i32(p.egid()).i64(p.mntns()).str(p.comm()).str(p.exe())
                    .strs(p.argv()).str(p.error()).i32(p.state()).i32(p.threads()).i32(p.readVia());
            case SnapshotRegion s -> o.i32(s.pid()).i64(s.start()).i64(s.end()).i32(s.prot()).bool(s.shared())
                    .i64(s.offset()).i32(s.devMajor()).i32(s.devMinor()).i64(s.inode()).str(s.path()).str(s.vmFlags());
            case FileInfo f -> o.i64(f.ktimeNs()).i32(f.dev()).i64(f.ino()).i64(f.ctimeSec()).i32(f.ctimeNsec())
                    .i64(f.size()).str(f.path()).str(f.magic()).str(f.md5()).str(f.sha1()).str(f.sha256())
                    .str(f.sha512()).str(f.error()).i32(f.viaPid());
            case Loss l -> o.i64(l.ktimeNs()).i32(l.cpu()).i64(l.count()).i64(l.firstNs()).i64(l.lastNs());
            case RecorderStatus s -> o.i64(s.ktimeNs()).i64(s.records()).i64(s.bytes()).i64(s.batches())
                    .i64(s.lost()).i64(s.filesHashed()).i64(s.cpuNs()).str(s.note()).i32(s.last() ? 1 : 0);
            case JournalRolled j -> o.i64(j.ktimeNs()).i32(j.deletedCycles()).i64(j.deletedBytes()).i64(j.deletedKernelRecords())
                    .i64(j.keptFromNs());
        }
        o.b.putInt(start + 4, o.b.position() - start);
        return o.b;
    }

    /**
     * Decodes the user record at {@code in}'s position and advances past it.
     * A record of a known kind with extra trailing fields (a newer minor version) is read and the rest skipped.
     */
    public static UserRecord decode(ByteBuffer in) {
        ByteBuffer b = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int start = b.position();
        if (b.remaining() < HEADER_SIZE) {
            throw new RecordFormatException("user record header cut short: " + b.remaining() + " of " + HEADER_SIZE + " bytes");
        }
        int kindId = Short.toUnsignedInt(b.getShort());
        int version = Short.toUnsignedInt(b.getShort());
        int size = b.getInt();
        if (size < HEADER_SIZE || size > in.remaining()) {
            throw new RecordFormatException("user record length " + size + " is impossible (kind " + kindId + ", "
                    + in.remaining() + " bytes left)");
        }
        RecordKind kind = RecordKind.of(kindId);
        if (kind == null || kind.isKernel()) throw new RecordFormatException("unknown user record kind " + kindId);
        if (version != VERSION) throw new RecordFormatException("user record kind " + kind + " has unknown version " + version);
        b.limit(start + size);
        In i = new In(b);
        UserRecord r;
        try {
            r = switch (kind) {
                // The overcommit mode and the time suspended came later (minor versions): an older header without
                // them reads them as unknown.
                case JOURNAL_HEADER -> new JournalHeader(i.i32(), i.str(), i.str(), i.str(), i.str(), i.i64(), i.str(),
                        i.str(), i.i64(), i.i64(), i.strs(), i.i32(),
                        i.remaining() >= 4 ? i.i32() : JournalHeader.OVERCOMMIT_UNKNOWN,
                        i.remaining() >= 8 ? i.i64() : JournalHeader.SUSPENDED_UNKNOWN);
                // The leader's state, the thread count and the thread read through came later (minor version): an
                // older snapshot without them reads them as unknown.
                case PROC_SNAPSHOT -> new ProcSnapshot(i.i64(), i.i32(), i.i32(), i.i64(), i.i32(), i.i32(), i.i32(),
                        i.i32(), i.i64(), i.str(), i.str(), i.strs(), i.str(),
                        i.remaining() >= 12 ? (char) i.i32() : ProcSnapshot.STATE_UNKNOWN,
                        i.remaining() >= 8 ? i.i32() : ProcSnapshot.THREADS_UNKNOWN, i.remaining() >= 4 ? i.i32() : 0);
                // vmFlags came later (minor version): an older line without them reads as flags unknown.
                case SNAPSHOT_REGION -> new SnapshotRegion(i.i32(), i.i64(), i.i64(), i.i32(), i.bool(), i.i64(),
                        i.i32(), i.i32(), i.i64(), i.str(), i.remaining() >= 4 ? i.str() : null);
                case FILE_INFO -> new FileInfo(i.i64(), i.i32(), i.i64(), i.i64(), i.i32(), i.i64(), i.str(), i.str(),
                        i.str(), i.str(), i.str(), i.str(), i.str(), i.i32());
                case LOSS -> new Loss(i.i64(), i.i32(), i.i64(), i.i64(), i.i64());
                // "last" came later: an older record without it still reads (as not the last).
                case RECORDER_STATUS -> new RecorderStatus(i.i64(), i.i64(), i.i64(), i.i64(), i.i64(), i.i64(),
                        i.i64(), i.str(), i.remaining() >= 4 && i.i32() != 0);
                // The last two fields came later (minor version): an older record without them still reads.
                case JOURNAL_ROLLED -> new JournalRolled(i.i64(), i.i32(), i.i64(), i.remaining() >= 16 ? i.i64() : -1,
                        i.remaining() >= 8 ? i.i64() : 0);
                default -> throw new RecordFormatException("unknown user record kind " + kindId);
            };
        } catch (BufferUnderflowException e) {
            throw new RecordFormatException("user record " + kind + " is shorter than its fields (" + size + " bytes)");
        }
        in.position(start + size);
        return r;
    }

    private static final class Out {
        ByteBuffer b;

        Out(ByteBuffer b) { this.b = b.order(ByteOrder.LITTLE_ENDIAN); }

        private void room(int n) {
            if (b.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + n + 256))
                        .order(ByteOrder.LITTLE_ENDIAN);
                b.flip();
                bigger.put(b);
                b = bigger;
            }
        }

        Out u16(int v) { room(2); b.putShort((short) v); return this; }
        Out i32(int v) { room(4); b.putInt(v); return this; }
        Out i64(long v) { room(8); b.putLong(v); return this; }
        Out bool(boolean v) { room(1); b.put((byte) (v ? 1 : 0)); return this; }

        Out str(String s) {
            if (s == null) return i32(-1);
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            i32(bytes.length);
            room(bytes.length);
            b.put(bytes);
            return this;
        }

        Out strs(List<String> l) {
            i32(l.size());
            for (String s : l) str(s);
            return this;
        }
    }

    private static final class In {
        final ByteBuffer b;

        In(ByteBuffer b) { this.b = b; }

        int i32() { return b.getInt(); }
        long i64() { return b.getLong(); }
        boolean bool() { return b.get() != 0; }
        int remaining() { return b.remaining(); }

        String str() {
            int n = b.getInt();
            if (n == -1) return null;
            if (n < 0 || n > b.remaining()) throw new RecordFormatException("string length " + n + " runs past the record end");
            byte[] bytes = new byte[n];
            b.get(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }

        List<String> strs() {
            int n = b.getInt();
            if (n < 0 || n > b.remaining()) throw new RecordFormatException("list length " + n + " is impossible");
            List<String> l = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                String s = str();
                l.add(s == null ? "" : s);
            }
            return List.copyOf(l);
        }
    }
}
