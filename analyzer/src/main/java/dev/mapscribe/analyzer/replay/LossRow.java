package dev.mapscribe.analyzer.replay;

/**
 * A gap in the recording: {@code count} records lost between firstNs and lastNs (null when unknown).
 *
 * @param source  {@code ringbuf} (one CPU could not reserve ring-buffer space: cpu says which), {@code max_disk}
 *                (the journal refused kernel batches at --max-disk), {@code disk_full} (it refused them because its
 *                file system was nearly full), {@code recursion} (runs of the recorder's programs the kernel skipped
 *                because the program was already running on that CPU: at most that many records), {@code refused}
 *                (refused for a reason this analyzer does not know:
 *                a newer recorder), {@code journal_rolled} (the recorder deleted the oldest cycle files at --max-disk),
 *                {@code compat} (syscalls made in 32-bit mode, by a 32-bit process or with int 0x80, whose numbers
 *                the recorder watches in 64-bit mode: left out, not lost, as they mean other calls there)
 * @param message what happened, in words; null for the per-CPU kinds
 */
public record LossRow(String host, long tsNs, long utcNs, String source, Integer cpu, Long count, long firstNs, long lastNs,
                      String message) {
    public static final String RINGBUF = "ringbuf", MAX_DISK = "max_disk", DISK_FULL = "disk_full", REFUSED = "refused",
            RECURSION = "recursion", JOURNAL_ROLLED = "journal_rolled", COMPAT = "compat", ORDER = "order";
}
