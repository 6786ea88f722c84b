package dev.mapscribe.formats.raw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.mapscribe.formats.raw.KernelRecord.MmapRecord;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Names that are not UTF-8 stay distinct and readable: each byte outside valid UTF-8 becomes \xNN. */
class Utf8TextTest {
    private static String decode(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) bytes[i];
        return Utf8Text.decode(b);
    }

    @Test
    void validUtf8IsDecodedAsItIs() {
        assertEquals("/usr/lib/libc.so.6", Utf8Text.decode("/usr/lib/libc.so.6".getBytes(StandardCharsets.UTF_8)));
        assertEquals("/tmp/é€😀", Utf8Text.decode("/tmp/é€😀".getBytes(StandardCharsets.UTF_8)));
        assertEquals("a\uFFFDb", Utf8Text.decode("a\uFFFDb".getBytes(StandardCharsets.UTF_8)), "a real U+FFFD in a name stays");
    }

    @Test
    void bytesOutsideUtf8BecomeHexEscapes() {
        assertEquals("lib\\xff.so", decode('l', 'i', 'b', 0xff, '.', 's', 'o'));
        assertNotEquals(decode('a', 0xff), decode('a', 0xfe)); // the JDK's decoder makes both "a\uFFFD"
        assertEquals("\\xc0\\x80", decode(0xc0, 0x80), "an overlong NUL");
        assertEquals("\\xed\\xa0\\x80x", decode(0xed, 0xa0, 0x80, 'x'), "an encoded surrogate");
        assertEquals("é\\xc3", decode(0xc3, 0xa9, 0xc3), "a sequence cut at the end");
        assertEquals("\\xe2\\x82é", decode(0xe2, 0x82, 0xc3, 0xa9), "a sequence cut by the next character");
    }

    @Property(tries = 2000)
    void anyNameComesBackToItsBytes(@ForAll byte[] name) {
        // except one that holds the text \xNN itself (Utf8Text's comment): left out here
        String s = new String(name, StandardCharsets.ISO_8859_1);
        net.jqwik.api.Assume.that(!s.matches("(?s).*\\\\x[0-9a-fA-F]{2}.*"));
        assertArrayEquals(name, Utf8Text.encode(Utf8Text.decode(name)));
    }

    @Test
    void aRecordedPathThatIsNotUtf8KeepsItsBytesDistinct() {
        RawRecords rec = new RawRecords(512).mmapFile(1, 10, 10, 0, 4096, 5, 2, 3, 0, 0x7f0000000000L, 77, 1, "/tmp/lib?.so");
        MemorySegment s = rec.buffer();
        byte[] all = s.asSlice(0, rec.length()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        int q = new String(all, StandardCharsets.ISO_8859_1).indexOf("lib?.so") + 3;
        s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, q, (byte) 0xff); // the name's byte as the kernel would copy it
        MmapRecord m = (MmapRecord) RecordDecoder.decodeKernel(s, 0, rec.length());
        assertEquals("/tmp/lib\\xff.so", m.file().path());
    }
}
