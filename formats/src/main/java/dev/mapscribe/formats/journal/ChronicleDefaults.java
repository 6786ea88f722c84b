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
     * ms. A writer or reader holds that lock for microseconds; a garbled listing is never unlocked, and Chronicle's
     * default (10 s) kept a read of such a journal waiting that long for its one-line error.
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
