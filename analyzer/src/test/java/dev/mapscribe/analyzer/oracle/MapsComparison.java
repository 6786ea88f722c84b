package dev.mapscribe.analyzer.oracle;

import dev.mapscribe.analyzer.replay.RegionVersion;
import dev.mapscribe.analyzer.state.Backing;
import dev.mapscribe.analyzer.state.ProcessTable;
import dev.mapscribe.analyzer.state.Region;
import dev.mapscribe.formats.raw.UserRecord.SnapshotRegion;
import dev.mapscribe.formats.testkit.ProcMaps;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Compares rebuilt regions with a /proc/PID/maps dump page by page: each page's perms, and for file-backed
 * pages the inode and the file offset. VMA boundaries are not compared, because the kernel does not always
 * merge adjacent VMAs that have the same attributes (anon_vma, names, uffd) while the region map always does.
 * Names of anonymous regions ([heap], [stack], [vdso]) are not compared either: the kernel derives them from
 * positions the records do not carry. [vsyscall] is not part of the address space (it is the gate area).
 */
public final class MapsComparison {

    /**
     * What one side says about [start, end). inode null: not compared (shared anonymous memory has one we never see).
     * vmFlags: the flags a region keeps (Region#vmFlags); null where the side does not say (a maps dump without smaps'
     * VmFlags, a version read back from the export), and compared only where both sides say.
     */
    public record Span(long start, long end, String perms, Long inode, long offset, boolean fileBacked, boolean known, Long vmFlags) {

        public static Span of(ProcMaps.Line l) {
            // A file has an inode, but a System V segment's is its shmid, which may be 0: its name tells then
            boolean file = l.inode() != 0 || l.path().startsWith("/SYSV");
            Long flags = l.vmFlags() == null ? null : ProcessTable.fromMapsLine(new SnapshotRegion(1, l.start(), l.end(), l.prot(),
                    l.shared(), l.offset(), l.devMajor(), l.devMinor(), l.inode(), l.path(), l.vmFlags())).vmFlags();
            return new Span(l.start(), l.end(), l.perms(), file ? l.inode() : 0L, l.offset(), file, true, flags);
        }

        public static Span of(Region r) {
            boolean file = r.backing() == Backing.FILE || r.backing() == Backing.SHMEM;
            Long inode = r.backing() == Backing.FILE ? Long.valueOf(r.file().inode()) : r.backing() == Backing.SHMEM ? null : 0L;
            return new Span(r.start(), r.end(), r.perms(), inode, r.offset(), file, r.known() && r.prot() >= 0, r.vmFlags());
        }

        public static Span of(RegionVersion v) {
            boolean file = v.backing().equals("file") || v.backing().equals("shmem");
            Long inode = v.backing().equals("file") ? v.inode() : v.backing().equals("shmem") ? null : 0L;
            return new Span(v.start(), v.end(), v.perms(), inode, v.offset(), file, !v.backing().equals("unknown") && v.prot() != null, null);
        }

        long offsetAt(long addr) {
            return fileBacked ? offset + (addr - start) : 0;
        }
    }

    private MapsComparison() {}

    /**
     * The lines of a dump that are not exactly one region of {@code state}: where VMA boundaries are compared (the
     * kernel keeps VMAs apart, or merges them, by flags the workload controls), as readable lines.
     */
    public static List<String> linesNotRegions(List<ProcMaps.Line> maps, List<Span> state, java.util.function.Predicate<ProcMaps.Line> which) {
        java.util.Set<String> regions = new java.util.HashSet<>();
        for (Span s : state) {
            regions.add(Long.toHexString(s.start()) + "-" + Long.toHexString(s.end()));
        }
        List<String> out = new ArrayList<>();
        for (ProcMaps.Line l : maps) {
            String range = Long.toHexString(l.start()) + "-" + Long.toHexString(l.end());
            if (which.test(l) && !regions.contains(range)) {
                out.add(range + " " + l.perms() + " " + l.path());
            }
        }
        return out;
    }

    /** Lines that lie inside [from, to). */
    public static java.util.function.Predicate<ProcMaps.Line> inside(long from, long to) {
        return l -> l.start() >= from && l.end() <= to;
    }

    /** Every range where the two sides differ, as readable lines; empty when they agree on every page. */
    public static List<String> differences(List<ProcMaps.Line> maps, List<Span> state) {
        List<Span> kernel = new ArrayList<>();
        for (ProcMaps.Line l : maps) {
            if (!l.path().equals("[vsyscall]")) {
                kernel.add(Span.of(l));
            }
        }
        TreeSet<Long> cuts = new TreeSet<>();
        for (Span s : kernel) {
            cuts.add(s.start());
            cuts.add(s.end());
        }
        for (Span s : state) {
            cuts.add(s.start());
            cuts.add(s.end());
        }
        List<String> out = new ArrayList<>();
        Long prev = null;
        for (long cut : cuts) {
            if (prev != null) {
                String d = compare(prev, find(kernel, prev), find(state, prev));
                if (d != null) {
                    out.add(Long.toHexString(prev) + "-" + Long.toHexString(cut) + ": " + d);
                }
            }
            prev = cut;
        }
        return out;
    }

    private static String compare(long at, Span k, Span s) {
        if (k == null && s == null) {
            return null;
        }
        if (k == null) {
            return "not in maps, state has " + describe(s, at);
        }
        if (s == null) {
            return "maps has " + describe(k, at) + ", state has nothing";
        }
        if (!s.known()) {
            return "maps has " + describe(k, at) + ", state does not know (" + s.perms() + ")";
        }
        boolean same = k.perms().equals(s.perms()) && k.fileBacked() == s.fileBacked()
                && (!k.fileBacked() || (k.offsetAt(at) == s.offsetAt(at) && (s.inode() == null || Objects.equals(k.inode(), s.inode()))));
        if (same && k.vmFlags() != null && s.vmFlags() != null && !k.vmFlags().equals(s.vmFlags())) {
            return "maps has " + describe(k, at) + " with VMA flags " + Long.toHexString(k.vmFlags()) + ", state has "
                    + Long.toHexString(s.vmFlags());
        }
        return same ? null : "maps has " + describe(k, at) + ", state has " + describe(s, at);
    }

    private static String describe(Span s, long at) {
        return s.perms() + (s.fileBacked() ? " inode " + s.inode() + " offset " + Long.toHexString(s.offsetAt(at)) : "");
    }

    private static Span find(List<Span> spans, long addr) {
        for (Span s : spans) {
            if (s.start() <= addr && addr < s.end()) {
                return s;
            }
        }
        return null;
    }
}
