package dev.mapscribe.analyzer.state;

import dev.mapscribe.formats.raw.KernelRecord.Policy;

import java.util.Objects;

/**
 * One version of a memory region: pages [start, end) with the same attributes, as a region map holds it.
 *
 * @param prot        PROT_READ|WRITE|EXEC bits, or {@link Prot#UNKNOWN}
 * @param shared      MAP_SHARED; meaningless (false) when backing is {@link Backing#UNKNOWN}
 * @param file        the file behind a FILE or SHMEM region (null for ANON, and for UNKNOWN)
 * @param offset      file offset of {@code start} in bytes; 0 for ANON and UNKNOWN (as /proc/PID/maps shows them)
 * @param label       the kernel's name for a special anonymous region ("[heap]", "[stack]", "[vdso]", ...), or null
 * @param vmFlags     the VMA flags that /proc/PID/maps does not show but that the kernel compares when it merges
 *                    VMAs, as the kernel's bits: {@link #VM_ACCOUNT}, {@link #VM_NORESERVE}, those madvise and mlock
 *                    set ({@link #VM_FLAGS_KEPT}). Two regions that differ in them are two VMAs in the kernel, and an
 *                    mprotect over both raises an alert for each; {@link #VM_DONTCOPY} also keeps a region out of a
 *                    forked child
 * @param policy      the NUMA policy mbind(2) put on these pages, as the kernel keeps it; null for none (MPOL_DEFAULT), or
 *                    where the recording does not know it (a process of the start-up snapshot). Two regions with
 *                    unequal policies are two VMAs in the kernel, as with vmFlags
 * @param version     id of this version, unique within one replay; 0 for a piece not (yet) in a map
 * @param validFromNs CLOCK_MONOTONIC ns at which this version came to be
 * @param cause       what made this version: "mmap", "mprotect", "munmap", "mremap", "brk", "exec", "snapshot",
 *                    "fork", "unknown" (an address space met without a history); null for a piece not in a map
 * @param comm        comm of the address space's owner when this version came to be; null for a piece not in a map
 *                    or an owner whose name the recording never saw
 */
