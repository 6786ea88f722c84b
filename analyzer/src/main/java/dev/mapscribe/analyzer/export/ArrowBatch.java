package dev.mapscribe.analyzer.export;

import dev.mapscribe.formats.tables.Column;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
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
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One Arrow batch of a table's file columns: rows are filled in place, handed to the Parquet
 * writer when the batch is full, and the vectors are reset and reused for the next batch.
 *
 * <p>Fixed-width vectors are allocated for {@code capacity} rows up front and never grow, so their
 * cells are written with {@code set}, not {@code setSafe} (whose capacity checks were a sixth of the
 * time spent filling rows). List cells go through Arrow's {@code setSafe}.
 *
 * <p>String columns are dictionary-encoded, as Arrow encodes them ({@link DictionaryEncoding}): the column's
 * vector holds each row's index into the batch's dictionary of the column, a {@link VarCharVector} of its
 * distinct values in order of first appearance. Most string cells repeat a value of an earlier row (a process's
 * comm and exe, a mapped file's path, a call's name), so a row writes 4 bytes where it copied the value's bytes,
 * and the Parquet encoder, whose chunks are dictionary-encoded too, looks each distinct value up once per batch
 * instead of comparing and hashing every cell's bytes ({@code StringColumnEncoder.appendIndices}).
 */
final class ArrowBatch implements AutoCloseable {
    private final List<Column> columns;
    private final VectorSchemaRoot root;
    private final FieldVector[] vectors;
    private final long[] dataAddress; // per fixed-width column: where its data buffer starts (0 for others)
    private final long[] validityAddress; // and its validity buffer
    private final StringValues[] dictionaries; // per column: a string column's distinct values, null for other types
    private long stringBytes; // bytes of the dictionaries' values since the last reset
    private static final AtomicLong SERIALS = new AtomicLong();
    private long serial = SERIALS.incrementAndGet(); // which rows the batch holds: a new number at every reset

    private final int capacity;

