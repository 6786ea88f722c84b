package dev.mapscribe.recorder.enrich;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibMagicTest {
    @Test
    void describesABufferLikeFileDoes() throws Exception {
        assertNull(LibMagic.unavailableReason(), "libmagic1 is installed on these machines");
        byte[] script = "#!/bin/sh\necho hello\n".getBytes(StandardCharsets.US_ASCII);
        try (LibMagic magic = LibMagic.open(); Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(script.length);
            data.copyFrom(MemorySegment.ofArray(script));
            assertEquals(fileBrief("#!/bin/sh\necho hello\n"), magic.describe(data, script.length));
        }
    }

    @Test
    void aBadDescriptorIsAnIOExceptionWithLibmagicsReason() throws Exception {
        try (LibMagic magic = LibMagic.open()) {
            int closed = Integer.MAX_VALUE; // above any RLIMIT_NOFILE: never an open descriptor
            IOException e = assertThrows(IOException.class, () -> magic.describe(closed));
            assertEquals("magic_descriptor(fd " + closed + ") failed: cannot read fd " + closed + " (Bad file descriptor)",
                    e.getMessage());
            assertThrows(IOException.class, () -> magic.describe(-1));
        }
    }

    @Test
    void aClosedCookieIsRefused() throws Exception {
        LibMagic magic = LibMagic.open();
        magic.close();
        magic.close(); // idempotent
        IOException e = assertThrows(IOException.class, () -> magic.describe(0));
        assertEquals("libmagic cookie already closed", e.getMessage());
    }

    /** What file(1), which uses the same libmagic, says about {@code content}. */
    private static String fileBrief(String content) throws Exception {
        Path tmp = Files.createTempFile("magic", ".txt");
        try {
            Files.writeString(tmp, content);
            Process p = new ProcessBuilder("file", "-b", tmp.toString()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(0, p.waitFor());
            return out;
        } finally {
            Files.delete(tmp);
        }
    }
}
