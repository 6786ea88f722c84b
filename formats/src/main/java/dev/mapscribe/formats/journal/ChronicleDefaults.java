package dev.mapscribe.formats.journal;

/**
 * Chronicle settings that are JVM-wide system properties, read once when a Chronicle class loads: set here (unless
 * the user set them), from the static initializers of {@link JournalReader} and {@link JournalWriter}, so that
 * they hold before either builds a queue, however mapscribe is started.
 */
final class ChronicleDefaults {
    private ChronicleDefaults() {}

    /**
     * How long Chronicle tries to lock its listing of the cycle files ({@code metadata.cq4t}) before it gives up, in
     * ms. Chronicle takes that lock to add a value to its listing the first time (TableStore's contract), which a
     * writer does as it creates the journal and a reader of a sound journal never needs; it holds it for
     * microseconds. A garbled listing lacks its values, so a reader tries to claim the lock and never gets it, and
     * Chronicle's default (10 s) kept a read of such a journal waiting that long for its one-line error.
     */
    static final long LISTING_LOCK_TIMEOUT_MS = 2_000;
    private static final String LISTING_LOCK_TIMEOUT = "chronicle.table.store.timeoutMS";

    static {
        if (System.getProperty(LISTING_LOCK_TIMEOUT) == null) {
            System.setProperty(LISTING_LOCK_TIMEOUT, Long.toString(LISTING_LOCK_TIMEOUT_MS));
        }
    }

    /** Does nothing but make sure the class, and so the settings above, are loaded. */
    static void apply() {}
}
