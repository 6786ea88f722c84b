package dev.mapscribe.analyzer.export.parquet;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;

/**
 * A nullable list of strings (the standard three-level list, elements required). Each element is a
 * level entry: repetition 0 starts a row, 1 continues its list; definition {@code max} is an
 * element, {@code max - 1} an empty list, {@code max - 2} a null list.
 */
final class StringListColumnEncoder extends StringColumnEncoder {
    private final int present;

    StringListColumnEncoder(ColumnDescriptor column, BytesInputCompressor compressor) {
        super(column, compressor);
        this.present = column.getMaxDefinitionLevel();
    }

    @Override
    public void append(FieldVector vector, int from, int to) {
        ListVector v = (ListVector) vector;
        VarCharVector elements = (VarCharVector) v.getDataVector();
        ArrowBuf offsets = elements.getOffsetBuffer();
        ArrowBuf bytes = elements.getDataBuffer();
        for (int r = from; r < to; r++) {
            int first = v.isNull(r) ? 0 : v.getElementStartIndex(r);
            int end = v.isNull(r) ? 0 : v.getElementEndIndex(r);
            if (first == end) {
                repetitionLevels.add(0);
                definitionLevels.add(v.isNull(r) ? present - 2 : present - 1);
                pageNulls++;
                pageValues++;
                continue;
            }
            for (int i = first; i < end; i++) {
                repetitionLevels.add(i == first ? 0 : 1);
                definitionLevels.add(present);
                addValue(readValue(offsets, bytes, i));
                pageValues++;
            }
        }
        pageRows += to - from;
    }
}