    ArrowBatch(BufferAllocator allocator, List<Column> columns, int capacity) {
        this.capacity = capacity;
        this.columns = List.copyOf(columns);
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            fields.add(field(columns.get(i), i));
        }
        this.root = VectorSchemaRoot.create(new Schema(fields), allocator);
        this.vectors = root.getFieldVectors().toArray(new FieldVector[0]);
        this.dictionaries = new StringValues[vectors.length];
        for (int i = 0; i < vectors.length; i++) {
            if (fields.get(i).getDictionary() != null) {
                dictionaries[i] = new StringValues(allocator, columns.get(i).name());
            }
        }
        this.dataAddress = new long[vectors.length];
        this.validityAddress = new long[vectors.length];
        for (int i = 0; i < vectors.length; i++) {
            FieldVector v = vectors[i];
            v.setInitialCapacity(capacity);
            v.allocateNew();
            if (v instanceof BaseFixedWidthVector f) {
                // allocated for capacity rows here, never grown (no row past capacity is written), never freed
                // before close(): the buffers stay where they are
                dataAddress[i] = f.getDataBuffer().memoryAddress();
                validityAddress[i] = f.getValidityBuffer().memoryAddress();
            }
        }
    }

    /** Rows this batch holds at most (the caller hands it over before). */
    int capacity() {
        return capacity;
    }

    private static Field field(Column c, int position) {
        if (c.type() == dev.mapscribe.formats.tables.ColumnType.STRING) {
            // Arrow's form of a dictionary-encoded column: the field's vector holds 32-bit indices (signed, as
            // Arrow's default), the dictionary its values; the dictionary's id is the column's position.
            ArrowType.Int indices = new ArrowType.Int(32, true);
            return new Field(c.name(), new FieldType(c.nullable(), indices, new DictionaryEncoding(position, false, indices)), null);
        }
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
        vectors[col].setNull(row);
    }

    // The fixed-width setters write at the buffers' addresses (RowWriter checked the column's type and the row
    // against the capacity): the vectors' own setters reach the same bytes through the vector, its buffer and the
    // buffer's address, each a load, for every cell.

    void setBool(int col, int row, boolean v) {
        long bits = data(col) + (row >>> 3);
        byte b = MemoryUtil.getByte(bits);
        int bit = 1 << (row & 7);
        MemoryUtil.putByte(bits, (byte) (v ? b | bit : b & ~bit)); // the data bit written whole: reset() leaves it
        setValid(col, row);
    }

    void setInt(int col, int row, int v) {
        MemoryUtil.putInt(data(col) + row * 4L, v);
        setValid(col, row);
    }

    // BigIntVector and TimeStampNanoVector alike: 8-byte cells.
    void setLong(int col, int row, long v) {
        MemoryUtil.putLong(data(col) + row * 8L, v);
        setValid(col, row);
    }

    /** A fixed-width column's data address; an exception, not a write at address 0, for any other column. */
    private long data(int col) {
        long a = dataAddress[col];
        if (a == 0) {
            throw new IllegalStateException("column " + columns.get(col).name() + " has no fixed-width cells");
        }
        return a;
    }

    private void setValid(int col, int row) {
        long bits = validityAddress[col] + (row >>> 3);
        MemoryUtil.putByte(bits, (byte) (MemoryUtil.getByte(bits) | (1 << (row & 7))));
    }

    void setString(int col, int row, String v) {
        StringValues d = dictionaries[col];
        int before = d.bytes();
        int index = d.indexOf(v);
        stringBytes += d.bytes() - before;
        setInt(col, row, index);
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
        return dictionaries[col].vector().get(((IntVector) vectors[col]).get(row));
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

    /** The vector of a column, for the Parquet writer's column loops: a string column's holds indices into {@link #dictionary}. */
    FieldVector vector(int col) {
        return vectors[col];
    }

    /** A string column's dictionary (its values, in order of first appearance in the batch); null for other columns. */
    VarCharVector dictionary(int col) {
        return dictionaries[col] == null ? null : dictionaries[col].vector();
    }

    /**
     * Which rows the batch holds: a number no other filling of any batch had, so that an encoder can tell a batch's
     * dictionary from the one the same vectors held before.
     */
    long serial() {
        return serial;
    }

    /** Seals the rows filled so far (value counts) before they are read. */
    void seal(int rows) {
        for (StringValues d : dictionaries) {
            if (d != null) {
                d.seal();
            }
        }
        root.setRowCount(rows);
    }

    /** Bytes of the string columns' values since the last reset: what the dictionaries' buffers hold. */
    long stringBytes() {
        return stringBytes;
    }

    /**
     * Forgets all rows; the buffers stay allocated for the next batch. Only the validity bits are zeroed (2 KiB a
     * column): Arrow's {@code reset()} zeroes every buffer whole, a grown data buffer too, ~2.5 % of a synthetic
     * 10M-record analysis's CPU (perf, PERFORMANCE.md "Twenty-second session"). The rest need no zeroing: a row's
     * cells are written whole (a fixed-width cell's bytes, a bit of a boolean, a string cell's index), and a null
     * cell's bytes are never read (its validity bit is 0). List columns, which Arrow fills itself, get its own
     * reset; the dictionaries forget their values.
     */
    void reset() {
        stringBytes = 0;
        serial = SERIALS.incrementAndGet();
        for (FieldVector v : vectors) {
            if (v instanceof ListVector) {
                v.reset();
                continue;
            }
            ArrowBuf validity = v.getValidityBuffer();
            validity.setZero(0, validity.capacity());
            v.setValueCount(0);
        }
        for (StringValues d : dictionaries) {
            if (d != null) {
                d.reset();
            }
        }
        root.setRowCount(0);
    }

    @Override
    public void close() {
        for (StringValues d : dictionaries) {
            if (d != null) {
                d.vector().close();
            }
        }
        root.close();
    }

    /**
     * The dictionary of one string column in one batch: its distinct values in order of first appearance, as UTF-8
     * in a {@link VarCharVector} (written straight into its buffers: Arrow's {@code setSafe} checks capacity, fills
     * holes and reads offsets for every value), and a table from String to index. A value is looked up by the
     * String's own hash (which the String keeps once computed) and found by identity where the row handed in the
     * same object as an earlier row, as most do (a process's comm, a mapped file's path), by equality otherwise.
     *
     * <p>Invariant: values {@code [0, size)} are written, {@code offsets[size] == end}, and {@code keys} holds each
     * value's String at a slot reached from its hash, {@code indexAt} its index.
     */
    private static final class StringValues {
        private static final long OFFSET = BaseVariableWidthVector.OFFSET_WIDTH;
        private final VarCharVector vector;
        private String[] keys = new String[256]; // open addressing, a power of two, at most half full
        private int[] indexAt = new int[256];
        private int size;
        private int end; // data bytes in use

        StringValues(BufferAllocator allocator, String column) {
            this.vector = new VarCharVector(new Field(column, new FieldType(false, ArrowType.Utf8.INSTANCE, null), null), allocator);
            vector.allocateNew();
        }

        VarCharVector vector() {
            return vector;
        }

        int bytes() {
            return end;
        }

        /** The index of {@code v}, added if new. */
        int indexOf(String v) {
            int h = v.hashCode();
            int mask = keys.length - 1;
            for (int slot = (h ^ (h >>> 16)) & mask; ; slot = (slot + 1) & mask) {
                String k = keys[slot];
                if (k == null) {
                    return add(v, slot);
                }
                if (k == v || (k.hashCode() == h && k.equals(v))) {
                    return indexAt[slot];
                }
            }
        }

        private int add(String v, int slot) {
            byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
            int index = size++;
            while (vector.getValueCapacity() < size) {
                vector.reallocValidityAndOffsetBuffers(); // doubles, keeping what is written
            }
            while (vector.getDataBuffer().capacity() < (long) end + bytes.length) {
                vector.reallocDataBuffer();
            }
            vector.getDataBuffer().setBytes(end, bytes, 0, bytes.length);
            BitVectorHelper.setBit(vector.getValidityBuffer(), index);
            end += bytes.length;
            vector.getOffsetBuffer().setInt((index + 1) * OFFSET, end);
            keys[slot] = v;
            indexAt[slot] = index;
            if (size * 2 > keys.length) {
                rehash();
            }
            return index;
        }

        private void rehash() {
            String[] oldKeys = keys;
            int[] oldIndexAt = indexAt;
            keys = new String[oldKeys.length * 2];
            indexAt = new int[keys.length];
            int mask = keys.length - 1;
            for (int i = 0; i < oldKeys.length; i++) {
                String k = oldKeys[i];
                if (k != null) {
                    int h = k.hashCode();
                    int slot = (h ^ (h >>> 16)) & mask;
                    while (keys[slot] != null) {
                        slot = (slot + 1) & mask;
                    }
                    keys[slot] = k;
                    indexAt[slot] = oldIndexAt[i];
                }
            }
        }

        /** Tells the vector its values are all set. */
        void seal() {
            vector.setLastSet(size - 1); // or setValueCount would fill "holes"
            vector.setValueCount(size);
        }

        void reset() {
            java.util.Arrays.fill(keys, null);
            vector.getValidityBuffer().setZero(0, vector.getValidityBuffer().capacity());
            vector.setValueCount(0);
            size = 0;
            end = 0; // offsets[0] == 0: zeroed at allocation, and no value writes it
        }
    }
}
