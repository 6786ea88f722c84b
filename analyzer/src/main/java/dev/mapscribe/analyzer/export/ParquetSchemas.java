package dev.mapscribe.analyzer.export;

import dev.mapscribe.formats.tables.Column;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/** A {@link TableSchema} as the Parquet schema of its files (the partition column stays out). */
final class ParquetSchemas {
    private ParquetSchemas() {}

    /** The columns stored in the files, in file order: every column but the partition column. */
    static List<Column> fileColumns(TableSchema table) {
        List<Column> out = new ArrayList<>();
        for (Column c : table.columns()) {
            if (!c.name().equals(Tables.PARTITION_COLUMN)) {
                out.add(c);
            }
        }
        return out;
    }

    static MessageType messageType(TableSchema table) {
        List<Type> fields = new ArrayList<>();
        for (Column c : fileColumns(table)) {
            fields.add(field(c));
        }
        return new MessageType("mapscribe_" + table.name(), fields);
    }

    private static Type field(Column c) {
        Repetition rep = c.nullable() ? Repetition.OPTIONAL : Repetition.REQUIRED;
        return switch (c.type()) {
            case BOOL -> Types.primitive(PrimitiveTypeName.BOOLEAN, rep).named(c.name());
            case INT32 -> Types.primitive(PrimitiveTypeName.INT32, rep).named(c.name());
            case INT64 -> Types.primitive(PrimitiveTypeName.INT64, rep).named(c.name());
            case STRING -> Types.primitive(PrimitiveTypeName.BINARY, rep).as(LogicalTypeAnnotation.stringType()).named(c.name());
            // isAdjustedToUTC=false: DuckDB reads it as TIMESTAMP_NS and keeps the nanoseconds (an
            // adjusted-to-UTC column becomes TIMESTAMPTZ, which has microseconds only). The values are UTC.
            case TIMESTAMP_NS -> Types.primitive(PrimitiveTypeName.INT64, rep)
                    .as(LogicalTypeAnnotation.timestampType(false, LogicalTypeAnnotation.TimeUnit.NANOS)).named(c.name());
            // The standard three-level list: <name> (LIST) { repeated group list { required element } }.
            case LIST_STRING -> Types.list(rep)
                    .element(Types.primitive(PrimitiveTypeName.BINARY, Repetition.REQUIRED).as(LogicalTypeAnnotation.stringType()).named("element"))
                    .named(c.name());
        };
    }
}
