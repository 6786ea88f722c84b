package dev.mapscribe.formats.journal;

import dev.mapscribe.formats.raw.Record;

/** Receives the records of a journal in order, with the batch (excerpt) each came in. */
@FunctionalInterface
public interface RecordSink {
    void accept(Record record, long batchId);
}
