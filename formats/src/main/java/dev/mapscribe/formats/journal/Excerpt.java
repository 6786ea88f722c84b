package dev.mapscribe.formats.journal;

/**
 * The framing of one Chronicle excerpt in a mapscribe journal. Chronicle's cost is per excerpt, not per byte
 * (shared/FACTS.md), so one excerpt carries a whole batch of records.
 *
 * <pre>
 * u32 magic        0x314A534D ("MSJ1" in file order)
 * u16 type         KERNEL_BATCH: raw kernel records end to end, verbatim as the ring buffer held them
 *                  USER_RECORDS: records encoded by UserRecordCodec
 * u16 flags        LZ4: the payload is LZ4-block compressed
 * u32 count        number of records in the payload
 * u32 rawLength    payload length before compression
 * u64 batchId      1, 2, 3... in append order (kunai's "batch" in the export)
 * [u32 storedLength]  only when LZ4: bytes of compressed payload that follow
 * payload
 * </pre>
 */
final class Excerpt {
    private Excerpt() {}

    static final int MAGIC = 0x314A534D;
    static final int TYPE_KERNEL_BATCH = 1, TYPE_USER_RECORDS = 2;
    static final int FLAG_LZ4 = 1;
    static final int HEADER_SIZE = 24;
    /** Largest payload a reader accepts: a damaged length must not make it allocate gigabytes. */
    static final int MAX_PAYLOAD = 64 << 20;
}
