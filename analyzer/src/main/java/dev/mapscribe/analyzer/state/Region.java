package dev.mapscribe.analyzer.state;

import java.util.Objects;

/**
 * One version of a memory region: pages [start, end) with the same attributes, as a region map holds it.
 *
 * @param prot        PROT_READ|WRITE|EXEC bits, or {@link Prot#UNKNOWN}
 * @param shared      MAP_SHARED; meaningless (false) when backing is {@link Backing#UNKNOWN}
 * @param file        the file behind a FILE or SHMEM region (null for ANON, and for UNKNOWN)
 * @param offset      file offset of {@code start} in bytes; 0 for ANON and UNKNOWN (as /proc/PID/maps shows them)
 * @param label       the kernel's name for a special anonymous region ("[heap]", "[stack]", "[vdso]", ...), or null
 * @param version     id of this version, unique within one replay; 0 for a piece not (yet) in a map
 * @param validFromNs CLOCK_MONOTONIC ns at which this version came to be
 * @param cause       what made this version: "mmap", "mprotect", "munmap", "mremap", "brk", "exec", "snapshot",
 *                    "fork", "unknown" (an address space met without a history); null for a piece not in a map
 * @param comm        comm of the address space's owner when this version came to be; null for a piece not in a map
 *                    or an owner whose name the recording never saw
 */
public record Region(long start, long end, int prot, boolean shared, Backing backing, MappedFile file, long offset,
                     String label, long version, long validFromNs, String cause, String comm) {

    public Region {
        if (end <= start) {
            throw new IllegalArgumentException("empty region [" + Long.toHexString(start) + ", " + Long.toHexString(end) + ")");
        }
    }

    /** A region that is not (yet) part of a map: no version. */
    public static Region piece(long start, long end, int prot, boolean shared, Backing backing, MappedFile file,
                               long offset, String label) {
        return new Region(start, end, prot, shared, backing, file, hasOffset(backing) ? offset : 0, label, 0, 0, null, null);
    }

    /** Pages nobody can vouch for. */
    public static Region unknown(long start, long end, int prot) {
        return piece(start, end, prot, false, Backing.UNKNOWN, null, 0, null);
    }

    public long length() {
        return end - start;
    }

    public boolean known() {
        return backing != Backing.UNKNOWN;
    }

    /** The part of this region inside [from, to), with the file offset moved along. */
    public Region clip(long from, long to) {
        if (from <= start && end <= to) {
            return this; // inside already: most regions a call touches are (records are immutable, so sharing is safe)
        }
        long s = Math.max(start, from);
        long e = Math.min(end, to);
        long off = hasOffset(backing) ? offset + (s - start) : 0;
        return new Region(s, e, prot, shared, backing, file, off, label, version, validFromNs, cause, comm);
    }

    /** The same pages' attributes placed at another address (mremap moves): no label, the kernel's labels are positional. */
    public Region movedTo(long newStart) {
        return new Region(newStart, newStart + length(), prot, shared, backing, file, offset, null, 0, 0, null, null);
    }

    public Region withProt(int newProt) {
        return new Region(start, end, newProt, shared, backing, file, offset, label, 0, 0, null, null);
    }

    public Region withExtent(long newStart, long newEnd) {
        return new Region(newStart, newEnd, prot, shared, backing, file, offset, label, 0, 0, null, null);
    }

    Region asVersion(long newVersion, long fromNs, String newCause, String ownerComm) {
        return new Region(start, end, prot, shared, backing, file, offset, label, newVersion, fromNs, newCause, ownerComm);
    }

    /** Everything but position, offset and version. */
    public boolean sameAttributes(Region o) {
        return prot == o.prot && shared == o.shared && backing == o.backing && Objects.equals(file, o.file)
                && Objects.equals(label, o.label);
    }

    /** Same pages with the same attributes (a version need not change when this holds). */
    public boolean sameShape(Region o) {
        return start == o.start && end == o.end && offset == o.offset && sameAttributes(o);
    }

    /**
     * Whether {@code next} continues this region seamlessly, so the two are one region: adjacent, same attributes,
     * and for file-backed memory the file offset runs on (the kernel's own condition for merging VMAs).
     */
    public boolean continuesInto(Region next) {
        return end == next.start && sameAttributes(next) && (!hasOffset(backing) || offset + length() == next.offset);
    }

    /** The perms column of /proc/PID/maps: "rw-p", "r-xs", "????" when unknown. */
    public String perms() {
        int i = prot == Prot.UNKNOWN ? 8 : prot & 7;
        return backing == Backing.UNKNOWN ? PERMS_UNKNOWN[i] : shared ? PERMS_SHARED[i] : PERMS_PRIVATE[i];
    }

    // Built once: perms() runs for every region version the replay emits.
    private static final String[] PERMS_PRIVATE = perms('p'), PERMS_SHARED = perms('s'), PERMS_UNKNOWN = perms('?');

    private static String[] perms(char last) {
        String[] out = new String[9];
        for (int p = 0; p < 8; p++) {
            out[p] = Prot.rwx(p) + last;
        }
        out[8] = "???" + last;
        return out;
    }

    static boolean hasOffset(Backing b) {
        return b == Backing.FILE || b == Backing.SHMEM;
    }

    @Override
    public String toString() {
        return Long.toHexString(start) + "-" + Long.toHexString(end) + " " + perms() + " " + backing
                + (file != null ? " " + file.path() + "@" + Long.toHexString(offset) : "") + (label != null ? " " + label : "")
                + " v" + version;
    }
}
