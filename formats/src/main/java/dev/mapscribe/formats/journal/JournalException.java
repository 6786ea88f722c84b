package dev.mapscribe.formats.journal;

import java.io.IOException;

/** A journal that cannot be opened or written; the message is one line a user can act on. */
public final class JournalException extends IOException {
    public JournalException(String message) {
        super(message);
    }

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
