package dev.mapscribe.analyzer.state;

/**
 * The pages [start, end) of one region that a successful mprotect changed: what the kernel's mprotect hook
 * sees once per VMA (security_file_mprotect), and what a mem_prot_alert is derived from.
 *
 * @param before  the region as it was, clipped to [start, end); null when the map had nothing there
 *                (the recording missed something: the kernel would have refused an unmapped range)
 * @param newProt the protection requested and applied
 */
public record ProtChange(long start, long end, Region before, int newProt) {

    /** The previous protection, or {@link Prot#UNKNOWN}. */
    public int prevProt() {
        return before == null ? Prot.UNKNOWN : before.prot();
    }
}
