package dev.mapscribe.formats.journal;

/** What a read delivered; {@code damage} is null when the whole journal was read cleanly. */
public record ReadResult(long excerpts, long records, JournalDamage damage) {
    public boolean clean() {
        return damage == null;
    }
}
