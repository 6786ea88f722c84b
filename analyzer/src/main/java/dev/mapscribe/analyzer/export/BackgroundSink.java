package dev.mapscribe.analyzer.export;

import dev.mapscribe.analyzer.derive.MemProtAlertEvent;
import dev.mapscribe.analyzer.derive.MmapExecEvent;
import dev.mapscribe.analyzer.replay.EventSink;
import dev.mapscribe.analyzer.replay.FileRow;
import dev.mapscribe.analyzer.replay.LossRow;
import dev.mapscribe.analyzer.replay.ProcessLifetime;
import dev.mapscribe.analyzer.replay.RegionVersion;
import dev.mapscribe.analyzer.replay.SyscallRow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Hands the replay's rows to another {@link EventSink} on a thread of its own, so the replay and the filling of
 * the tables' Arrow batches use both cores. Rows travel in chunks through a bounded queue: memory stays bounded
 * (at most {@link #QUEUED} chunks of {@link #CHUNK} rows wait), and a slow writer slows the replay down instead
 * of piling rows up. One consumer thread takes the chunks in order, so the target sees exactly the calls, in
 * exactly the order, the replay made: the output is the same as without this class.
 *
 * <p>The rows are immutable records, so handing them across threads needs nothing but the queue.
 * A failure of the target is rethrown in the replay's thread at the next hand-off or at {@link #close()}.
 */
public final class BackgroundSink implements EventSink, AutoCloseable {
    static final int CHUNK = 1024;
    static final int QUEUED = 16;
    private static final Object[] END = new Object[0];

    private final EventSink target;
    private final BlockingQueue<Object[]> queue = new ArrayBlockingQueue<>(QUEUED);
    private final Thread consumer;
    private volatile Throwable failure; // set by the consumer, read by the replay's thread
    private Object[] chunk = new Object[CHUNK];
    private int size;
    private boolean closed;

    public BackgroundSink(EventSink target, String name) {
        this.target = target;
        this.consumer = new Thread(this::consume, "mapscribe-rows-" + name);
        consumer.setDaemon(true); // a replay that dies without close() must not keep the JVM up
        consumer.start();
    }

    @Override
    public void syscall(SyscallRow row) {
        add(row);
    }

    @Override
    public void mmapExec(MmapExecEvent event) {
        add(event);
    }

    @Override
    public void memProtAlert(MemProtAlertEvent event) {
        add(event);
    }

    @Override
    public void regionVersion(RegionVersion version) {
        add(version);
    }

    @Override
    public void process(ProcessLifetime process) {
        add(process);
    }

    @Override
    public void loss(LossRow loss) {
        add(loss);
    }

    @Override
    public void file(FileRow file) {
        add(file);
    }

    private void add(Object row) {
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
                    deliver(rows);
                } catch (RuntimeException | Error e) {
                    failure = e;
                }
            }
        } catch (InterruptedException e) {
            failure = e;
        }
    }

    private void deliver(Object[] rows) {
        for (Object row : rows) {
            switch (row) {
                case null -> {
                    return; // the last chunk is partly filled
                }
                case SyscallRow r -> target.syscall(r);
                case RegionVersion r -> target.regionVersion(r);
                case MemProtAlertEvent r -> target.memProtAlert(r);
                case MmapExecEvent r -> target.mmapExec(r);
                case ProcessLifetime r -> target.process(r);
                case LossRow r -> target.loss(r);
                case FileRow r -> target.file(r);
                default -> throw new IllegalStateException("not a row: " + row.getClass().getName());
            }
        }
    }

    /** Waits until the target has taken every row; rethrows the target's failure, if any. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
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
        rethrowFailure();
    }

    private void rethrowFailure() {
        Throwable f = failure;
        switch (f) {
            case null -> { }
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new UncheckedIOException(new IOException("table writer thread: " + f, f));
        }
    }
}
