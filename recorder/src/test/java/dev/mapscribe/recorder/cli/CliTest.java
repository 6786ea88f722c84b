package dev.mapscribe.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

class CliTest {
    @Command(name = "greedy")
    static final class Greedy implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    /** picocli lets Errors through: running out of heap must still be one line that says what to do. */
    @Test
    void runningOutOfHeapIsOneLineWithWhatToDo() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(Cli.FAILURE, Cli.execute(new Greedy()));
        } finally {
            System.setErr(saved);
        }
        String err = buf.toString(StandardCharsets.UTF_8);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("mapscribe: out of memory (the Java heap is capped at ")
                && err.contains("MAPSCRIBE_JAVA_OPTS=-Xmx"), err);
    }
}
