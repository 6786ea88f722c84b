package dev.mapscribe.recorder.enrich;

import dev.mapscribe.recorder.sys.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.BooleanSupplier;

/**
 * md5, sha1, sha256 and sha512 of a file in ONE pass: each 1 MiB chunk is read once (pread into a reusable
 * native buffer, copied once to a reusable heap array) and fed to the four digests.
 *
 * <p>Owned by one thread (the enricher's worker).
 */
final class FileHasher implements AutoCloseable {
    static final int CHUNK = 1 << 20;

    /** The four digests in lowercase hex and how many bytes they cover. */
    record Digests(long bytes, String md5, String sha1, String sha256, String sha512) {
    }

    /** The file grew past the cap while it was read. */
    static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment chunk = arena.allocate(CHUNK, 4096);
    private final byte[] heap = new byte[CHUNK];
    private final MessageDigest md5 = digest("MD5");
    private final MessageDigest sha1 = digest("SHA-1");
    private final MessageDigest sha256 = digest("SHA-256");
    private final MessageDigest sha512 = digest("SHA-512");

    private static MessageDigest digest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + name, e); // every JDK must provide all four
        }
    }

    /**
     * Hashes {@code fd} from offset 0 to its end (pread: the descriptor's offset is untouched). Stops with
     * TooLargeException past {@code capBytes}, and with an IOException when {@code stop} turns true.
     */
    Digests hash(Libc libc, int fd, long capBytes, BooleanSupplier stop) throws IOException {
        md5.reset();
        sha1.reset();
        sha256.reset();
        sha512.reset();
        long offset = 0;
        while (true) {
            long n = libc.pread(fd, chunk, CHUNK, offset);
            if (n == 0) {
                break;
            }
            offset += n;
            if (offset > capBytes) {
                throw new TooLargeException("grew above the " + capBytes + "-byte cap while being read: not hashed");
            }
            int len = (int) n;
            MemorySegment.copy(chunk, ValueLayout.JAVA_BYTE, 0, heap, 0, len);
            md5.update(heap, 0, len);
            sha1.update(heap, 0, len);
            sha256.update(heap, 0, len);
            sha512.update(heap, 0, len);
            if (stop.getAsBoolean()) {
                throw new IOException("stopped after " + offset + " bytes: the enricher is closing");
            }
        }
        HexFormat hex = HexFormat.of();
        return new Digests(offset, hex.formatHex(md5.digest()), hex.formatHex(sha1.digest()),
                hex.formatHex(sha256.digest()), hex.formatHex(sha512.digest()));
    }

    @Override
    public void close() {
        arena.close();
    }
}
