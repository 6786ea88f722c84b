package dev.mapscribe.formats.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses /proc/PID/maps, the oracle the tests compare the analyzer's rebuilt state with; or the maps lines of
 * /proc/PID/smaps each followed by its VmFlags line (scripts/workloads/checkpoint.h's smaps dumps).
 */
public final class ProcMaps {
    private ProcMaps() {}

    /** One line: {@code start-end perms offset maj:min inode path}; vmFlags as smaps prints them, null from maps. */
    public record Line(long start, long end, String perms, long offset, int devMajor, int devMinor, long inode,
                       String path, String vmFlags) {
        public boolean readable() { return perms.charAt(0) == 'r'; }
        public boolean writable() { return perms.charAt(1) == 'w'; }
        public boolean executable() { return perms.charAt(2) == 'x'; }
        public boolean shared() { return perms.charAt(3) == 's'; }
        /** PROT_READ 1 | PROT_WRITE 2 | PROT_EXEC 4. */
        public int prot() { return (readable() ? 1 : 0) | (writable() ? 2 : 0) | (executable() ? 4 : 0); }
    }

    public static List<Line> read(long pid) throws IOException {
        return parse(Files.readString(Path.of("/proc/" + pid + "/maps")));
    }

    public static List<Line> parse(String text) {
        List<Line> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            if (line.startsWith("VmFlags:") && !out.isEmpty()) {
                Line l = out.removeLast();
                out.add(new Line(l.start(), l.end(), l.perms(), l.offset(), l.devMajor(), l.devMinor(), l.inode(), l.path(),
                        line.substring("VmFlags:".length()).strip()));
                continue;
            }
            out.add(parseLine(line));
        }
        return out;
    }

    public static Line parseLine(String line) {
        // Five space-separated fields, then the path, which may itself contain spaces.
        int[] pos = new int[6];
        int field = 0, i = 0;
        while (field < 5) {
            while (i < line.length() && line.charAt(i) != ' ') i++;
            pos[field++] = i;
            while (i < line.length() && line.charAt(i) == ' ') i++;
        }
        pos[5] = i;
        String range = line.substring(0, pos[0]);
        int dash = range.indexOf('-');
        String perms = line.substring(pos[0] + 1, pos[1]);
        String offset = line.substring(pos[1] + 1, pos[2]);
        String dev = line.substring(pos[2] + 1, pos[3]);
        String inode = line.substring(pos[3] + 1, pos[4]).trim();
        String path = pos[5] < line.length() ? line.substring(pos[5]) : "";
        int colon = dev.indexOf(':');
        return new Line(Long.parseUnsignedLong(range.substring(0, dash), 16),
                Long.parseUnsignedLong(range.substring(dash + 1), 16), perms, Long.parseUnsignedLong(offset, 16),
                Integer.parseInt(dev.substring(0, colon), 16), Integer.parseInt(dev.substring(colon + 1), 16),
                Long.parseLong(inode), path, null);
    }
}
