package dev.mapscribe.formats.journal;

import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.raw.RecordDecoder;
import dev.mapscribe.formats.raw.RecordFormatException;
import dev.mapscribe.formats.raw.RecordKind;
import dev.mapscribe.formats.raw.UserRecord;
import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import dev.mapscribe.formats.raw.UserRecordCodec;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Reads a journal in order and decodes every record. The first damage (an unknown kind or version, a cut or
 * corrupted excerpt, an impossible length, bytes that do not match their checksum) stops the read: every record
 * before it has been delivered, and the {@link ReadResult} says where the damage starts. With checksums (Excerpt)
 * that holds to the KiB: a record in a KiB whose checksum fails is not delivered, nor any after it.
 */
public final class JournalReader implements AutoCloseable {
    private final Path dir;
    private final SingleChronicleQueue queue;
    private final JournalHeader header;
    // The reader runs on the analyst's machine, where lz4-java's native library (bundled, loaded by JNI) is welcome:
    // its safe decompressor checks bounds like the Java one and skips the JIT's warm-up of a large method.
    // fastestInstance() falls back to the Java instances where the native library cannot load.
    private final LZ4SafeDecompressor lz4 = LZ4Factory.fastestInstance().safeDecompressor();
    private final Excerpt.Checksums checksums = new Excerpt.Checksums();
    private long unchecked; // excerpts of the current scan read without checksums

    private JournalReader(Path dir) throws JournalException {
        this.dir = dir;
        try {
            // timeoutMS: how long Chronicle waits for a cycle file's header to appear (a writer writes it as it creates
            // the file, within microseconds). Its default, 10 s, made a read stop 20 s on an emptied cycle file.
            this.queue = SingleChronicleQueueBuilder.binary(dir).readOnly(true).timeoutMS(1_000).build();
        } catch (Exception | Error e) {
            String why = oneLine(e);
            // Chronicle's own listing of the cycles, damaged, fails as a lock it cannot claim; without it, Chronicle
            // lists the cycle files again (JournalTest), so say so, rather than leave a lock error unexplained.
            if (why.contains(METADATA_FILE)) {
                why += " (Chronicle's " + METADATA_FILE + " may be damaged: a copy of the journal without it reads, as"
                        + " Chronicle rebuilds it)";
            }
            throw new JournalException("cannot open journal " + dir + ": " + why, e);
        }
        JournalHeader[] first = new JournalHeader[1];
        ReadResult r = scan((rec, batch) -> {
            if (first[0] == null && rec instanceof JournalHeader h) first[0] = h;
            throw StopScan.INSTANCE;
        }, 1);
        if (first[0] == null && r.damage() != null) {
            close();
            throw new JournalException("cannot read journal " + dir + ": " + r.damage().describe());
        }
        this.header = first[0]; // null: no excerpt at all; open() tries again, then says so
    }

    /** Chronicle's listing of a queue's cycle files, beside them in the journal's directory. */
    static final String METADATA_FILE = "metadata.cq4t";

    static {
        ChronicleDefaults.apply(); // before this class builds a queue
    }

