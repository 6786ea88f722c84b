package dev.mapscribe.recorder.proc;

import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import dev.mapscribe.formats.raw.UserRecord;
import dev.mapscribe.formats.raw.Utf8Text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parsers for the /proc text files a snapshot reads, working on the raw bytes of one read (no regex, no
 * per-line String): stat, status, cmdline, maps and smaps.
 */
final class ProcText {
    private ProcText() {
    }

    /** PF_KTHREAD in stat's flags field: kernel threads have no exe, argv or maps. */
    static final long PF_KTHREAD = 0x00200000;

    /** The fields of /proc/PID/stat a snapshot keeps. */
    /** @param threads stat's field 20, the thread group's threads (a zombie leader counts until the last one is reaped) */
    record Stat(String comm, char state, int ppid, long flags, int threads, long startTicks) {
        boolean kernelThread() {
            return (flags & PF_KTHREAD) != 0;
        }

        /** Exited, not yet reaped: its address space, exe and argv are gone already. */
        boolean zombie() {
            return state == 'Z';
        }
    }

    /**
     * Parses /proc/PID/stat. comm sits between the first '(' and the LAST ')': it may itself hold spaces and
     * parentheses, so the fields after it are counted from the last ')'.
     */
    static Stat parseStat(byte[] b, int len) {
        int open = indexOf(b, 0, len, (byte) '(');
        int close = lastIndexOf(b, len, (byte) ')');
        if (open < 0 || close < open) {
            throw new IllegalArgumentException("stat has no (comm)");
        }
        String comm = Utf8Text.decode(b, open + 1, close - open - 1);
        // After ") " comes field 3 (state); walk the space-separated fields up to 22 (starttime).
        int pos = close + 2;
        char state = pos < len ? (char) b[pos] : '?';
        int ppid = 0;
        long flags = 0;
        int threads = 0;
        long startTicks = -1;
        for (int field = 3; field <= 22 && pos < len; field++) {
            int end = indexOf(b, pos, len, (byte) ' ');
            if (end < 0) {
                end = len;
            }
            switch (field) {
                case 4 -> ppid = (int) parseDecimal(b, pos, end);
                case 9 -> flags = parseDecimal(b, pos, end);
                case 20 -> threads = (int) parseDecimal(b, pos, end);
                case 22 -> startTicks = parseDecimal(b, pos, end);
                default -> {
                }
            }
            pos = end + 1;
        }
        if (startTicks < 0) {
            throw new IllegalArgumentException("stat ends before field 22 (starttime)");
        }
        return new Stat(comm, state, ppid, flags, threads, startTicks);
    }

    /** Real and effective ids from /proc/PID/status ("Uid:\treal\teffective\tsaved\tfs"). */
    record Ids(int uid, int euid, int gid, int egid) {
    }

    static Ids parseStatusIds(byte[] b, int len) {
        long[] uids = null;
        long[] gids = null;
        int pos = 0;
        while (pos < len && (uids == null || gids == null)) {
            int eol = indexOf(b, pos, len, (byte) '\n');
            if (eol < 0) {
                eol = len;
            }
            if (startsWith(b, pos, eol, "Uid:")) {
                uids = parseTwoNumbers(b, pos + 4, eol);
            } else if (startsWith(b, pos, eol, "Gid:")) {
                gids = parseTwoNumbers(b, pos + 4, eol);
            }
            pos = eol + 1;
        }
        if (uids == null || gids == null) {
            throw new IllegalArgumentException("status has no Uid:/Gid: line");
        }
        return new Ids((int) uids[0], (int) uids[1], (int) gids[0], (int) gids[1]);
    }

    /** argv from /proc/PID/cmdline: NUL-terminated strings (the last NUL may be missing if argv was rewritten). */
    static List<String> splitCmdline(byte[] b, int len) {
        List<String> argv = new ArrayList<>();
        int pos = 0;
        while (pos < len) {
            int end = indexOf(b, pos, len, (byte) 0);
            if (end < 0) {
                end = len;
            }
            argv.add(Utf8Text.decode(b, pos, end - pos));
            pos = end + 1;
        }
        return argv;
    }

    /** The namespace inode from a /proc/PID/ns/* link text such as "mnt:[4026531841]". */
    static long parseNamespaceLink(String link) {
        int open = link.indexOf('[');
        int close = link.indexOf(']', open + 1);
        if (open < 0 || close < 0) {
            throw new IllegalArgumentException("unexpected namespace link " + link);
        }
        return Long.parseLong(link, open + 1, close, 10);
    }

