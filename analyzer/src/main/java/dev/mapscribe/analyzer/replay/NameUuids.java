package dev.mapscribe.analyzer.replay;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Name-based UUIDs (RFC 4122 version 3: MD5 of the name), the same as {@link UUID#nameUUIDFromBytes} gives, from one
 * MD5 instance: nameUUIDFromBytes looks the algorithm up in the security providers on every call, and an analysis
 * makes one per mmap_exec row (half a million in the synthetic 10M-record journal: its provider look-ups were a
 * percent of the replay's thread, and kept the class loader's look-up hot enough for C2). One thread's: not shared.
 */
final class NameUuids {
    private final MessageDigest md5;

    NameUuids() {
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    /** The version-3 UUID of {@code name}'s UTF-8 bytes, in its canonical text form. */
    String of(String name) {
        byte[] h = md5.digest(name.getBytes(StandardCharsets.UTF_8));
        h[6] = (byte) (h[6] & 0x0f | 0x30); // version 3
        h[8] = (byte) (h[8] & 0x3f | 0x80); // the IETF variant
        ByteBuffer b = ByteBuffer.wrap(h);
        return new UUID(b.getLong(), b.getLong()).toString();
    }
}
