package dev.mapscribe.formats.journal;

import dev.mapscribe.formats.raw.UserRecord;
import dev.mapscribe.formats.raw.UserRecord.JournalHeader;
import dev.mapscribe.formats.raw.UserRecord.JournalRolled;
import dev.mapscribe.formats.raw.UserRecordCodec;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Appends records to a journal: a directory holding a Chronicle Queue (Chronicle lives only in this package).
 * Not thread-safe: one writer thread owns it. An excerpt becomes visible to readers only once complete, so a
 * SIGKILL at any moment leaves a journal readable up to the last complete batch.
 */
public final class JournalWriter implements AutoCloseable {
    static {
        ChronicleDefaults.apply(); // before this class builds a queue
    }

    /**
     * @param maxDiskBytes bound on the cycle files; the oldest cycles are deleted (and that is recorded) to stay
     *                     under it; when the current cycle alone exceeds it, kernel batches are refused and counted.
     *                     0: no bound (the CLI's --max-disk is always positive).
     * @param compress     LZ4-compress each batch (raw records are restored verbatim on read)
     * @param minFreeBytes  free space to leave on the journal's file system: below it kernel batches are refused
     *                      and counted ({@link #refusedForSpace()}), as at --max-disk, until space is freed. A write
     *                      to the mapped journal file that the file system cannot back faults (SIGBUS; a Java
     *                      InternalError) and would end the recording; the margin also holds the records that
     *                      follow (losses, status, file infos). 0: no check.
     * @param checksums     CRC-32C of each excerpt's header and of each 1 KiB of its records (Excerpt), so that a
     *                      reader finds damage inside a record too
     */
    public record Options(long maxDiskBytes, boolean compress, long minFreeBytes, boolean checksums) {
        /** Two of Chronicle's 16 MiB blocks. */
        public static final long MIN_FREE_DEFAULT = 32L << 20;

        public Options(long maxDiskBytes, boolean compress) {
            this(maxDiskBytes, compress, MIN_FREE_DEFAULT);
        }

        public Options(long maxDiskBytes, boolean compress, long minFreeBytes) {
            this(maxDiskBytes, compress, minFreeBytes, true);
        }

        /** Without the excerpts' CRC-32C checksums: a journal as written before them (for tests of that case). */
        public Options withoutChecksums() {
            return new Options(maxDiskBytes, compress, minFreeBytes, false);
        }

        public static Options defaults() {
            return new Options(4L << 30, true);
        }
    }

    static final String CYCLE_SUFFIX = ".cq4";
    static final int MIN_COMPRESSED_BATCH = 2048;

