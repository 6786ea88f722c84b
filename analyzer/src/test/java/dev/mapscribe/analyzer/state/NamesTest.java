package dev.mapscribe.analyzer.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class NamesTest {
    @Test
    void equalCopiesBecomeTheFirstObjectAndEveryNameStaysItself() {
        Names names = new Names();
        String first = new String("/usr/lib/x86_64-linux-gnu/libc.so.6");
        assertSame(first, names.of(first));
        assertSame(first, names.of(new String("/usr/lib/x86_64-linux-gnu/libc.so.6")), "an equal copy: the first object");
        assertNull(names.of(null));
        // Many more names than slots: each comes back equal to itself (a taken slot is replaced, never confused)
        for (int i = 0; i < 100_000; i++) {
            String s = "comm-" + i;
            assertEquals(s, names.of(s));
            assertEquals(s, names.of(new String(s)));
        }
    }
}
