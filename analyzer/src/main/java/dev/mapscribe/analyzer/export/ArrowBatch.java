package dev.mapscribe.analyzer.export;

import dev.mapscribe.formats.tables.Column;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One Arrow batch of a table's file columns: rows are filled in place, handed to the Parquet
 * writer when the batch is full, and the vectors are reset and reused for the next batch.
 *
 * <p>Fixed-width vectors are allocated for {@code capacity} rows up front and never grow, so their
 * cells are written with {@code set}, not {@code setSafe} (whose capacity checks were a sixth of the
 * time spent filling rows). Strings and lists still grow as needed.
 */
final class ArrowBatch implements AutoCloseable {
    private final List<Column> columns;
    private final VectorSchemaRoot root;
    private final FieldVector[] vectors;
    private final String[] lastString; // per column: the last String set, and its UTF-8 bytes
    private final byte[][] lastBytes;
    private long stringBytes; // bytes of string cells since the last reset

    private final int capacity;

    ArrowBatch(BufferAllocator allocator, List<Column> columns, int capacity) {
        this.capacity = capacity;
        this.columns = List.copyOf(columns);
        List<Field> fields = new ArrayList<>();
        for (Column c : columns) {
            fields.add(field(c));
        }
        this.root = VectorSchemaRoot.create(new Schema(fields), allocator);
        this.vectors = root.getFieldVectors().toArray(new FieldVector[0]);
        this.lastString = new String[vectors.length];
        this.lastBytes = new byte[vectors.length][];
        for (FieldVector v : vectors) {
            v.setInitialCapacity(capacity);
            v.allocateNew();
        }
    }

    /** Rows this batch holds at most (the caller hands it over before). */
    int capacity() {
        return capacity;
    }

    private static Field field(Column c) {
        ArrowType type = switch (c.type()) {
            case BOOL -> ArrowType.Bool.INSTANCE;
            case INT32 -> new ArrowType.Int(32, true);
            case INT64 -> new ArrowType.Int(64, true);
            case STRING -> ArrowType.Utf8.INSTANCE;
            case TIMESTAMP_NS -> new ArrowType.Timestamp(TimeUnit.NANOSECOND, null);
            case LIST_STRING -> ArrowType.List.INSTANCE;
        };
        if (c.type() == dev.mapscribe.formats.tables.ColumnType.LIST_STRING) {
            Field element = new Field("element", new FieldType(false, ArrowType.Utf8.INSTANCE, null), null);
            return new Field(c.name(), new FieldType(c.nullable(), type, null), List.of(element));
        }
        return new Field(c.name(), new FieldType(c.nullable(), type, null), null);
    }

    void setNull(int col, int row) {
        vectors[col].setNull(row);
    }

    void setBool(int col, int row, boolean v) {
        ((BitVector) vectors[col]).set(row, v ? 1 : 0);
    }

    void setInt(int col, int row, int v) {
        ((IntVector) vectors[col]).set(row, v);
    }

    void setLong(int col, int row, long v) {
        switch (vectors[col]) {
            case BigIntVector b -> b.set(row, v);
            case TimeStampNanoVector t -> t.set(row, v);
            default -> throw new IllegalStateException("column " + columns.get(col).name() + " does not hold 64-bit values");
        }
    }

    void setString(int col, int row, String v) {
        // Most string cells repeat the previous row's String object (a process's comm, a syscall's name, a
        // mapped file's path): encode it once, not once per row.
        byte[] bytes;
        if (v == lastString[col]) {
            bytes = lastBytes[col];
        } else {
            bytes = v.getBytes(StandardCharsets.UTF_8);
            lastString[col] = v;
            lastBytes[col] = bytes;
        }
        ((VarCharVector) vectors[col]).setSafe(row, bytes);
        stringBytes += bytes.length;
    }

    void setStrings(int col, int row, List<String> values) {
        ListVector list = (ListVector) vectors[col];
        int start = list.startNewValue(row);
        VarCharVector elements = (VarCharVector) list.getDataVector();
        for (int i = 0; i < values.size(); i++) {
            byte[] bytes = values.get(i).getBytes(StandardCharsets.UTF_8);
            elements.setSafe(start + i, bytes);
            stringBytes += bytes.length;
        }
        elements.setValueCount(start + values.size());
        list.endValue(row, values.size());
    }

    boolean isNull(int col, int row) {
        return vectors[col].isNull(row);
    }

    boolean getBool(int col, int row) {
        return ((BitVector) vectors[col]).get(row) != 0;
    }

    int getInt(int col, int row) {
        return ((IntVector) vectors[col]).get(row);
    }

    long getLong(int col, int row) {
        return switch (vectors[col]) {
            case BigIntVector b -> b.get(row);
            case TimeStampNanoVector t -> t.get(row);
            case IntVector i -> i.get(row);
            default -> throw new IllegalStateException("column " + columns.get(col).name() + " does not hold integers");
        };
    }

    byte[] getBytes(int col, int row) {
        return ((VarCharVector) vectors[col]).get(row);
    }

    String getString(int col, int row) {
        return new String(getBytes(col, row), StandardCharsets.UTF_8);
    }

    List<String> getStrings(int col, int row) {
        ListVector list = (ListVector) vectors[col];
        VarCharVector elements = (VarCharVector) list.getDataVector();
        int start = list.getElementStartIndex(row);
        int end = list.getElementEndIndex(row);
        List<String> out = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
            out.add(new String(elements.get(i), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The vector of a column, for the Parquet writer's column loops. */
    FieldVector vector(int col) {
        return vectors[col];
    }

    /** Seals the rows filled so far (value counts) before they are read. */
    void seal(int rows) {
        root.setRowCount(rows);
    }

    /** Bytes of string cells filled since the last reset: what the variable-width buffers hold. */
    long stringBytes() {
        return stringBytes;
    }

    /** Forgets all rows; the buffers stay allocated for the next batch. */
    void reset() {
        stringBytes = 0;
        for (FieldVector v : vectors) {
            v.reset();
        }
        root.setRowCount(0);
    }

    @Override
    public void close() {
        root.close();
    }
}
