package dev.mapscribe.formats.raw;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Text the kernel hands over as bytes (paths, comm, argv): Linux names are any bytes but '/' and NUL, and an attacker
 * may pick ones that are not UTF-8. Decoding them the JDK's way turns every such byte into U+FFFD, so that
 * {@code lib\xff.so} and {@code lib\xfe.so} export as the same name. Here each byte that is not part of valid UTF-8
 * becomes the four characters {@code \xNN} instead: distinct names stay distinct and the bytes can be read back.
 * (A name that contains the text {@code \xNN} itself reads the same; the journal keeps the exact bytes.)
 */
public final class Utf8Text {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Utf8Text() {}

    /**
     * The bytes a decoded name stands for: its UTF-8, with each {@code \xNN} turned back into the byte NN. For a name
     * that holds the text {@code \xNN} itself this gives other bytes: use it only where the result is checked (a file
     * opened by it is checked to be the recorded one), or as a second try.
     */
    public static byte[] encode(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(utf8.length);
        for (int i = 0; i < utf8.length; i++) {
            int hi, lo;
            if (utf8[i] == '\\' && i + 3 < utf8.length && utf8[i + 1] == 'x'
                    && (hi = Character.digit(utf8[i + 2], 16)) >= 0 && (lo = Character.digit(utf8[i + 3], 16)) >= 0) {
                out.write(hi << 4 | lo);
                i += 3;
            } else {
                out.write(utf8[i]);
            }
        }
        return out.toByteArray();
    }

    public static String decode(byte[] b) {
        return decode(b, 0, b.length);
    }

    public static String decode(byte[] b, int off, int len) {
        String s = new String(b, off, len, StandardCharsets.UTF_8);
        if (s.indexOf('\uFFFD') < 0) {
            return s; // valid UTF-8: the common case, at the JDK's speed
        }
        // Some bytes are not UTF-8 (or the name holds a real U+FFFD, which the strict decode below keeps).
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, off, len);
        CharBuffer chars = CharBuffer.allocate(len); // UTF-8 never decodes to more chars than it has bytes
        StringBuilder out = new StringBuilder(len + 16);
        while (true) {
            CoderResult r = d.decode(in, chars, true);
            out.append(chars.flip());
            chars.clear();
            if (r.isError()) {
                for (int i = 0; i < r.length(); i++) {
                    int v = in.get() & 0xff;
                    out.append('\\').append('x').append(HEX[v >> 4]).append(HEX[v & 15]);
                }
            } else if (r.isUnderflow()) {
                d.flush(chars);
                out.append(chars.flip());
                return out.toString();
            }
        }
    }
}
