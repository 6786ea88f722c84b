package dev.mapscribe.analyzer.export;

import java.io.IOException;

/** Receives every row a {@link TableWriter} completes, in order (the JSONL writers are sinks). */
public interface RowSink extends AutoCloseable {
    void accept(RowView row) throws IOException;

    @Override
    void close() throws IOException;

    /** Closes the sink, if it is not yet, and deletes what it wrote: the run failed (see TableWriter.abort). */
    void discard() throws IOException;
}
