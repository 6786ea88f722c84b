package dev.mapscribe.formats.journal;

/**
 * Where a journal stops being readable. Everything before {@code excerptIndex}/{@code offset} was delivered.
 * {@code excerptIndex} is Chronicle's index (cycle in the high bits, sequence in the low bits);
 * {@code ordinal} counts excerpts from the start of the journal (0-based).
 */
public record JournalDamage(long excerptIndex, long ordinal, long offset, String message) {
    public String describe() {
        return "journal damaged at excerpt " + ordinal + " (index 0x" + Long.toHexString(excerptIndex) + "), byte "
                + offset + ": " + message;
    }
}
