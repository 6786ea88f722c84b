package dev.mapscribe.analyzer.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.report.ExportFixture;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every syscall the kernel program records has its name in the export: the notebooks ask for rows by name
 * (`syscall = 'personality'`), and a number that fell through to "syscall_135" made such a cell empty on every real
 * recording while the fixture, written by hand, had the name.
 */
class SyscallNamesTest {
    @Test
    void everyCallTheKernelProgramWatchesHasItsName() throws Exception {
        String bpf = Files.readString(ExportFixture.projectRoot().resolve("bpf/mapscribe.bpf.c"));
        Map<String, Integer> numbers = new HashMap<>();
        Matcher define = Pattern.compile("(?m)^#define (NR_\\w+) (\\d+)").matcher(bpf);
        while (define.find()) {
            numbers.put(define.group(1), Integer.parseInt(define.group(2)));
        }
        int from = bpf.indexOf("static __always_inline bool watched_exit_nr(long nr)");
        assertTrue(from >= 0, "watched_exit_nr() not found in bpf/mapscribe.bpf.c");
        String body = bpf.substring(from, bpf.indexOf("return false;", from));
        List<String> unnamed = new ArrayList<>();
        Matcher watched = Pattern.compile("case (NR_\\w+):").matcher(body);
        int seen = 0;
        while (watched.find()) {
            Integer nr = numbers.get(watched.group(1));
            assertTrue(nr != null, "no #define for " + watched.group(1));
            seen++;
            if (SyscallNames.name(nr).startsWith("syscall_")) {
                unnamed.add(watched.group(1) + " " + nr);
            }
        }
        assertTrue(seen >= 40, "only " + seen + " watched calls found: the parse went wrong");
        assertEquals(List.of(), unnamed);
    }

    @Test
    void namesAndArgumentCountsOfTheProcessCalls() {
        assertEquals("personality", SyscallNames.name(135));
        assertEquals(1, SyscallNames.argCount(135));
        assertEquals("prctl", SyscallNames.name(157));
        assertEquals(5, SyscallNames.argCount(157));
    }
}