    /**
     * Appends one SnapshotRegion per VMA of /proc/PID/smaps, or per line of /proc/PID/maps (the same lines without
     * the fields below each): {@code start-end perms offset maj:min inode [path]}. The path is the rest of the line
     * after the run of spaces that pads it: it may hold spaces and ends with " (deleted)" for unlinked files (kept as
     * printed; the kernel escapes newlines in names, so a line is one region). Of smaps' fields ("Rss:", ...,
     * one per line, each starting with a capital letter, where a maps line starts with a hex digit) only VmFlags,
     * the last, is kept; a VMA without one (a maps line) has none.
     */
    static void parseMaps(byte[] b, int len, int pid, List<UserRecord> out) {
        int pos = 0;
        int prevPathStart = 0;
        int prevPathEnd = 0;
        String prevPath = "";
        SnapshotRegion pending = null; // an smaps VMA whose VmFlags line is still to come
        while (pos < len) {
            int eol = indexOf(b, pos, len, (byte) '\n');
            if (eol < 0) {
                eol = len;
            }
            if (eol == pos) {
                pos = eol + 1;
                continue;
            }
            if (b[pos] >= 'A' && b[pos] <= 'Z') { // an smaps field of the VMA above
                if (pending != null && startsWith(b, pos, eol, VM_FLAGS)) {
                    String flags = new String(b, pos + VM_FLAGS.length, eol - pos - VM_FLAGS.length, StandardCharsets.US_ASCII).strip();
                    out.add(withVmFlags(pending, flags));
                    pending = null;
                }
                pos = eol + 1;
                continue;
            }
            if (pending != null) {
                out.add(pending); // a maps line, or an smaps VMA without a VmFlags line
            }
            int p = pos;
            int dash = indexOf(b, p, eol, (byte) '-');
            long start = parseHex(b, p, dash);
            p = dash + 1;
            int sp = indexOf(b, p, eol, (byte) ' ');
            long end = parseHex(b, p, sp);
            p = sp + 1;
            if (p + 5 > eol) {
                throw new IllegalArgumentException("short maps line at byte " + pos);
            }
            int prot = (b[p] == 'r' ? 1 : 0) | (b[p + 1] == 'w' ? 2 : 0) | (b[p + 2] == 'x' ? 4 : 0);
            boolean shared = b[p + 3] == 's';
            p += 5;
            sp = indexOf(b, p, eol, (byte) ' ');
            long offset = parseHex(b, p, sp);
            p = sp + 1;
            int colon = indexOf(b, p, eol, (byte) ':');
            int devMajor = (int) parseHex(b, p, colon);
            p = colon + 1;
            sp = indexOf(b, p, eol, (byte) ' ');
            if (sp < 0) {
                sp = eol;
            }
            int devMinor = (int) parseHex(b, p, sp);
            p = sp;
            while (p < eol && b[p] == ' ') {
                p++;
            }
            int inodeEnd = p;
            while (inodeEnd < eol && b[inodeEnd] != ' ') {
                inodeEnd++;
            }
            long inode = parseDecimal(b, p, inodeEnd);
            p = inodeEnd;
            while (p < eol && b[p] == ' ') {
                p++;
            }
            String path;
            if (p == eol) {
                path = "";
            } else if (Arrays.equals(b, p, eol, b, prevPathStart, prevPathEnd)) {
                path = prevPath; // a file's segments sit on consecutive lines: share one String
            } else {
                path = Utf8Text.decode(b, p, eol - p);
            }
            prevPathStart = p;
            prevPathEnd = eol;
            prevPath = path;
            pending = new SnapshotRegion(pid, start, end, prot, shared, offset, devMajor, devMinor, inode, path);
            pos = eol + 1;
        }
        if (pending != null) {
            out.add(pending);
        }
    }

    private static final byte[] VM_FLAGS = "VmFlags:".getBytes(StandardCharsets.US_ASCII);

    private static SnapshotRegion withVmFlags(SnapshotRegion r, String flags) {
        return new SnapshotRegion(r.pid(), r.start(), r.end(), r.prot(), r.shared(), r.offset(), r.devMajor(), r.devMinor(),
                r.inode(), r.path(), flags);
    }

    private static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
        return to - from >= prefix.length && Arrays.equals(b, from, from + prefix.length, prefix, 0, prefix.length);
    }

    private static long[] parseTwoNumbers(byte[] b, int from, int to) {
        long[] two = new long[2];
        int p = from;
        for (int i = 0; i < 2; i++) {
            while (p < to && (b[p] == ' ' || b[p] == '\t')) {
                p++;
            }
            int end = p;
            while (end < to && b[end] >= '0' && b[end] <= '9') {
                end++;
            }
            two[i] = parseDecimal(b, p, end);
            p = end;
        }
        return two;
    }

    static long parseDecimal(byte[] b, int from, int to) {
        if (from >= to) {
            throw new IllegalArgumentException("empty number");
        }
        boolean negative = b[from] == '-';
        long v = 0;
        for (int i = negative ? from + 1 : from; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                throw new IllegalArgumentException("not a decimal digit: " + (char) b[i]);
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    static long parseHex(byte[] b, int from, int to) {
        if (from < 0 || from >= to) {
            throw new IllegalArgumentException("empty hex number");
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int c = b[i];
            int d;
            if (c >= '0' && c <= '9') {
                d = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                d = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                d = c - 'A' + 10;
            } else {
                throw new IllegalArgumentException("not a hex digit: " + (char) c);
            }
            v = (v << 4) | d;
        }
        return v;
    }

    private static boolean startsWith(byte[] b, int from, int to, String prefix) {
        if (to - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (b[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] b, int len, byte c) {
        for (int i = len - 1; i >= 0; i--) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
