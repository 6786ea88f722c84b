package dev.mapscribe.formats.raw;

/** A record whose bytes do not match any layout: damaged or from a newer format. The message names the problem. */
public final class RecordFormatException extends RuntimeException {
    public RecordFormatException(String message) {
        super(message);
    }
}
