package dev.mapscribe.formats.journal;

/**
 * What a read delivered; {@code damage} is null when the whole journal was read cleanly. {@code unchecked}: excerpts
 * read without checksums (written before them), in which damage inside a record cannot be seen.
 */
public record ReadResult(long excerpts, long records, long unchecked, JournalDamage damage) {
    public boolean clean() {
        return damage == null;
    }
}
