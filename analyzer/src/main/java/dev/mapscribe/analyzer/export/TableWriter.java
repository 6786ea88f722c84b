package dev.mapscribe.analyzer.export;

import dev.mapscribe.formats.tables.Column;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Writes the rows of one table for one host as Parquet under
 * {@code OUT/<table>/host=<host>/part-NNNNN.parquet}: rows go into an Arrow batch, full batches go
 * column by column to the page encoders, and parquet-java's file writer writes the file (ZSTD, row
 * groups of {@link Options#rowGroupRows} rows), without Hadoop ({@link ParquetPartWriter}).
 *
 * <pre>{@code
 * int PID = Tables.SYSCALLS.col("pid");            // look positions up once
 * try (TableWriter w = TableWriter.open(out, Tables.SYSCALLS, "web1")) {
 *     RowWriter r = w.row();
 *     r.setLong(TS, ts).setInt(PID, 42).setString(SYSCALL, "mmap").setNull(ERRNO);
 *     r.end();                                     // unset nullable columns become null
 * }
 * }</pre>
 *
 * A part file appears under its final name only when it is complete (written as
 * {@code .part-NNNNN.parquet.inprogress}, then renamed), so a reader never sees half a file. The
 * same rows give byte-identical files. Not thread-safe: one writer per table and thread.
 */
public final class TableWriter implements AutoCloseable {

    /**
     * @param rowGroupRows    rows per Parquet row group (~1M lets DuckDB prune row groups by their statistics)
     * @param batchRows       rows per Arrow batch (16,384: against 65,536, 2 s less CPU and 0.2 GB less RSS per
     *                        10M-record analysis in scripts/bench-analyze-ab; probably because a smaller batch
     *                        is still in cache when the encoder reads it)
     * @param rowsPerFile     rows per part file before the next part starts
     * @param zstdLevel       ZSTD level (1 is fast and already small for these columns)
     * @param replaceExisting delete this host's existing parts of the table first (re-running an analysis
     *                        replaces its output); when false, new parts are numbered after the existing ones
     * @param background      encode Parquet on a thread of its own while the caller fills the next Arrow
     *                        batch (two batches alternate); the bytes are the same either way
     */
    public record Options(int rowGroupRows, int batchRows, long rowsPerFile, int zstdLevel, boolean replaceExisting, boolean background) {
        public static Options defaults() {
            return new Options(1_000_000, 16_384, 8_000_000L, 1, true, true);
        }

        public Options withBackground(boolean on) {
            return new Options(rowGroupRows, batchRows, rowsPerFile, zstdLevel, replaceExisting, on);
        }

        public Options withZstdLevel(int level) {
            return new Options(rowGroupRows, batchRows, rowsPerFile, level, replaceExisting, background);
        }

        public Options {
            if (rowGroupRows <= 0 || batchRows <= 0 || rowsPerFile <= 0) {
                throw new IllegalArgumentException("row counts must be positive");
            }
        }
    }

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    /**
     * A batch also goes to the encoder once its string columns' dictionaries hold this many bytes: long distinct
     * strings (a deep process tree's ancestors run to kilobytes) would otherwise grow the off-heap string buffers
     * of every batch to batchRows times the longest row's strings.
     */
    static final long MAX_BATCH_STRING_BYTES = 16L << 20;

    static {
        // Arrow checks bounds and reference counts on every get and set unless told otherwise; our
        // indexes come from our own loop over rows we filled, so the checks only cost time (they
        // were a fifth of the export's profile). Arrow reads these once, when its BoundsChecking class loads:
        // here, before this class creates its first allocator.
        if (System.getProperty("arrow.enable_unsafe_memory_access") == null) {
            System.setProperty("arrow.enable_unsafe_memory_access", "true");
        }
        if (System.getProperty("arrow.enable_null_check_for_get") == null) {
            System.setProperty("arrow.enable_null_check_for_get", "false");
        }
    }

    private final TableSchema table;
    private final String host;
    private final Options options;
    private final Path dir;
    private final int[] fileIndexOf; // table column -> file column, -1 for the partition column
    private final BufferAllocator allocator;
    private final ArrowBatch[] batches; // the one being filled, and (background) the one being encoded
    private final ZstdCodecFactory codecs;
    private final RowWriter rowWriter;
    private final List<RowSink> sinks = new ArrayList<>();
    private final ExecutorService encoder; // null unless options.background
    private Future<?> encoding;            // the batch the encoder is working on, if any

    private int filling;     // index into batches
    private int batchRows;
    private long totalRows;
    private boolean closed;

    // Touched only by the encoding thread (the caller's thread when not in background); read by the
    // caller after a Future.get(), which orders the accesses.
    private final List<Path> files = new ArrayList<>();
    private int nextPart;
    private long fileRows;
    private long parquetNanos;
    private ParquetPartWriter part;
    private Path inProgress;
    private Path finalPath;

    public static TableWriter open(Path out, TableSchema table, String host) throws IOException {
        return open(out, table, host, Options.defaults());
    }

    public static TableWriter open(Path out, TableSchema table, String host, Options options) throws IOException {
        return new TableWriter(out, table, host, options);
    }

    private TableWriter(Path out, TableSchema table, String host, Options options) throws IOException {
        this.table = table;
        this.host = host;
        this.options = options;
        this.dir = ExportLayout.hostDir(out, table.name(), host);
        Files.createDirectories(dir);
        this.nextPart = prepareDirectory();

        List<Column> fileColumns = ParquetSchemas.fileColumns(table);
        this.fileIndexOf = new int[table.size()];
        for (int i = 0, f = 0; i < table.size(); i++) {
            if (table.column(i).name().equals(Tables.PARTITION_COLUMN)) {
                fileIndexOf[i] = -1; // the host lives in the directory name, not in the files
            } else {
                fileIndexOf[i] = f++;
            }
        }
        this.allocator = new RootAllocator();
        this.batches = new ArrowBatch[options.background() ? 2 : 1];
        for (int i = 0; i < batches.length; i++) {
            batches[i] = new ArrowBatch(allocator, fileColumns, options.batchRows());
        }
        this.codecs = new ZstdCodecFactory(options.zstdLevel());
        this.rowWriter = new RowWriter(this, batches[0], table, fileIndexOf);
        this.encoder = options.background() ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mapscribe-parquet-" + table.name());
            t.setDaemon(true); // a caller that dies without close() must not keep the JVM up
            return t;
        }) : null;
    }

    /** Removes earlier parts (replace) or finds the next free part number (append). */
    private int prepareDirectory() throws IOException {
        int next = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.endsWith(".parquet.inprogress")) {
                    Files.delete(p); // left by a writer that died: never a valid part
                } else if (name.endsWith(".jsonl") && options.replaceExisting()) {
                    Files.delete(p); // a JSONL of an earlier run must not outlive its Parquet
                } else if (name.startsWith("part-") && name.endsWith(".parquet")) {
                    if (options.replaceExisting()) {
                        Files.delete(p);
                    } else {
                        int n = Integer.parseInt(name.substring(5, name.length() - ".parquet".length()));
                        next = Math.max(next, n + 1);
                    }
                }
            }
        }
        return next;
    }

    /** Also hands every completed row to {@code sink} (closed with this writer). */
    public TableWriter addSink(RowSink sink) {
        sinks.add(sink);
        return this;
    }

    /** The row writer, positioned at a new row; fill it and call {@link RowWriter#end()}. */
    public RowWriter row() {
        if (closed) {
            throw new IllegalStateException("table writer for " + table.name() + " is closed");
        }
        rowWriter.begin(batchRows);
        return rowWriter;
    }

    public TableSchema table() {
        return table;
    }

    public String host() {
        return host;
    }

    public Path directory() {
        return dir;
    }

    public long rowsWritten() {
        return totalRows;
    }

    /**
     * CPU time spent encoding and writing Parquet (thread CPU time, so other load on the machine does
     * not count), known once the writer is closed.
     */
    public long parquetNanos() {
        return closed ? parquetNanos : 0;
    }

    /** The part files, known once the writer is closed. */
    public List<Path> files() {
        return closed ? List.copyOf(files) : List.of();
    }

    /** Called by the row writer once a row is complete. */
    void rowEnded(RowView view) throws IOException {
        for (RowSink sink : sinks) {
            sink.accept(view);
        }
        batchRows++;
        totalRows++;
        if (batchRows == options.batchRows() || batches[filling].stringBytes() >= MAX_BATCH_STRING_BYTES) {
            handOver();
        }
    }

    /** Sends the filled batch to the encoder and continues with the other one. */
    private void handOver() throws IOException {
        if (batchRows == 0) {
            return;
        }
        ArrowBatch full = batches[filling];
        int rows = batchRows;
        if (encoder == null) {
            encode(full, rows);
        } else {
            awaitEncoding(); // the other batch must be free before we fill it
            encoding = encoder.submit(() -> {
                encode(full, rows);
                return null;
            });
            filling = (filling + 1) % batches.length;
            rowWriter.fill(batches[filling]);
        }
        batchRows = 0;
    }

    private void awaitEncoding() throws IOException {
        if (encoding == null) {
            return;
        }
        try {
            encoding.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing " + table.name(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("writing " + table.name() + ": " + cause, cause);
        } finally {
            encoding = null;
        }
    }

    /** Writes the rows of one batch to Parquet, rolling row groups and part files, then frees the batch for refilling. */
    private void encode(ArrowBatch batch, int rows) throws IOException {
        long t0 = CPU.getCurrentThreadCpuTime();
        batch.seal(rows);
        int row = 0;
        while (row < rows) {
            if (part == null) {
                startFile();
            }
            long room = Math.min(part.roomInRowGroup(), options.rowsPerFile() - fileRows);
            int n = (int) Math.min(room, rows - row);
            part.write(batch, row, row + n);
            row += n;
            fileRows += n;
            if (fileRows == options.rowsPerFile()) {
                finishFile();
            }
        }
        batch.reset();
        parquetNanos += CPU.getCurrentThreadCpuTime() - t0;
    }

    private void startFile() throws IOException {
        String name = ExportLayout.partFileName(nextPart++);
        finalPath = dir.resolve(name);
        inProgress = dir.resolve("." + name + ".inprogress");
        part = new ParquetPartWriter(inProgress, table, options.rowGroupRows(), codecs);
        fileRows = 0;
    }

    private void finishFile() throws IOException {
        part.close();
        part = null;
        Files.move(inProgress, finalPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        files.add(finalPath);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        IOException failure = null;
        try {
            if (rowWriter.open()) {
                throw new IllegalStateException("a row of " + table.name() + " was started but not ended");
            }
            handOver();
            awaitEncoding();
            if (part != null) {
                long t0 = CPU.getCurrentThreadCpuTime();
                finishFile();
                parquetNanos += CPU.getCurrentThreadCpuTime() - t0;
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            for (RowSink sink : sinks) {
                try {
                    sink.close();
                } catch (IOException e) {
                    if (failure == null) {
                        failure = e;
                    }
                }
            }
            release();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Ends the writer's resources, once: stops the encoder, gives up a part still open (only after a failure: the
     * file keeps its .inprogress name) and frees the Arrow buffers.
     */
    private void release() {
        closed = true;
        if (encoder != null) {
            encoder.shutdownNow();
            try {
                encoder.awaitTermination(1, TimeUnit.MINUTES); // its batch must be free before the buffers are
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (part != null) {
            try {
                part.abort();
            } catch (IOException | RuntimeException ignored) {
                // the first failure is the one to report
            }
        }
        for (ArrowBatch b : batches) {
            b.close();
        }
        allocator.close();
    }

    /**
     * Ends the writer after a failure anywhere in the run (the replay, another table, the heap), whether or not it
     * was closed already: no file of this run stays, so an export cut off midway is never read as a whole one. The
     * parts finished earlier in the run are deleted, the part in progress too, and the sinks' files (JSONL). The
     * table's earlier parts were replaced when the writer opened, so the export then holds none of this host's
     * rows for the table; analyze says so, and a second run starts clean. Never throws: the run's own failure is
     * the one to report.
     */
    public void abort() {
        if (!closed) {
            try {
                release();
            } catch (RuntimeException ignored) {
                // a buffer still held by an encoder that did not stop: the process is ending anyway
            }
        }
        for (RowSink sink : sinks) {
            try {
                sink.discard();
            } catch (IOException | RuntimeException ignored) {
                // best effort: the message of the run's failure says the export is not usable
            }
        }
        List<Path> doomed = new ArrayList<>(files);
        if (inProgress != null) {
            doomed.add(inProgress);
        }
        for (Path p : doomed) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // as above
            }
        }
        files.clear();
    }
}
