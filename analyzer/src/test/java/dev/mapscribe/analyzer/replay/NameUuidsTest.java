package dev.mapscribe.analyzer.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** NameUuids gives what UUID.nameUUIDFromBytes gives, name after name from one digest. */
class NameUuidsTest {
    private final NameUuids uuids = new NameUuids();

    @Property(tries = 500)
    void theSameAsTheJdksNameBasedUuid(@ForAll String name) {
        assertEquals(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString(), uuids.of(name));
    }
}
