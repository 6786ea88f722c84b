package dev.mapscribe.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.formats.testkit.BpfRequirement;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recorder on an incident host makes no network connection of any kind (issue 3; Chronicle's analytics are
 * excluded from the build and disabled by flag). Checked on a whole recording, snapshot and hashing included,
 * run in a JVM of its own under strace: no bind, listen or accept, and no connect or send to anything but the
 * local name-service cache (glibc asks nscd for the user's name over a Unix socket; nscd is not running here).
 * The JDK's libnet does create and close an IPv4 and an IPv6 socket when it loads, to probe for support: no
 * connection is made with them, and socket() is not among the calls checked.
 */
class NoNetworkTest {
    private static final String NSCD = "connect(%d, {sa_family=AF_UNIX, sun_path=\"/var/run/nscd/socket\"}";

    @Test
    void aRecordingMakesNoNetworkConnection(@TempDir Path tmp) throws Exception {
        BpfRequirement.assumeRootAndBpf();
        Path trace = tmp.resolve("strace.txt");
        List<String> command = new ArrayList<>(List.of("strace", "-f", "-qq", "-o", trace.toString(),
                "-e", "trace=connect,bind,listen,accept,accept4,sendto,sendmsg,sendmmsg"));
        command.add(ProcessHandle.current().info().command().orElseThrow());
        // The flags the launcher passes (pom.xml's mapscribe.jvm.flags, the tests' own, kept in step with lib.sh).
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), RecorderMain.class.getName(),
                "record", "--journal", tmp.resolve("journal").toString(), "--duration", "2s"));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("out.txt").toFile()).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("strace is needed for this test (scripts/setup --test installs it): " + e.getMessage());
        }
        assertEquals(0, p.waitFor(), () -> "the recording failed: " + read(tmp.resolve("out.txt")));
        List<String> network = new ArrayList<>();
        for (String line : Files.readAllLines(trace)) {
            String call = line.replaceFirst("^\\d+ +", "");
            if (call.startsWith("---") || call.startsWith("+++") || call.startsWith("<...")) {
                continue; // signals, exits, resumed calls (their start is on a line of its own)
            }
            if (call.equals("???( <detached ...>")) {
                // A thread still inside a system call when strace detached at the JVM's exit, a call strace could
                // not name: seen once in a whole CI run. (It cannot tell which call; the recorder's code makes
                // none of the traced ones, and every call strace names is still checked.)
                continue;
            }
            int fd = call.matches("^connect\\(\\d+,.*") ? Integer.parseInt(call.substring(8, call.indexOf(','))) : -1;
            if (fd >= 0 && call.startsWith(String.format(NSCD, fd))) {
                continue;
            }
            network.add(line);
        }
        assertEquals(List.of(), network, "network calls of a recording");
        assertTrue(Files.readString(tmp.resolve("out.txt")).contains("kernel records"), read(tmp.resolve("out.txt")));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