    /** Opens DIR as a journal; a clear one-line JournalException when it is not one. */
    public static JournalReader open(Path dir) throws JournalException {
        if (!Files.isDirectory(dir)) throw new JournalException("no journal at " + dir + ": not a directory");
        try (Stream<Path> s = Files.list(dir)) {
            if (s.noneMatch(p -> p.getFileName().toString().endsWith(JournalWriter.CYCLE_SUFFIX))) {
                throw new JournalException("no journal at " + dir + ": it holds no " + JournalWriter.CYCLE_SUFFIX + " cycle files");
            }
        } catch (JournalException e) {
            throw e;
        } catch (IOException e) {
            throw new JournalException("cannot read " + dir + ": " + e.getMessage(), e);
        }
        // A journal being recorded at --max-disk loses its oldest cycle file at each roll: one deleted while this
        // opened leaves no header to start from (and Chronicle's listing of the cycles may lag the deletion). Open
        // again, twice, a moment later; a journal whose first cycle is really gone says so after ~40 ms.
        for (int attempt = 1; ; attempt++) {
            JournalReader r = new JournalReader(dir);
            if (r.header != null && r.header.formatVersion() > RecordKind.FORMAT_VERSION) {
                // Its records may have parts this reader does not know of, and would be misread: refuse, and say why.
                r.close();
                throw new JournalException("cannot read journal " + dir + ": it is format " + r.header.formatVersion()
                        + ", written by mapscribe " + r.header.recorderVersion() + ", and this mapscribe reads formats up to "
                        + RecordKind.FORMAT_VERSION + ": read it with a newer mapscribe");
            }
            if (r.header != null) return r;
            r.close();
            if (attempt == 3 || Thread.currentThread().isInterrupted()) {
                throw new JournalException("cannot read journal " + dir + ": it does not start with a header record (its"
                        + " first cycle file is missing, emptied or damaged, or it is not a mapscribe journal)");
            }
            LockSupport.parkNanos(20_000_000L);
        }
    }

    public JournalHeader header() {
        return header;
    }

    public Path dir() {
        return dir;
    }

    /** Delivers every record in journal order; the repeated header at the start of each cycle is skipped. */
    public ReadResult read(RecordSink sink) {
        boolean[] seenHeader = {false};
        return scan((rec, batch) -> {
            if (rec instanceof JournalHeader) {
                if (seenHeader[0]) return;
                seenHeader[0] = true;
            }
            sink.accept(rec, batch);
        }, Long.MAX_VALUE);
    }

    /** Thrown by a sink to end a scan early. */
    private static final class StopScan extends RuntimeException {
        static final StopScan INSTANCE = new StopScan();

        private StopScan() {
            super(null, null, false, false);
        }
    }

