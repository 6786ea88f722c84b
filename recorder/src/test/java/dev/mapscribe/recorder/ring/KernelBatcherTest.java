package dev.mapscribe.recorder.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KernelBatcherTest {
    /**
     * The warm-up's made-up records must decode and be offered like real ones: a malformed one would be
     * dropped silently by offerFile (a malformed kernel record still goes to the journal) and warm nothing.
     */
    @Test
    void theWarmUpOffersEachOfItsThreeRecordsEveryRound() {
        assertEquals(3 * 20, KernelBatcher.warmUp(20));
    }
}
