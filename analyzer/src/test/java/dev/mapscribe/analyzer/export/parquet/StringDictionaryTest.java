package dev.mapscribe.analyzer.export.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StringDictionaryTest {
    private static int id(StringDictionary d, String s) {
        byte[] b = ("xx" + s).getBytes(StandardCharsets.UTF_8);
        return d.idOf(b, 2, b.length - 2); // an offset into the array, as the encoders pass it
    }

    @Test
    void stringsAreNumberedInOrderOfFirstAppearanceAcrossRehashes() {
        StringDictionary d = new StringDictionary();
        for (int i = 0; i < 5000; i++) {
            assertEquals(i, id(d, "/usr/lib/libx-" + i + ".so"));
            assertEquals(i / 2, id(d, "/usr/lib/libx-" + (i / 2) + ".so"));
        }
        assertEquals(5000, d.size());
        assertEquals(0, id(d, "/usr/lib/libx-0.so"));
        assertEquals(5000, id(d, ""));
        assertEquals(5000, id(d, ""));
    }

    @Test
    void theDictionaryPageIsEachEntryPlainInNumberOrder() {
        StringDictionary d = new StringDictionary();
        id(d, "ab");
        id(d, "");
        id(d, "ü");
        id(d, "ab");
        ByteSink out = new ByteSink(4);
        d.writePlain(out);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(new byte[] {2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0, 2, 0, 0, 0, (byte) 0xC3, (byte) 0xBC});
        assertArrayEquals(expected.toByteArray(), out.toByteArray());
        assertEquals(out.size(), d.plainBytes());
        d.reset();
        assertEquals(0, d.size());
        assertEquals(0, id(d, "ü"));
    }
}