    private ReadResult scan(RecordSink sink, long maxExcerpts) {
        long excerpts = 0, records = 0;
        long lastBatchId = -1; // none yet: the first kept excerpt's id is where the journal starts (--max-disk deletes the oldest)
        unchecked = 0;
        byte[] stored = new byte[1 << 16];
        byte[] payload = new byte[1 << 20];
        ExcerptTailer tailer;
        try {
            tailer = queue.createTailer();
        } catch (Exception | InternalError e) {
            // A cycle file whose Chronicle header is damaged: Chronicle reads it when the tailer moves to its start,
            // and may throw a checked exception it does not declare (StreamCorruptedException).
            return damaged(-1, 0, 0, "chronicle cannot open the cycle file: " + oneLine(e), 0);
        }
        File lastFile = null; // where the last excerpt read ends: ChronicleTail looks there when Chronicle hands over no more
        long lastEnd = 0, lastIndex = -1;
        long askedAgainAt = -1; // excerpts delivered when Chronicle was last asked again after a finding
        while (excerpts < maxExcerpts) {
            long index = -1;
            long batchId = 0;
            int payloadLen = 0;
            int payloadStart = Excerpt.HEADER_SIZE;
            int trusted; // payload bytes the checksums vouch for (all of them in a journal without checksums)
            int count;
            int type;
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    // Chronicle hands over no more: the journal's end, or damage that makes Chronicle stop or skip
                    // without a word, which ChronicleTail looks for in the cycle files' own bytes
                    String hidden = lastFile == null ? null : ChronicleTail.damageAfter(lastFile, lastEnd);
                    if (hidden == null) break;
                    if (excerpts > askedAgainAt) {
                        // Ask Chronicle once more before calling it damage: a live writer may have rolled to the next
                        // cycle file just as Chronicle looked for it (its first excerpt is complete before the walk)
                        askedAgainAt = excerpts;
                        continue;
                    }
                    return damaged(lastIndex + 1, excerpts, 0, hidden, records);
                }
                index = dc.index();
                Bytes<?> b = dc.wire().bytes();
                File previousFile = lastFile;
                if (b instanceof MappedBytes m) { // positions in a cycle file's mapped bytes are the file's own offsets
                    lastFile = m.mappedFile().file();
                    lastEnd = b.readLimit();
                    lastIndex = index;
                }
                long n = b.readRemaining();
                if (n < Excerpt.HEADER_SIZE) return damaged(index, excerpts, 0, "excerpt of " + n + " bytes is shorter than its header", records);
                int magic = b.readInt();
                if (magic != Excerpt.MAGIC) return damaged(index, excerpts, 0, "excerpt does not start with the journal magic (0x" + Integer.toHexString(magic) + ")", records);
                type = b.readUnsignedShort();
                int flags = b.readUnsignedShort();
                count = b.readInt();
                payloadLen = b.readInt();
                batchId = b.readLong();
                boolean lz4Flag = (flags & Excerpt.FLAG_LZ4) != 0;
                boolean crc = (flags & Excerpt.FLAG_CRC32C) != 0;
                if (!crc) unchecked++;
                int storedLen = lz4Flag ? (b.readRemaining() >= 4 ? b.readInt() : -1) : payloadLen;
                payloadStart = Excerpt.HEADER_SIZE + (lz4Flag ? 4 : 0) + (crc ? 4 : 0);
                if (crc && (b.readRemaining() < 4 || b.readInt() != checksums.header(type, flags, count, payloadLen, batchId, storedLen))) {
                    return damaged(index, excerpts, 0, "the excerpt's header does not match its checksum", records);
                }
                if (type != Excerpt.TYPE_KERNEL_BATCH && type != Excerpt.TYPE_USER_RECORDS) {
                    return damaged(index, excerpts, 4, "unknown excerpt type " + type, records);
                }
                // The writer numbers every excerpt it writes, 1, 2, 3...: a gap is an excerpt Chronicle did not hand
                // over (one flipped bit marks an excerpt as Chronicle's own metadata, which readers skip in silence).
                if (lastBatchId >= 0 && batchId != lastBatchId + 1) {
                    if (previousFile != null && !previousFile.exists()) { // deleted under this read, not damaged
                        return damaged(index, excerpts, 16, "batch " + batchId + " follows batch " + lastBatchId + ": the"
                                + " cycle file being read (" + previousFile.getName() + ") was deleted during the read, as"
                                + " --max-disk deletes the oldest cycles of a journal being recorded; read it again", records);
                    }
                    return damaged(index, excerpts, 16, "batch " + batchId + " follows batch " + lastBatchId
                            + ": the batches between them are missing or hidden", records);
                }
                lastBatchId = batchId;
                if (payloadLen < 0 || payloadLen > Excerpt.MAX_PAYLOAD || count < 0) {
                    return damaged(index, excerpts, 12, "impossible batch length " + payloadLen + " / count " + count, records);
                }
                int trailer = crc ? 4 * Excerpt.chunks(payloadLen) : 0;
                if (payload.length < payloadLen) payload = new byte[Math.max(payloadLen, payload.length * 2)];
                if (lz4Flag) {
                    if (storedLen < 0 || storedLen != b.readRemaining() - trailer) {
                        return damaged(index, excerpts, Excerpt.HEADER_SIZE, "compressed length " + storedLen + " does not match the excerpt (" + b.readRemaining() + " bytes)", records);
                    }
                    if (stored.length < storedLen) stored = new byte[Math.max(storedLen, stored.length * 2)];
                    b.read(stored, 0, storedLen);
                    int got;
                    try {
                        got = lz4.decompress(stored, 0, storedLen, payload, 0, payloadLen);
                    } catch (LZ4Exception e) {
                        return damaged(index, excerpts, payloadStart, "compressed batch does not decompress: " + e.getMessage(), records);
                    }
                    if (got != payloadLen) return damaged(index, excerpts, payloadStart, "batch decompressed to " + got + " bytes, header says " + payloadLen, records);
                } else {
                    if (b.readRemaining() - trailer != payloadLen) {
                        return damaged(index, excerpts, Excerpt.HEADER_SIZE, "batch length " + payloadLen + " does not match the excerpt (" + (b.readRemaining() - trailer) + " bytes)", records);
                    }
                    b.read(payload, 0, payloadLen);
                }
                trusted = payloadLen;
                for (int i = 0; crc && i < Excerpt.chunks(payloadLen); i++) {
                    if (b.readInt() != checksums.chunk(payload, payloadLen, i)) {
                        trusted = i * Excerpt.CHUNK; // the records wholly before this chunk are delivered
                        break;
                    }
                }
            } catch (Exception | InternalError e) {
                // Chronicle's own headers damaged (it may throw checked exceptions it does not declare), or a file cut
                // shorter than its index says (InternalError is how the JVM reports a fault in a mapped-memory access).
                return damaged(index, excerpts, 0, "chronicle cannot read the excerpt: " + oneLine(e), records);
            }
            // Decode outside the document context: the sink may take its time.
            long offset = 0;
            try {
                if (type == Excerpt.TYPE_KERNEL_BATCH) {
                    MemorySegment seg = MemorySegment.ofArray(payload);
                    for (int i = 0; i < count; i++) {
                        // a record that reaches into a chunk whose checksum failed is not delivered, nor any after it
                        if (trusted < payloadLen && (offset + RecordDecoder.HDR_SIZE > trusted
                                || offset + RecordDecoder.sizeAt(seg, offset) > trusted)) {
                            return checksumMismatch(index, excerpts, payloadStart, trusted, payloadLen, records);
                        }
                        KernelRecord rec = RecordDecoder.decodeKernel(seg, offset, payloadLen);
                        sink.accept(rec, batchId);
                        records++;
                        offset += rec.h().size();
                    }
                } else {
                    ByteBuffer buf = ByteBuffer.wrap(payload, 0, payloadLen).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < count; i++) {
                        offset = buf.position();
                        if (trusted < payloadLen && (offset + UserRecordCodec.HEADER_SIZE > trusted
                                || offset + Integer.toUnsignedLong(buf.getInt((int) offset + 4)) > trusted)) {
                            return checksumMismatch(index, excerpts, payloadStart, trusted, payloadLen, records);
                        }
                        UserRecord rec = UserRecordCodec.decode(buf);
                        sink.accept(rec, batchId);
                        records++;
                    }
                    offset = buf.position();
                }
                if (trusted < payloadLen) { // the damaged chunk holds no record start: bytes after the last record
                    return checksumMismatch(index, excerpts, payloadStart, trusted, payloadLen, records);
                }
                if (offset != payloadLen) {
                    return damaged(index, excerpts, payloadStart + offset, "batch has " + (payloadLen - offset) + " bytes after its " + count + " records", records);
                }
            } catch (StopScan stop) {
                excerpts++;
                break;
            } catch (RecordFormatException e) {
                return damaged(index, excerpts, payloadStart + offset, e.getMessage(), records);
            }
            excerpts++;
        }
        return new ReadResult(excerpts, records, unchecked, null);
    }

    private ReadResult checksumMismatch(long index, long ordinal, int payloadStart, int trusted, int payloadLen, long records) {
        return damaged(index, ordinal, payloadStart + trusted, "the batch's bytes " + trusted + ".."
                + Math.min(payloadLen, trusted + Excerpt.CHUNK) + " do not match their checksum: the records from there on"
                + " are not delivered", records);
    }

    private ReadResult damaged(long index, long ordinal, long offset, String msg, long records) {
        return new ReadResult(ordinal, records, unchecked, new JournalDamage(index, ordinal, offset, msg));
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null) m = e.getClass().getSimpleName();
        int nl = m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl) : m;
    }

    @Override
    public void close() {
        queue.close();
    }
}
