package dev.mapscribe.analyzer.state;

import java.util.ArrayList;
import java.util.List;

/** Test helpers: a history that keeps what it is told, and a readable rendering of a map. */
final class Maps {
    static final long P = Prot.PAGE_SIZE;
    static final int R = Prot.READ, W = Prot.WRITE, X = Prot.EXEC;
    static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANON = 0x20, MAP_NORESERVE = 0x4000;
    static final long ENOMEM = -12, EACCES = -13, EINVAL = -22;

    record Closed(Region version, long validToNs) {}

    static final class Recording {
        final List<Closed> closed = new ArrayList<>();
        final RegionHistory history = new RegionHistory((map, v, to) -> closed.add(new Closed(v, to)));
    }

    private Maps() {}

    /** One line per region: "start-end perms BACKING [path@offset] [label]", addresses in hex without 0x. */
    static List<String> lines(RegionMap m) {
        List<String> out = new ArrayList<>();
        for (Region r : m.regions()) {
            out.add(line(r));
        }
        return out;
    }

    static String line(Region r) {
        StringBuilder sb = new StringBuilder();
        sb.append(Long.toHexString(r.start())).append('-').append(Long.toHexString(r.end())).append(' ').append(r.perms())
                .append(' ').append(r.backing());
        if (r.file() != null) {
            sb.append(' ').append(r.file().path()).append('@').append(Long.toHexString(r.offset()));
        }
        if (r.label() != null) {
            sb.append(' ').append(r.label());
        }
        return sb.toString();
    }

    static MappedFile file(String path, long inode) {
        return new MappedFile(path, MappedFile.kernelDev(8, 1), inode, 1_700_000_000_000_000_000L);
    }
}
