package dev.mapscribe.analyzer.state;

/**
 * What all region maps of one replay share: the counter that numbers region versions, the listener that
 * receives every closed version, and counts of the cases the recording could not decide.
 */
public final class RegionHistory {

    /** Receives each version of a region when it stops being valid. */
    @FunctionalInterface
    public interface Listener {
        void closed(RegionMap map, Region version, long validToNs);
    }

    private final Listener listener;
    private long lastVersion;
    private long inconsistencies;
    private long uncertainties;
    private long impossible;

    public RegionHistory(Listener listener) {
        this.listener = listener;
    }

    long nextVersion() {
        return ++lastVersion;
    }

    void closed(RegionMap map, Region version, long nowNs) {
        // Records of one address space come from several CPUs; a version never ends before it began.
        listener.closed(map, version, Math.max(nowNs, version.validFromNs()));
    }

    /** A call the kernel accepted on pages the map says are unmapped: something happened that was not recorded. */
    void noteInconsistency() {
        inconsistencies++;
    }

    /** A failed call that may have changed part of its range: those pages' protection is now unknown. */
    void noteUncertainty() {
        uncertainties++;
    }

    /**
     * A record that says the kernel did what it cannot do (a successful call on a range that is not page-aligned,
     * empty, wrapping around or above user space): a damaged or forged journal. The state ignores it.
     */
    void noteImpossible() {
        impossible++;
    }

    public long impossible() {
        return impossible;
    }

    public long inconsistencies() {
        return inconsistencies;
    }

    public long uncertainties() {
        return uncertainties;
    }
}
