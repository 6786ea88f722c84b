package dev.mapscribe.formats.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The framing of one Chronicle excerpt in a mapscribe journal. Chronicle's cost is per excerpt, not per byte
 * (shared/FACTS.md), so one excerpt carries a whole batch of records.
 *
 * <pre>
 * u32 magic        0x314A534D ("MSJ1" in file order)
 * u16 type         KERNEL_BATCH: raw kernel records end to end, verbatim as the ring buffer held them
 *                  USER_RECORDS: records encoded by UserRecordCodec
 * u16 flags        LZ4: the payload is LZ4-block compressed; CRC32C: the checksums below are there
 * u32 count        number of records in the payload
 * u32 rawLength    payload length before compression
 * u64 batchId      1, 2, 3... in append order (kunai's "batch" in the export)
 * [u32 storedLength]  only when LZ4: bytes of compressed payload that follow
 * [u32 headerCrc]     only when CRC32C: CRC-32C of the bytes above (from the magic on)
 * payload
 * [u32 chunkCrc...]   only when CRC32C: CRC-32C of each CHUNK bytes of the raw (decompressed) payload, the last
 *                     chunk shorter
 * </pre>
 *
 * The checksums are how value damage inside a record (a flipped address bit, which no structural check sees) is
 * found, and where: the records wholly before the first damaged chunk are delivered, the rest of the excerpt is
 * not. Journals written before the checksums (no CRC32C flag) are read as they are.
 */
final class Excerpt {
    private Excerpt() {}

    static final int MAGIC = 0x314A534D;
    static final int TYPE_KERNEL_BATCH = 1, TYPE_USER_RECORDS = 2;
    static final int FLAG_LZ4 = 1, FLAG_CRC32C = 2;
    static final int HEADER_SIZE = 24;
    /** Raw payload bytes per chunk checksum: ~25 storm records, 4 bytes each (~0.1 byte per record on disk). */
    static final int CHUNK = 1024;

    /** The number of chunk checksums of a raw payload of {@code rawLength} bytes. */
    static int chunks(int rawLength) {
        return (rawLength + CHUNK - 1) / CHUNK;
    }

    /**
     * The checksums of one reader or writer: a CRC-32C and the bytes of a header to checksum, both reused for every
     * excerpt (one thread each).
     */
    static final class Checksums {
        private final CRC32C crc = new CRC32C();
        private final ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE + 4).order(ByteOrder.LITTLE_ENDIAN);

        /** CRC-32C of the excerpt's header as written (magic to storedLength, when present). */
        int header(int type, int flags, int count, int rawLength, long batchId, int storedLength) {
            header.clear();
            header.putInt(MAGIC).putShort((short) type).putShort((short) flags).putInt(count).putInt(rawLength).putLong(batchId);
            if ((flags & FLAG_LZ4) != 0) header.putInt(storedLength);
            crc.reset();
            crc.update(header.array(), 0, header.position());
            return (int) crc.getValue();
        }

        /** CRC-32C of chunk {@code i} of a raw payload. */
        int chunk(byte[] payload, int rawLength, int i) {
            crc.reset();
            int from = i * CHUNK;
            crc.update(payload, from, Math.min(CHUNK, rawLength - from));
            return (int) crc.getValue();
        }
    }

    /** Largest payload a reader accepts: a damaged length must not make it allocate gigabytes. */
    static final int MAX_PAYLOAD = 64 << 20;

    /**
     * Whether {@code b} (little-endian) holds from {@code at} the start of one of the journal's excerpts, of
     * {@code length} bytes as its Chronicle header says: a header whose fields agree with that length, and, when it
     * carries checksums, with its own checksum. For finding excerpts in a file's raw bytes, where a chance match of
     * the magic alone is possible.
     */
    static boolean startsAt(ByteBuffer b, int at, int length, Checksums checksums) {
        return at + 4 <= b.limit() && b.getInt(at) == MAGIC && framesItself(b, at, length, checksums);
    }

    /**
     * {@link #startsAt} without the magic: whether the header fields after it agree with {@code length} (and with
     * their checksum). Tells one of the journal's excerpts from Chronicle's own metadata when its magic was damaged
     * too: a chance match of types, flags and lengths that add up to Chronicle's length is beyond belief.
     */
    static boolean framesItself(ByteBuffer b, int at, int length, Checksums checksums) {
        if (at + HEADER_SIZE + 8 > b.limit() || length < HEADER_SIZE) return false;
        int type = b.getShort(at + 4) & 0xFFFF, flags = b.getShort(at + 6) & 0xFFFF;
        int count = b.getInt(at + 8), rawLength = b.getInt(at + 12);
        long batchId = b.getLong(at + 16);
        if (type != TYPE_KERNEL_BATCH && type != TYPE_USER_RECORDS || (flags & ~(FLAG_LZ4 | FLAG_CRC32C)) != 0
                || count < 0 || rawLength < 0 || rawLength > MAX_PAYLOAD) {
            return false;
        }
        boolean lz4 = (flags & FLAG_LZ4) != 0, crc = (flags & FLAG_CRC32C) != 0;
        int stored = lz4 ? b.getInt(at + HEADER_SIZE) : rawLength;
        int header = HEADER_SIZE + (lz4 ? 4 : 0);
        if (crc && b.getInt(at + header) != checksums.header(type, flags, count, rawLength, batchId, stored)) return false;
        return stored >= 0 && (long) header + (crc ? 4 : 0) + stored + (crc ? 4L * chunks(rawLength) : 0) == length;
    }
}
