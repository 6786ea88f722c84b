package dev.mapscribe.analyzer.export;

import dev.mapscribe.analyzer.derive.MemProtAlertEvent;
import dev.mapscribe.analyzer.derive.MmapExecEvent;
import dev.mapscribe.analyzer.replay.EventSink;
import dev.mapscribe.analyzer.replay.FileRow;
import dev.mapscribe.analyzer.replay.LossRow;
import dev.mapscribe.analyzer.replay.MemoryWriteRow;
import dev.mapscribe.analyzer.replay.ProcessLifetime;
import dev.mapscribe.analyzer.replay.RegionVersion;
import dev.mapscribe.analyzer.replay.SyscallRow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Hands the replay's rows to another {@link EventSink} on threads of their own, so the replay and the filling of
 * the tables' Arrow batches use both cores. Two lanes, each a thread: one for the {@code syscalls} rows (one for
 * nearly every record), one for the rows of every other table; each table is filled by one lane only, so the
 * target's per-table methods must not share state across tables ({@link TableExport}'s do not: a writer per
 * table). Each lane delivers its rows in the order the replay made them, so every table gets exactly the rows,
 * in exactly the order, it would get without this class: the output is the same.
 *
 * <p>Rows travel in chunks through a bounded queue per lane: memory stays bounded (at most {@link #QUEUED}
 * chunks of {@link #CHUNK} rows wait in each), and a slow lane slows the replay down instead of piling rows up.
 * The rows are immutable records, so handing them across threads needs nothing but the queue. A failure of the
 * target is rethrown in the replay's thread at the next hand-off or at {@link #close()}.
 */
public final class BackgroundSink implements EventSink, AutoCloseable {
    static final int CHUNK = 1024;
    static final int QUEUED = 16;
    private static final Object[] END = new Object[0];

    private final EventSink target;
    /**
     * Why two: on a recorded storm (one process churning anonymous memory) filling the rows was the analysis's
     * longest thread, the replay's half as long; the syscalls rows are a little under half of that work.
     */
    private final Lane syscalls, tables;
    private boolean closed;

    public BackgroundSink(EventSink target, String name) {
        this.target = target;
        this.syscalls = new Lane("rows-syscalls-" + name, true);
        this.tables = new Lane("rows-tables-" + name, false);
    }

    @Override
    public void syscall(SyscallRow row) {
        syscalls.add(row);
    }

    @Override
    public void memoryWrite(MemoryWriteRow row) {
        tables.add(row);
    }

    @Override
    public void mmapExec(MmapExecEvent event) {
        tables.add(event);
    }

    @Override
    public void memProtAlert(MemProtAlertEvent event) {
        tables.add(event);
    }

    @Override
    public void regionVersion(RegionVersion version) {
        tables.add(version);
    }

    @Override
    public void process(ProcessLifetime process) {
        tables.add(process);
    }

    @Override
    public void loss(LossRow loss) {
        tables.add(loss);
    }

    @Override
    public void file(FileRow file) {
        tables.add(file);
    }

    /**
     * The syscalls lane's rows: one kind, so that its compiled loop is that one call (a shared loop over every kind was
     * compiled again as each lane's rows taught it new kinds).
     */
    private void deliverSyscalls(Object[] rows) {
        for (Object row : rows) {
            if (row == null) {
                return; // the last chunk is partly filled
            }
            target.syscall((SyscallRow) row);
        }
    }

    private void deliver(Object[] rows) {
        for (Object row : rows) {
            switch (row) {
                case null -> {
                    return; // the last chunk is partly filled
                }
                case RegionVersion r -> target.regionVersion(r);
                case MemProtAlertEvent r -> target.memProtAlert(r);
                case MmapExecEvent r -> target.mmapExec(r);
                case ProcessLifetime r -> target.process(r);
                case LossRow r -> target.loss(r);
                case FileRow r -> target.file(r);
                case MemoryWriteRow r -> target.memoryWrite(r);
                default -> throw new IllegalStateException("not a row: " + row.getClass().getName());
            }
        }
    }

    /** Waits until the target has taken every row of both lanes; rethrows the target's failure, if any. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        syscalls.finish();
        tables.finish();
        // A failure the replay's thread was already handed is not thrown again: a try-with-resources around the
        // replay would add it to itself as suppressed, which Java refuses with an exception of its own.
        if (!syscalls.rethrown) syscalls.rethrowFailure();
        if (!tables.rethrown) tables.rethrowFailure();
    }

    /** One queue of row chunks and the thread that delivers them. */
    private final class Lane {
        private final BlockingQueue<Object[]> queue = new ArrayBlockingQueue<>(QUEUED);
        private final Thread consumer;
        private final boolean syscallRows; // the lane of the syscalls rows, and of nothing else
        private volatile Throwable failure; // set by the consumer, read by the replay's thread
        private boolean rethrown; // the replay's thread has been handed the failure
        private Object[] chunk = new Object[CHUNK];
        private int size;

        Lane(String threadName, boolean syscallRows) {
            this.syscallRows = syscallRows;
            consumer = new Thread(this::consume, threadName);
            consumer.setDaemon(true); // a replay that dies without close() must not keep the JVM up
            consumer.start();
        }

        void add(Object row) {
            chunk[size++] = row;
            if (size == CHUNK) {
                send(chunk);
                chunk = new Object[CHUNK]; // the consumer owns the sent one
                size = 0;
            }
        }

        private void send(Object[] rows) {
            rethrowFailure();
            try {
                queue.put(rows);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new IOException("interrupted while handing rows to the table writers", e));
            }
        }

        private void consume() {
            try {
                while (true) {
                    Object[] rows = queue.take();
                    if (rows == END) {
                        return;
                    }
                    if (failure != null) {
                        continue; // keep draining so the replay never blocks on a full queue; it rethrows at its next send
                    }
                    try {
                        if (syscallRows) {
                            deliverSyscalls(rows);
                        } else {
                            deliver(rows);
                        }
                    } catch (RuntimeException | Error e) {
                        failure = e;
                    }
                }
            } catch (InterruptedException e) {
                failure = e;
            }
        }

        /** Hands over the last, partly filled chunk and waits for the consumer to deliver everything. */
        void finish() {
            try {
                if (size > 0 && failure == null) {
                    queue.put(chunk);
                }
                chunk = null;
                queue.put(END); // never blocks for good: after a failure the consumer still drains
                consumer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new IOException("interrupted while waiting for the table writers", e));
            }
        }

        void rethrowFailure() {
            Throwable f = failure;
            rethrown |= f != null;
            switch (f) {
                case null -> { }
                case RuntimeException e -> throw e;
                case Error e -> throw e;
                default -> throw new UncheckedIOException(new IOException("table writer thread: " + f, f));
            }
        }
    }
}
