package dev.mapscribe.analyzer.export;

import dev.mapscribe.formats.tables.ColumnType;
import dev.mapscribe.formats.tables.TableSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Fills one row of a {@link TableWriter}. Columns are addressed by their position in the
 * {@link TableSchema} ({@code schema.col("pid")}, looked up once). Every setter checks the column's
 * type; {@link #end()} turns unset nullable columns into nulls and refuses a row that leaves a
 * required column unset. One instance per writer, reused for every row.
 */
public final class RowWriter implements RowView {
    private final TableWriter owner;
    private ArrowBatch batch; // switches between the writer's batches
    private final TableSchema table;
    private final int[] fileIndexOf;
    private final boolean[] set;
    private final ColumnType[] types;
    private final boolean[] nullable;
    private final int[] required; // the file columns a row must set
    private int row = -1;

    RowWriter(TableWriter owner, ArrowBatch batch, TableSchema table, int[] fileIndexOf) {
        this.owner = owner;
        this.batch = batch;
        this.table = table;
        this.fileIndexOf = fileIndexOf;
        this.set = new boolean[table.size()];
        this.types = new ColumnType[table.size()];
        this.nullable = new boolean[table.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = table.column(i).type();
            nullable[i] = table.column(i).nullable();
        }
        this.required = IntStream.range(0, table.size())
                .filter(i -> fileIndexOf[i] >= 0 && !nullable[i]).toArray();
    }

    /** The batch the next rows go into. */
    void fill(ArrowBatch next) {
        this.batch = next;
    }

    void begin(int batchRow) {
        if (row >= 0) {
            throw new IllegalStateException("the previous row of " + table.name() + " was not ended");
        }
        if (batchRow >= batch.capacity()) {
            // ArrowBatch writes fixed-width cells without bounds checks: never past its capacity
            throw new IllegalStateException("row " + batchRow + " past the batch's " + batch.capacity() + " rows");
        }
        row = batchRow;
        Arrays.fill(set, false);
    }

    boolean open() {
        return row >= 0;
    }

    /** The file column for a value of {@code kind} into table column {@code col}; checks the row is open and the type fits. */
    private int target(int col, ColumnType kind) {
        if (row < 0) {
            throw new IllegalStateException("call row() before setting values of " + table.name());
        }
        int f = fileIndexOf[col];
        if (f < 0) {
            throw new IllegalArgumentException("column host of " + table.name() + " is the partition: it is given when the writer is opened");
        }
        ColumnType t = types[col];
        // setLong serves INT64 and TIMESTAMP_NS; setInt serves INT32 and INT64 (widened).
        boolean fits = t == kind || (kind == ColumnType.INT64 && t == ColumnType.TIMESTAMP_NS) || (kind == ColumnType.INT32 && t == ColumnType.INT64);
        if (!fits) {
            throw new IllegalArgumentException("column " + table.name() + "." + table.column(col).name() + " is " + t + ", not " + kind);
        }
        set[col] = true;
        return f;
    }

    public RowWriter setBool(int col, boolean v) {
        batch.setBool(target(col, ColumnType.BOOL), row, v);
        return this;
    }

    public RowWriter setInt(int col, int v) {
        int f = target(col, ColumnType.INT32);
        if (types[col] == ColumnType.INT32) {
            batch.setInt(f, row, v);
        } else {
            batch.setLong(f, row, v);
        }
        return this;
    }

    /** {@link #setBool}, or null when {@code v} is null. */
    public RowWriter setBoolOrNull(int col, Boolean v) {
        return v == null ? setNull(col) : setBool(col, v);
    }

    /** {@link #setInt}, or null when {@code v} is null. */
    public RowWriter setIntOrNull(int col, Integer v) {
        return v == null ? setNull(col) : setInt(col, v);
    }

    /** {@link #setLong}, or null when {@code v} is null. */
    public RowWriter setLongOrNull(int col, Long v) {
        return v == null ? setNull(col) : setLong(col, v);
    }

    /** INT64 columns, and TIMESTAMP_NS columns as UTC nanoseconds since the epoch. */
    public RowWriter setLong(int col, long v) {
        batch.setLong(target(col, ColumnType.INT64), row, v);
        return this;
    }

    /** A null {@code v} sets null (the column must be nullable). */
    public RowWriter setString(int col, String v) {
        if (v == null) {
            return setNull(col);
        }
        batch.setString(target(col, ColumnType.STRING), row, v);
        return this;
    }

    /** A null {@code v} sets null; elements must not be null. */
    public RowWriter setStrings(int col, List<String> v) {
        if (v == null) {
            return setNull(col);
        }
        batch.setStrings(target(col, ColumnType.LIST_STRING), row, v);
        return this;
    }

    public RowWriter setNull(int col) {
        if (!nullable[col]) {
            throw new IllegalArgumentException("column " + table.name() + "." + table.column(col).name() + " cannot be null");
        }
        boolean wasSet = set[col];
        int f = target(col, types[col]);
        // A cell starts null (validity bits are clear in a new or reset batch, and ArrowBatch fills the offsets of
        // skipped string cells): only a value set earlier in this row needs clearing. Lists keep their
        // explicit null, their offsets are not filled for skipped cells.
        if (wasSet || types[col] == ColumnType.LIST_STRING) {
            batch.setNull(f, row);
        }
        return this;
    }

    /** Completes the row: unset nullable columns become null. A row missing a required column is dropped and refused. */
    public void end() {
        if (row < 0) {
            throw new IllegalStateException("end() without row() on " + table.name());
        }
        // An unset nullable column is already null: a batch starts with every validity bit clear
        // (allocated or reset), and a dropped row's slot is cleared below.
        for (int col : required) {
            if (!set[col]) {
                for (int f : fileIndexOf) {
                    if (f >= 0) {
                        batch.setNull(f, row); // the row is dropped: its slot is reused by the next row
                    }
                }
                row = -1;
                throw new IllegalStateException("row of " + table.name() + " ended without required column " + table.column(col).name());
            }
        }
        try {
            owner.rowEnded(this);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + table.name() + ": " + e.getMessage(), e);
        } finally {
            row = -1;
        }
    }

    // RowView: the sinks read the row being ended.

    @Override
    public TableSchema schema() {
        return table;
    }

    @Override
    public boolean isNull(int col) {
        return fileIndexOf[col] >= 0 && batch.isNull(fileIndexOf[col], row);
    }

    @Override
    public boolean getBool(int col) {
        return batch.getBool(fileIndexOf[col], row);
    }

    @Override
    public int getInt(int col) {
        return batch.getInt(fileIndexOf[col], row);
    }

    @Override
    public long getLong(int col) {
        return batch.getLong(fileIndexOf[col], row);
    }

    @Override
    public String getString(int col) {
        return fileIndexOf[col] < 0 ? owner.host() : batch.getString(fileIndexOf[col], row);
    }

    @Override
    public List<String> getStrings(int col) {
        return batch.getStrings(fileIndexOf[col], row);
    }
}
