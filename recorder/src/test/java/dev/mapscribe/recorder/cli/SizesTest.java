package dev.mapscribe.recorder.cli;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SizesTest {
    @Test
    void durationsInEverySpelling() {
        assertEquals(Duration.ofMillis(250), Sizes.duration("--duration", "250ms"));
        assertEquals(Duration.ofSeconds(30), Sizes.duration("--duration", "30s"));
        assertEquals(Duration.ofSeconds(30), Sizes.duration("--duration", "30"));
        assertEquals(Duration.ofMinutes(5), Sizes.duration("--duration", "5m"));
        assertEquals(Duration.ofHours(1), Sizes.duration("--duration", " 1H "));
    }

    @Test
    void aDurationTooLongToWaitForIsAUsageErrorBeforeRecording() {
        // 1e17 s fits a Duration but not Duration.toMillis(), which the recorder's join would call mid-recording.
        Cli.UserError e = assertThrows(Cli.UserError.class, () -> Sizes.duration("--duration", "100000000000000000s"));
        assertEquals("--duration must be a duration such as 30s, 5m or 1h, not '100000000000000000s'", e.getMessage());
        assertThrows(Cli.UserError.class, () -> Sizes.duration("--duration", "0s"));
        assertThrows(Cli.UserError.class, () -> Sizes.duration("--duration", ""));
        assertThrows(Cli.UserError.class, () -> Sizes.duration("--duration", "5x"));
    }

    @Test
    void sizesArePowersOf1024() {
        assertEquals(64L << 20, Sizes.bytes("--ring", "64M"));
        assertEquals(4L << 30, Sizes.bytes("--max-disk", "4gb"));
        assertEquals(4096, Sizes.bytes("--ring", "4096"));
        assertEquals("--ring must be a size such as 64M or 4G, not '-1M'",
                assertThrows(Cli.UserError.class, () -> Sizes.bytes("--ring", "-1M")).getMessage());
        assertThrows(Cli.UserError.class, () -> Sizes.bytes("--ring", "9999999T"));
    }
}
