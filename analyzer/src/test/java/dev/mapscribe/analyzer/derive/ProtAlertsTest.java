package dev.mapscribe.analyzer.derive;

import static dev.mapscribe.analyzer.derive.ProtAlerts.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.mapscribe.analyzer.state.Prot;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtAlertsTest {
    static final int R = 1, W = 2, X = 4;

    @Test
    void theFourAlertStringsAreTraceesExactly() {
        assertEquals("Mmaped region with W+E permissions!", MMAP_W_X);
        assertEquals("Protection changed to Executable!", MPROT_X_ADD);
        assertEquals("Protection changed from E to W+E!", MPROT_W_ADD);
        assertEquals("Protection changed from W+E to E!", MPROT_W_REM);
    }

    @Test
    void mprotectRulesOnTypicalFlips() {
        assertEquals(MPROT_X_ADD, forMprotect(R | W, R | X));
        assertEquals(MPROT_X_ADD, forMprotect(R | W, R | W | X));
        assertEquals(MPROT_X_ADD, forMprotect(0, X));
        assertEquals(MPROT_W_ADD, forMprotect(R | X, R | W | X));
        assertEquals(MPROT_W_ADD, forMprotect(X, W | X));
        assertEquals(MPROT_W_REM, forMprotect(R | W | X, R | X));
        assertEquals(MPROT_W_REM, forMprotect(W | X, X));
        assertNull(forMprotect(R | X, R | X));
        assertNull(forMprotect(R | W | X, R | W | X));
        assertNull(forMprotect(R | X, R | W));
        assertNull(forMprotect(R | W | X, R));
        assertNull(forMprotect(0, R | W));
    }

    @Test
    void overAllSixtyFourPairsTheRulesFireTwentyFourTimes() {
        Map<String, Integer> counts = new HashMap<>();
        for (int prev = 0; prev < 8; prev++) {
            for (int req = 0; req < 8; req++) {
                String a = forMprotect(prev, req);
                if (a != null) {
                    counts.merge(a, 1, Integer::sum);
                }
            }
        }
        // X added: 4 previous without X times 4 requests with X; W added to X: {--x, r-x} x {-wx, rwx}; W removed: the reverse.
        assertEquals(Map.of(MPROT_X_ADD, 16, MPROT_W_ADD, 4, MPROT_W_REM, 4), counts);
    }

    @Test
    void anUnknownPreviousProtectionAlertsOnlyWhenTheRegionBecomesExecutable() {
        assertEquals(MPROT_X_ADD, forMprotect(Prot.UNKNOWN, R | X));
        assertEquals(MPROT_X_ADD, forMprotect(Prot.UNKNOWN, R | W | X));
        assertNull(forMprotect(Prot.UNKNOWN, R | W));
    }

    @Test
    void mmapAlertsOnWriteAndExecuteTogetherOnly() {
        assertEquals(MMAP_W_X, forMmap(R | W | X));
        assertEquals(MMAP_W_X, forMmap(W | X));
        assertNull(forMmap(R | X));
        assertNull(forMmap(R | W));
    }
}
