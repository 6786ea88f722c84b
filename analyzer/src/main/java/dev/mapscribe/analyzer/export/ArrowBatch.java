package dev.mapscribe.analyzer.export;

import dev.mapscribe.formats.tables.Column;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
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
 * time spent filling rows). String cells are written into the vector's buffers by {@link Utf8Cells};
 * list cells go through Arrow's {@code setSafe}. Strings and lists grow as needed.
 */
final class ArrowBatch implements AutoCloseable {
    private final List<Column> columns;
    private final VectorSchemaRoot root;
    private final FieldVector[] vectors;
    private final Utf8Cells[] utf8; // per column: the string cells' writer, null for other types
    /** Per column, the last {@link #RECENT} distinct String objects set and their UTF-8 bytes, in a ring. */
    private final String[][] recentStrings;
    private final byte[][][] recentBytes;
    private final int[] recentNext;
    private static final int RECENT = 4;
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
        this.utf8 = new Utf8Cells[vectors.length];
        for (int i = 0; i < vectors.length; i++) {
            if (vectors[i] instanceof VarCharVector v) {
                utf8[i] = new Utf8Cells(v);
            }
        }
        this.recentStrings = new String[vectors.length][RECENT];
        this.recentBytes = new byte[vectors.length][RECENT][];
        this.recentNext = new int[vectors.length];
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

    /** Clears a cell of the row being filled (the only row whose cells may be cleared). */
    void setNull(int col, int row) {
        if (utf8[col] != null) {
            utf8[col].clear(row);
        } else {
            vectors[col].setNull(row);
        }
    }

    void setBool(int col, int row, boolean v) {
        ((BitVector) vectors[col]).set(row, v ? 1 : 0);
    }

    void setInt(int col, int row, int v) {
        ((IntVector) vectors[col]).set(row, v);
    }

    // BigIntVector and TimeStampNanoVector alike: 8-byte cells and a validity bit (RowWriter checked the column's type).
    void setLong(int col, int row, long v) {
        BaseFixedWidthVector f = (BaseFixedWidthVector) vectors[col];
        BitVectorHelper.setBit(f.getValidityBuffer(), row);
        f.getDataBuffer().setLong((long) row * 8, v);
    }

    void setString(int col, int row, String v) {
        byte[] bytes = utf8Of(col, v);
        utf8[col].set(row, bytes);
        stringBytes += bytes.length;
    }

    /**
     * The UTF-8 bytes of {@code v}. Most string cells repeat a String object of a recent row: a process's comm, a
     * mapped file's path, and names that take turns (a storm's mmap, mprotect and munmap rows in turn): encode each
     * once, not once per row. Identity, not equality: comparing references costs nothing.
     */
    private byte[] utf8Of(int col, String v) {
        String[] recent = recentStrings[col];
        for (int i = 0; i < RECENT; i++) {
            if (recent[i] == v) {
                return recentBytes[col][i];
            }
        }
        byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
        int slot = recentNext[col];
        recent[slot] = v;
        recentBytes[col][slot] = bytes;
        recentNext[col] = (slot + 1) % RECENT;
        return bytes;
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
        for (Utf8Cells c : utf8) {
            if (c != null) {
                c.seal(rows);
            }
        }
        root.setRowCount(rows);
    }

    /** Bytes of string cells filled since the last reset: what the variable-width buffers hold. */
    long stringBytes() {
        return stringBytes;
    }

    /**
     * Forgets all rows; the buffers stay allocated for the next batch. Only the validity bits are zeroed (2 KiB a
     * column): Arrow's {@code reset()} zeroes every buffer whole, a string column's grown data buffer too, ~2.5 % of a
     * synthetic 10M-record analysis's CPU (perf, PERFORMANCE.md "Twenty-second session"). The rest need no zeroing: a
     * row's cells are written whole (a fixed-width cell's bytes, a bit of a boolean, a string cell's offset), and
     * a null cell's bytes are never read (its validity bit is 0). Offset 0 of a string column stays 0: no cell
     * writes it. List columns, which Arrow fills itself, get its own reset.
     */
    void reset() {
        stringBytes = 0;
        for (FieldVector v : vectors) {
            if (v instanceof ListVector) {
                v.reset();
                continue;
            }
            ArrowBuf validity = v.getValidityBuffer();
            validity.setZero(0, validity.capacity());
            v.setValueCount(0); // a string column's lastSet too (-1), so that its next seal fills no "holes"
        }
        for (Utf8Cells c : utf8) {
            if (c != null) {
                c.reset();
            }
        }
        root.setRowCount(0);
    }

    @Override
    public void close() {
        root.close();
    }

    /**
     * The string cells of one column, written straight into the vector's buffers in row order. Arrow's
     * {@code setSafe} does the same work with more checks per cell: its capacity loop, its hole filling and its
     * offset reads took a quarter of the row-filling thread (JFR, 10M-record analyze). Here the offsets of
     * skipped (null) rows are written as the next set cell passes them, and once more by {@link #seal}.
     *
     * <p>Invariant: {@code offsets[0..rows]} are written and {@code offsets[rows] == end}, the data bytes in use.
     */
    private static final class Utf8Cells {
        private static final long OFFSET = BaseVariableWidthVector.OFFSET_WIDTH;
        private final VarCharVector vector;
        private int rows;
        private int end;

        Utf8Cells(VarCharVector vector) {
            this.vector = vector;
        }

        void set(int row, byte[] bytes) {
            ArrowBuf offsets = vector.getOffsetBuffer();
            if (rows > row) {
                end = offsets.getInt((long) row * OFFSET); // set again in the same row: the last value wins
            }
            skipTo(row);
            long need = (long) end + bytes.length;
            while (vector.getDataBuffer().capacity() < need) {
                vector.reallocDataBuffer(); // doubles, keeping the bytes written so far
            }
            vector.getDataBuffer().setBytes(end, bytes, 0, bytes.length);
            BitVectorHelper.setBit(vector.getValidityBuffer(), row);
            end += bytes.length;
            offsets.setInt((long) (row + 1) * OFFSET, end);
            rows = row + 1;
        }

        /** Nulls the cell of {@code row}, the row being filled: forgets its bytes if it had any. */
        void clear(int row) {
            BitVectorHelper.unsetBit(vector.getValidityBuffer(), row);
            if (rows > row) {
                rows = row;
                end = vector.getOffsetBuffer().getInt((long) row * OFFSET);
            }
        }

        /** Writes the offsets of the trailing null rows, and tells the vector its rows are all set. */
        void seal(int count) {
            skipTo(count);
            rows = count;
            vector.setLastSet(count - 1); // or setValueCount would fill the "holes" again
        }

        /** Writes the offsets of the rows skipped since the last set cell, up to {@code row}: empty and null. */
        private void skipTo(int row) {
            ArrowBuf offsets = vector.getOffsetBuffer();
            for (int r = rows; r < row; r++) {
                offsets.setInt((long) (r + 1) * OFFSET, end);
            }
        }

        void reset() {
            rows = 0;
            end = 0; // offsets[0] == 0: zeroed at allocation, and no cell writes it
        }
    }
}