    private final Path dir;
    private final Options opts;
    private JournalHeader header; // null until start(): nothing is appended before it
    private final boolean createdDir; // abandon() removes the directory only if open() made it
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final LZ4Compressor lz4 = LZ4Factory.safeInstance().fastCompressor();
    private byte[] raw = new byte[1 << 20];
    private byte[] packed = new byte[lz4.maxCompressedLength(raw.length)];
    private ByteBuffer userBuf = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    private final Excerpt.Checksums checksums = new Excerpt.Checksums();
    // The header and JournalRolled are written from inside an append, while userBuf still holds the record
    // being appended: they need a buffer of their own, or a cycle roll overwrites that record with the header.
    private ByteBuffer metaBuf = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);

    private long batches, records, bytesWritten, refusedRecords, refusedForSpace;
    private final FileStore store; // the journal's file system, for its free space
    private long lastSpaceCheckBytes;
    private boolean lowOnSpace;
    /** Free space is read (statvfs) once per this many bytes written, and at every batch while it is low. */
    private static final long SPACE_CHECK_BYTES = 1L << 20;
    private int headerCycle = Integer.MIN_VALUE;

    /** A cycle this writer opened: when (CLOCK_MONOTONIC), and the kernel records it holds, for JournalRolled. */
    private static final class CycleTally {
        final long openedNs;
        long kernelRecords;

        CycleTally(long openedNs) { this.openedNs = openedNs; }
    }

    private final Map<Integer, CycleTally> tallies = new HashMap<>();
    // Cycle of each file name, noted when the header goes into it: a deleted file's tally is found through it.
    private final Map<String, Integer> cycleOfFile = new HashMap<>();
    // Totals since the start, written in every JournalRolled: the last one tells the whole story even when a
    // later roll deleted the cycle that held an earlier one.
    private int rolledCycles;
    private long rolledBytes, rolledKernelRecords;
    private boolean closed;

    private JournalWriter(Path dir, boolean createdDir, Options opts, net.openhft.chronicle.core.time.TimeProvider clock)
            throws JournalException {
        this.dir = dir;
        this.createdDir = createdDir;
        this.opts = opts;
        long free;
        try {
            this.store = Files.getFileStore(dir);
            free = store.getUsableSpace();
        } catch (IOException e) {
            throw new JournalException("cannot read the free space of " + dir + ": " + e.getMessage(), e);
        }
        if (free < opts.minFreeBytes()) {
            throw new JournalException("only " + (free >> 20) + " MiB free on the file system of " + dir
                    + ": the journal needs at least " + (opts.minFreeBytes() >> 20) + " MiB free");
        }
        try {
            this.queue = SingleChronicleQueueBuilder.binary(dir)
                    // Five-minute cycle files: the unit that --max-disk deletes.
                    .rollCycle(RollCycles.FIVE_MINUTELY)
                    .timeProvider(clock)
                    .blockSize(16L << 20)
                    .build();
            this.appender = queue.createAppender();
        } catch (RuntimeException e) {
            throw new JournalException("cannot create journal in " + dir + ": " + e.getMessage(), e);
        }
        restrictMetadataFiles();
    }

    /**
     * Compresses 1 MiB of record-like bytes, to be thrown away, so that the JIT compiles LZ4 (pure Java) before
     * the first kernel batch. On a quiet host batches come a few times a second, too rarely for the JIT: each
     * was compressed interpreted, ~1 ms for a batch of 100 records, while the writer drained and held nothing.
     * Start-up work for the recorder, done before it attaches.
     */
    public static void warmUpCompression() {
        LZ4Compressor lz4 = LZ4Factory.safeInstance().fastCompressor(); // the JIT compiles the class, not the instance
        byte[] sample = new byte[64 << 10];
        byte[] packed = new byte[lz4.maxCompressedLength(sample.length)];
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < sample.length; i += 8) {
            // Records repeat most of their bytes (kinds, pids, addresses a page apart): a few random bytes in eight.
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            sample[i] = (byte) x;
            sample[i + 1] = (byte) (i >>> 12);
        }
        for (int i = 0; i < 16; i++) {
            lz4.compress(sample, 0, sample.length, packed, 0, packed.length);
        }
    }

    /** Creates DIR (mode 0700) and a journal in it, whose first entry is {@code header}. DIR must not hold a journal. */
    public static JournalWriter create(Path dir, JournalHeader header, Options opts) throws JournalException {
        JournalWriter w = open(dir, opts);
        w.start(header);
        return w;
    }

    /**
     * Creates DIR (mode 0700) and a journal in it with nothing in it yet: {@link #start} writes the header, the
     * first entry, before anything else. Opening takes a few hundred milliseconds (Chronicle maps its files), so
     * the recorder opens the journal before it attaches its programs and starts it once they are attached.
     */
    public static JournalWriter open(Path dir, Options opts) throws JournalException {
        return open(dir, opts, net.openhft.chronicle.core.time.SystemTimeProvider.INSTANCE);
    }

    /** With the clock that picks the cycle file: tests move it across a cycle boundary. */
    static JournalWriter create(Path dir, JournalHeader header, Options opts, net.openhft.chronicle.core.time.TimeProvider clock)
            throws JournalException {
        JournalWriter w = open(dir, opts, clock);
        w.start(header);
        return w;
    }

    private static JournalWriter open(Path dir, Options opts, net.openhft.chronicle.core.time.TimeProvider clock)
            throws JournalException {
        boolean createdDir = false;
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    if (s.findAny().isPresent()) throw new JournalException("journal directory " + dir + " is not empty: choose a new one");
                }
            } else {
                Files.createDirectories(dir);
                createdDir = true;
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (JournalException e) {
            throw e;
        } catch (IOException e) {
            throw new JournalException("cannot create journal directory " + dir + ": " + e.getMessage(), e);
        }
        return new JournalWriter(dir, createdDir, opts, clock);
    }

    /** Writes {@code header}, the journal's first entry (and every cycle file's): appends are allowed from now on. */
    public void start(JournalHeader header) {
        if (this.header != null) throw new IllegalStateException("the journal is already started");
        this.header = java.util.Objects.requireNonNull(header, "header");
        writeHeaderIfNewCycle();
    }

    /**
     * Closes a journal that was never started (the recording did not begin) and removes its files, and its
     * directory if {@link #open} created it: nothing is left that looks like a recording.
     */
    public void abandon() {
        if (header != null) throw new IllegalStateException("a started journal holds a recording: close it instead");
        close();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // best effort: what is left holds no record
        }
        if (createdDir) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // not empty after all, or gone
            }
        }
    }

    public JournalHeader header() {
        return header;
    }

    /**
     * Appends {@code count} raw kernel records laid end to end in {@code src[0, length)} as one excerpt, verbatim.
     * Returns the batch id, or -1 when --max-disk refused it (counted in {@link #refusedRecords()}).
     */
    public long appendKernelBatch(MemorySegment src, long length, int count) {
        if (length > Excerpt.MAX_PAYLOAD) throw new IllegalArgumentException("batch of " + length + " bytes is over the limit");
        // Open a new cycle before deciding to refuse: only then can the full one before it be deleted (refusing
        // first kept the journal refusing until some user record happened to open the cycle).
        writeHeaderIfNewCycle();
        if (overLimit()) {
            refusedRecords += count;
            return -1;
        }
        if (lowOnSpace()) {
            refusedForSpace += count;
            return -1;
        }
        int len = (int) length;
        if (raw.length < len) raw = new byte[Math.max(len, raw.length * 2)];
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 0, raw, 0, len);
        long id = appendExcerpt(Excerpt.TYPE_KERNEL_BATCH, raw, len, count);
        tallies.get(headerCycle).kernelRecords += count;
        return id;
    }

    /** Appends one user-space record (enrichment, snapshot, loss, status) as its own excerpt. */
    public void append(UserRecord r) {
        userBuf.clear();
        userBuf = UserRecordCodec.encode(r, userBuf);
        appendExcerpt(Excerpt.TYPE_USER_RECORDS, userBuf.array(), userBuf.position(), 1);
    }

    /** Appends many user records as one excerpt (the /proc snapshot: thousands of regions). */
    public void appendAll(List<? extends UserRecord> rs) {
        if (rs.isEmpty()) return;
        userBuf.clear();
        for (UserRecord r : rs) userBuf = UserRecordCodec.encode(r, userBuf);
        appendExcerpt(Excerpt.TYPE_USER_RECORDS, userBuf.array(), userBuf.position(), rs.size());
    }

    private long appendExcerpt(int type, byte[] payload, int len, int count) {
        writeHeaderIfNewCycle();
        return writeExcerpt(type, payload, len, count);
    }

    private long writeExcerpt(int type, byte[] payload, int len, int count) {
        // A batch of a few records (a quiet host, drained every millisecond) costs LZ4 ~3 µs and saves
        // little: only batches of some size are worth compressing.
        boolean compress = opts.compress() && type == Excerpt.TYPE_KERNEL_BATCH && len >= MIN_COMPRESSED_BATCH;
        int stored = len;
        byte[] body = payload;
        if (compress) {
            if (packed.length < lz4.maxCompressedLength(len)) packed = new byte[lz4.maxCompressedLength(len)];
            stored = lz4.compress(payload, 0, len, packed, 0, packed.length);
            body = packed;
        }
        long id = ++batches;
        boolean crc = opts.checksums();
        int flags = (compress ? Excerpt.FLAG_LZ4 : 0) | (crc ? Excerpt.FLAG_CRC32C : 0);
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> b = dc.wire().bytes();
            b.writeInt(Excerpt.MAGIC);
            b.writeShort((short) type);
            b.writeShort((short) flags);
            b.writeInt(count);
            b.writeInt(len);
            b.writeLong(id);
            if (compress) b.writeInt(stored);
            if (crc) b.writeInt(checksums.header(type, flags, count, len, id, stored));
            b.write(body, 0, stored);
            if (crc) {
                for (int i = 0; i < Excerpt.chunks(len); i++) b.writeInt(checksums.chunk(payload, len, i));
            }
        }
        records += count;
        // 4: Chronicle's own excerpt header
        bytesWritten += 4 + Excerpt.HEADER_SIZE + (compress ? 4 : 0) + stored + (crc ? 4 + 4L * Excerpt.chunks(len) : 0);
        return id;
    }

    /** Every cycle file starts with the header, so that deleting old cycles never loses it. */
    private void writeHeaderIfNewCycle() {
        if (header == null) throw new IllegalStateException("the journal's header must be written first: start()");
        int cycle = queue.cycle();
        if (cycle == headerCycle) return;
        headerCycle = cycle;
        // HotSpot on Linux reads System.nanoTime() from CLOCK_MONOTONIC: the kernel records' clock.
        tallies.put(cycle, new CycleTally(System.nanoTime()));
        metaBuf.clear();
        metaBuf = UserRecordCodec.encode(header, metaBuf);
        writeExcerpt(Excerpt.TYPE_USER_RECORDS, metaBuf.array(), metaBuf.position(), 1);
        // The file this cycle went to, noted (for the roll's counts) and made 0600 here, by the writer: Chronicle's
        // store-file listener, which did it before, runs later on a background thread (BackgroundResourceReleaser),
        // and a roll that could not find the oldest kept cycle's file then dated the gap's end wrongly.
        File file = appender.currentFile();
        if (file != null) {
            cycleOfFile.put(file.getName(), cycle);
            restrict(file.toPath());
        }
        enforceMaxDisk();
    }

    /** Deletes the oldest finished cycle files while the journal is over --max-disk, and records that it did. */
    private void enforceMaxDisk() {
        if (opts.maxDiskBytes() <= 0) return; // no bound, as for refusing batches (it deleted all but the newest cycle)
        List<Path> cycles = cycleFiles();
        long total = cycles.stream().mapToLong(JournalWriter::sizeOf).sum();
        int deleted = 0;
        // Never the newest file: it is the one being written.
        while (deleted < cycles.size() - 1 && total > opts.maxDiskBytes()) {
            Path oldest = cycles.get(deleted);
            long size = sizeOf(oldest);
            try {
                Files.deleteIfExists(oldest);
            } catch (IOException e) {
                break;
            }
            total -= size;
            deleted++;
            rolledCycles++;
            rolledBytes += size;
            Integer cycle = cycleOfFile.remove(oldest.getFileName().toString());
            CycleTally gone = cycle == null ? null : tallies.remove(cycle);
            if (gone != null) rolledKernelRecords += gone.kernelRecords;
        }
        if (deleted > 0) {
            queue.refreshDirectoryListing();
            Integer keptCycle = cycleOfFile.get(cycles.get(deleted).getFileName().toString());
            CycleTally kept = keptCycle == null ? null : tallies.get(keptCycle);
            long now = System.nanoTime();
            JournalRolled note = new JournalRolled(now, rolledCycles, rolledBytes, rolledKernelRecords,
                    kept != null ? kept.openedNs : now);
            metaBuf.clear();
            metaBuf = UserRecordCodec.encode(note, metaBuf);
            writeExcerpt(Excerpt.TYPE_USER_RECORDS, metaBuf.array(), metaBuf.position(), 1);
        }
    }

    /** Checked every 16 MiB written, not per batch: listing the directory is not free. */
    private boolean overLimit() {
        if (opts.maxDiskBytes() <= 0) return false;
        if (!refusing && bytesWritten - lastLimitCheckBytes < (16L << 20)) return false;
        lastLimitCheckBytes = bytesWritten;
        long total = cycleFiles().stream().mapToLong(JournalWriter::sizeOf).sum();
        if (total <= opts.maxDiskBytes()) return refusing = false;
        enforceMaxDisk();
        refusing = cycleFiles().stream().mapToLong(JournalWriter::sizeOf).sum() > opts.maxDiskBytes();
        return refusing;
    }

    private long lastLimitCheckBytes;
    private boolean refusing;

    /** Whether the file system has less than minFreeBytes free (checked every 1 MiB written; every batch while low). */
    private boolean lowOnSpace() {
        if (opts.minFreeBytes() <= 0) return false;
        if (!lowOnSpace && bytesWritten - lastSpaceCheckBytes < SPACE_CHECK_BYTES) return false;
        lastSpaceCheckBytes = bytesWritten;
        try {
            lowOnSpace = store.getUsableSpace() < opts.minFreeBytes();
        } catch (IOException e) {
            lowOnSpace = false; // cannot tell: write, as without the check
        }
        return lowOnSpace;
    }

    private List<Path> cycleFiles() {
        return cycleFiles(dir);
    }

    /** A journal's cycle files, oldest first (Chronicle names them by time); none when the directory cannot be listed. */
    static List<Path> cycleFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(CYCLE_SUFFIX))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private void restrictMetadataFiles() {
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(JournalWriter::restrict);
        } catch (IOException ignored) {
            // Best effort: the directory itself is 0700.
        }
    }

    /** Files 0600: a journal holds command lines and paths of every process on the host. */
    private static void restrict(Path p) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException ignored) {
            // The directory is 0700: nobody else can reach the file anyway.
        }
    }

    public long batches() { return batches; }

    public long records() { return records; }

    /** Bytes appended: our framing, Chronicle's 4-byte excerpt header and the (compressed) payloads. */
    public long bytesWritten() { return bytesWritten; }

    /** Cycle files deleted so far to stay under --max-disk. */
    public int rolledCycles() { return rolledCycles; }

    /** Kernel records refused because the journal was at --max-disk with nothing left to delete. */
    public long refusedRecords() { return refusedRecords; }

    /** Kernel records refused because the journal's file system had less than minFreeBytes free. */
    public long refusedForSpace() { return refusedForSpace; }

    /** Bytes of the cycle files on disk (preallocated blocks included). */
    public long bytesOnDisk() {
        return cycleFiles().stream().mapToLong(JournalWriter::sizeOf).sum();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        queue.close();
        restrictMetadataFiles();
    }
}
