package dev.mapscribe.formats.journal;

/**
 * Where a journal stops being readable. Everything before {@code excerptIndex}/{@code offset} was delivered.
 * {@code excerptIndex} is Chronicle's index (cycle in the high bits, sequence in the low bits);
 * {@code ordinal} counts excerpts from the start of the journal (0-based). An index of -1: no excerpt was reached
 * (the cycle file could not be opened).
 */
public record JournalDamage(long excerptIndex, long ordinal, long offset, String message) {
    public String describe() {
        if (excerptIndex < 0) { // no excerpt was reached: the cycle file itself could not be opened
            return "journal damaged before excerpt " + ordinal + ": " + message;
        }
        return "journal damaged at excerpt " + ordinal + " (index 0x" + Long.toHexString(excerptIndex) + "), byte "
                + offset + ": " + message;
    }
}
