package dev.mapscribe.analyzer.export;

import dev.mapscribe.formats.tables.Column;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * Feeds parquet-java one row of the current {@link ArrowBatch} per {@code write(rowIndex)} call.
 * Only the ParquetConfiguration overload of {@code init} is used: the Hadoop one is never called.
 */
final class ArrowBatchWriteSupport extends WriteSupport<Integer> {
    private final TableSchema table;
    private final List<Column> columns;
    private final MessageType schema;
    private ArrowBatch batch;
    private RecordConsumer consumer;

    ArrowBatchWriteSupport(TableSchema table) {
        this.table = table;
        this.columns = ParquetSchemas.fileColumns(table);
        this.schema = ParquetSchemas.messageType(table);
    }

    void use(ArrowBatch batch) {
        this.batch = batch;
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        // Fixed metadata only: nothing about the time or the machine of the write, so the same rows
        // give the same bytes (DESIGN.md: the analyzer is deterministic).
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("mapscribe.table", table.name());
        meta.put("mapscribe.schema_version", Integer.toString(Tables.SCHEMA_VERSION));
        return new WriteContext(schema, meta);
    }

    @Override
    public WriteContext init(org.apache.hadoop.conf.Configuration configuration) {
        throw new UnsupportedOperationException("mapscribe writes Parquet without Hadoop");
    }

    @Override
    public String getName() {
        return "mapscribe";
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.consumer = recordConsumer;
    }

    @Override
    public void write(Integer boxedRow) {
        int row = boxedRow;
        consumer.startMessage();
        for (int col = 0; col < columns.size(); col++) {
            if (batch.isNull(col, row)) {
                continue; // an optional field that is absent is simply not written
            }
            String name = columns.get(col).name();
            consumer.startField(name, col);
            switch (columns.get(col).type()) {
                case BOOL -> consumer.addBoolean(batch.getBool(col, row));
                case INT32 -> consumer.addInteger(batch.getInt(col, row));
                case INT64, TIMESTAMP_NS -> consumer.addLong(batch.getLong(col, row));
                // get() copies the bytes: the dictionary encoder may keep the Binary after the batch is reused.
                case STRING -> consumer.addBinary(Binary.fromConstantByteArray(batch.getBytes(col, row)));
                case LIST_STRING -> writeList(col, row);
            }
            consumer.endField(name, col);
        }
        consumer.endMessage();
    }

    private void writeList(int col, int row) {
        int start = batch.listStart(col, row);
        int end = batch.listEnd(col, row);
        consumer.startGroup();
        if (end > start) { // an empty list has no "list" field at all
            consumer.startField("list", 0);
            for (int i = start; i < end; i++) {
                consumer.startGroup();
                consumer.startField("element", 0);
                consumer.addBinary(Binary.fromConstantByteArray(batch.listElement(col, i)));
                consumer.endField("element", 0);
                consumer.endGroup();
            }
            consumer.endField("list", 0);
        }
        consumer.endGroup();
    }
}