public record Region(long start, long end, int prot, boolean shared, Backing backing, MappedFile file, long offset,
                     String label, long vmFlags, Policy policy, long version, long validFromNs, String cause, String comm) {

    /**
     * The kernel charged the mapping against the commit limit (smaps' {@code ac}): a private file mapping that is or
     * was writable, unless under MAP_NORESERVE; a file mapping keeps the charge, so it never merges with an uncharged
     * neighbour (a library's RELRO part, made read-only by ld.so, stays apart from its read-only data). Never set for
     * anonymous memory, where the kernel drops the charge again when the pages were never written, which the
     * recording cannot tell.
     */
    public static final long VM_ACCOUNT = 0x100000;
    /** Mapped with MAP_NORESERVE on a host that honours it (smaps' {@code nr}): never charged, and kept for good. */
    public static final long VM_NORESERVE = 0x200000;
    /** The flags madvise(2) sets and clears (smaps' {@code sr rr dc wf dd hg nh}). */
    public static final long VM_SEQ_READ = 0x8000, VM_RAND_READ = 0x10000, VM_DONTCOPY = 0x20000,
            VM_WIPEONFORK = 0x02000000, VM_DONTDUMP = 0x04000000, VM_HUGEPAGE = 0x20000000, VM_NOHUGEPAGE = 0x40000000;
    /**
     * Locked in memory (smaps' {@code lo}; with {@code lf}, locked as pages fault in): mlock, mlock2, mlockall,
     * MAP_LOCKED, or any mapping made under mlockall(MCL_FUTURE). A forked child's copies are not locked.
     */
    public static final long VM_LOCKED = 0x2000, VM_LOCKONFAULT = 0x80000;
    static final long VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;
    /**
     * The kernel's special mappings (smaps' {@code io pf de mm}: VM_IO, VM_PFNMAP, VM_DONTEXPAND, VM_MIXEDMAP): [vdso],
     * [vvar], device memory. The kernel never merges them, and mlock and mlockall leave them as they are.
     */
    public static final long VM_IO = 0x4000, VM_PFNMAP = 0x400, VM_DONTEXPAND = 0x40000, VM_MIXEDMAP = 0x10000000;
    static final long VM_SPECIAL = VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_MIXEDMAP;
    /**
     * Sealed by mseal(2) (smaps' {@code sl}): mprotect, munmap, mremap and MAP_FIXED refuse it (EPERM) for good. The
     * kernel moved its bit between versions (63 in 6.10, 42 later, an enum since): here it is bit 63 whatever the
     * kernel, and the exec walk's bit is not read as it (only system mappings can be sealed before an exec returns).
     */
    public static final long VM_SEALED = 1L << 63;
    /** The flags a region can carry. */
    static final long VM_FLAGS_KEPT = VM_ACCOUNT | VM_NORESERVE | VM_SEQ_READ | VM_RAND_READ | VM_DONTCOPY | VM_WIPEONFORK
            | VM_DONTDUMP | VM_HUGEPAGE | VM_NOHUGEPAGE | VM_LOCKED_MASK | VM_SPECIAL | VM_SEALED;

    public Region {
        if (end <= start) {
            throw new IllegalArgumentException("empty region [" + Long.toHexString(start) + ", " + Long.toHexString(end) + ")");
        }
    }

    /** A region that is not (yet) part of a map: no version. */
    public static Region piece(long start, long end, int prot, boolean shared, Backing backing, MappedFile file,
                               long offset, String label) {
        return new Region(start, end, prot, shared, backing, file, hasOffset(backing) ? offset : 0, label, 0, null, 0, 0, null, null);
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
        return new Region(s, e, prot, shared, backing, file, off, label, vmFlags, policy, version, validFromNs, cause, comm);
    }

    /** The same pages' attributes placed at another address (mremap moves): no label, the kernel's labels are positional. */
    public Region movedTo(long newStart) {
        return new Region(newStart, newStart + length(), prot, shared, backing, file, offset, null, vmFlags, policy, 0, 0, null, null);
    }

    /** VM_ACCOUNT: see {@link #VM_ACCOUNT}. */
    public boolean accounted() {
        return (vmFlags & VM_ACCOUNT) != 0;
    }

    /** VM_NORESERVE: see {@link #VM_NORESERVE}. */
    public boolean noReserve() {
        return (vmFlags & VM_NORESERVE) != 0;
    }

    /** VM_SEALED: see {@link #VM_SEALED}. */
    public boolean sealed() {
        return (vmFlags & VM_SEALED) != 0;
    }

    /** A special mapping: see {@link #VM_SPECIAL}. */
    public boolean special() {
        return (vmFlags & VM_SPECIAL) != 0;
    }

    /** The same pages with flags {@code set} set and {@code clear} cleared (madvise). */
    public Region withVmFlagsChanged(long set, long clear) {
        return withVmFlags((vmFlags & ~clear) | set);
    }

    /**
     * The same pages with another protection: a private file mapping made writable is charged from then on (as
     * mprotect_fixup does, on the way to writable only: one writable already, or under MAP_NORESERVE, stays uncharged).
     */
    public Region withProt(int newProt) {
        boolean charge = !noReserve() && chargeable(backing, shared, newProt) && (prot == Prot.UNKNOWN || (prot & Prot.WRITE) == 0);
        return new Region(start, end, newProt, shared, backing, file, offset, label, charge ? vmFlags | VM_ACCOUNT : vmFlags,
                policy, 0, 0, null, null);
    }

    /** Whether the kernel charges a mapping of this kind and protection (mmap_region, mprotect_fixup): see VM_ACCOUNT. */
    static boolean chargeable(Backing backing, boolean shared, int prot) {
        return backing == Backing.FILE && !shared && prot != Prot.UNKNOWN && (prot & Prot.WRITE) != 0;
    }

    /** The same pages with these of {@link #VM_FLAGS_KEPT} (a new mapping, a region's continuation). */
    Region withVmFlags(long flags) {
        flags &= VM_FLAGS_KEPT;
        return flags == vmFlags ? this
                : new Region(start, end, prot, shared, backing, file, offset, label, flags, policy, version, validFromNs, cause, comm);
    }

    public Region withExtent(long newStart, long newEnd) {
        return new Region(newStart, newEnd, prot, shared, backing, file, offset, label, vmFlags, policy, 0, 0, null, null);
    }

    Region asVersion(long newVersion, long fromNs, String newCause, String ownerComm) {
        return new Region(start, end, prot, shared, backing, file, offset, label, vmFlags, policy, newVersion, fromNs, newCause, ownerComm);
    }

    /** The same pages with another NUMA policy (mbind; null: MPOL_DEFAULT). */
    public Region withPolicy(Policy newPolicy) {
        return Objects.equals(newPolicy, policy) ? this
                : new Region(start, end, prot, shared, backing, file, offset, label, vmFlags, newPolicy, version, validFromNs, cause, comm);
    }

    /** Everything but position, offset and version. */
    public boolean sameAttributes(Region o) {
        return prot == o.prot && shared == o.shared && backing == o.backing && Objects.equals(file, o.file)
                && Objects.equals(label, o.label) && vmFlags == o.vmFlags && Objects.equals(policy, o.policy);
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
                + (accounted() ? " ac" : "") + (noReserve() ? " nr" : "")
                + ((vmFlags & ~(VM_ACCOUNT | VM_NORESERVE)) != 0 ? " vm" + Long.toHexString(vmFlags & ~(VM_ACCOUNT | VM_NORESERVE)) : "")
                + (policy != null ? " mpol" + policy.mode() + ":" + Long.toHexString(policy.nodes()) : "") + " v" + version;
    }
}
