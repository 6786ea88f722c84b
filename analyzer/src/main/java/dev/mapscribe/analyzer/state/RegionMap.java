package dev.mapscribe.analyzer.state;

import dev.mapscribe.formats.raw.KernelRecord.Policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * The memory regions of one address space (one kernel mm): non-overlapping intervals keyed by start.
 *
 * <p>Each operation applies what the kernel does for a call with the recorded arguments and result; only
 * the final result is known, so a call that failed half-way is applied the way the kernel leaves it (see
 * {@link #mprotect}).
 *
 * <p>The map is kept canonical: two adjacent regions with the same attributes (and, for files, a running
 * offset) are one region (but for a fork's copies, which come apart as the kernel copies them: {@link #forkCopy}). The kernel merges VMAs under the same conditions in nearly every case, but not
 * always (it also compares anon_vma, userfaultfd contexts, names): the honest comparison with
 * /proc/PID/maps is therefore page by page (each page's perms, file, inode and offset), not VMA by VMA.
 *
 * <p>Every change closes the versions of the regions it alters (reported to the {@link RegionHistory}
 * listener with their end time) and opens new ones; an untouched region keeps its version.
 */
public final class RegionMap {
    /** Top of user space on x86-64 with 5-level paging; covers 4-level paging's 47 bits. */
    public static final long USER_END = (1L << 56) - Prot.PAGE_SIZE;

    static final int MAP_SHARED = 0x01;
    static final int MAP_TYPE = 0x0f;
    static final int MAP_SHARED_VALIDATE = 0x03;
    static final int MAP_DROPPABLE = 0x08;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_FIXED = 0x10;
    static final int MAP_FIXED_NOREPLACE = 0x100000;
    static final int MAP_NORESERVE = 0x4000;
    static final int MAP_LOCKED = 0x2000;
    static final int MCL_CURRENT = 1, MCL_FUTURE = 2, MCL_ONFAULT = 4;
    static final int MREMAP_MAYMOVE = 1;
    static final int MREMAP_FIXED = 2;
    static final int MREMAP_DONTUNMAP = 4;
    static final int MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_DONTFORK = 10, MADV_DOFORK = 11,
            MADV_HUGEPAGE = 14, MADV_NOHUGEPAGE = 15, MADV_DONTDUMP = 16, MADV_DODUMP = 17, MADV_WIPEONFORK = 18,
            MADV_KEEPONFORK = 19;
    static final long ENOMEM = 12;
    static final long EACCES = 13;
    static final long EPERM = 1;
    static final long EFAULT = 14;
    static final long EINVAL = 22;
    static final long EAGAIN = 11;

    private final long id;
    private final int ownerPid;
    /** The owner's comm, stamped on every version this map opens (the regions table's comm). */
    private String ownerComm;
    private final RegionHistory history;
    private final RegionIndex regions = new RegionIndex();
    /** Page-aligned end of the heap as the last brk left it; -1 until a brk call or the snapshot tells. */
    private long brkEnd = -1;
    /**
     * The lock flags every new mapping and heap growth gets (the lock bits of the kernel's mm->def_flags): set by
     * mlockall(MCL_FUTURE), cleared by mlockall without it and by munlockall. A fork or an exec starts without them.
     * Unknown for a process the snapshot found (smaps shows each VMA's flags, not these): taken as none.
     */
    private long lockOnMap;
    /** Processes (thread groups) using this address space: threads share it, so do CLONE_VM children. */
    private int users;
    /** The last ranges changed, for MS_ORDER notes ({@link #recentChanges}). */
    private final RecentChanges recent = new RecentChanges();
    /**
     * The thread whose call is being applied (ProcessTable.mmOf says): the recent changes name it. 0 for what no call
     * made (the map's making from an exec walk or a snapshot), which is not one of the recent changes.
     */
    private int actor;

    private RegionMap(long id, int ownerPid, String ownerComm, RegionHistory history) {
        this.id = id;
        this.ownerPid = ownerPid;
        this.ownerComm = ownerComm;
        this.history = history;
    }

    /** An address space the recording knows nothing about. */
    public static RegionMap unknown(long id, int ownerPid, String ownerComm, RegionHistory history, long nowNs) {
        RegionMap m = new RegionMap(id, ownerPid, ownerComm, history);
        m.rewrite(0, USER_END, List.of(Region.unknown(0, USER_END, Prot.UNKNOWN)), nowNs, "unknown");
        return m;
    }

    /**
     * An address space whose regions below {@code knownUpTo} are exactly {@code known} (from an exec walk or a
     * snapshot, named by {@code cause}); above it, what is not listed is unknown (a walk cut short).
     */
    public static RegionMap of(long id, int ownerPid, String ownerComm, RegionHistory history, List<Region> known, long knownUpTo,
                               long nowNs, String cause) {
        RegionMap m = new RegionMap(id, ownerPid, ownerComm, history);
        m.rewrite(0, USER_END, withUnknownAbove(sortedDisjoint(known), knownUpTo), nowNs, cause);
        return m;
    }

    public long id() {
        return id;
    }

    /** The process that created this address space (its regions are reported under this pid). */
    public int ownerPid() {
        return ownerPid;
    }

    /** The owner was renamed (prctl, exec): versions opened from now on carry the new name. */
    public void ownerComm(String comm) {
        this.ownerComm = comm;
    }

    public Collection<Region> regions() {
        return regions.values(); // read-only already
    }

    /** The region holding {@code addr}, or null. */
    public Region at(long addr) {
        int i = regions.floor(addr);
        return i >= 0 && regions.get(i).end() > addr ? regions.get(i) : null;
    }

    /** Whether some part of this address space is unknown. */
    public boolean hasUnknown() {
        for (Region r : regions.values()) {
            if (!r.known()) {
                return true;
            }
        }
        return false;
    }

    public void retain() {
        users++;
    }

    /** Drops one user; returns true when it was the last, so the address space is gone. */
    public boolean releaseUser() {
        return --users <= 0;
    }

    // ---- the system calls -------------------------------------------------------------------------------

    /**
     * A range a call of the kernel's can have changed: page-aligned, not empty, not wrapping around, within user
     * space. A record that says a successful call changed any other range holds values no kernel writes (a damaged
     * or forged journal): it is counted ({@link RegionHistory#impossible}) and leaves the state as it was; its
     * syscall row is exported all the same.
     */
    private boolean possible(long start, long end) {
        if (Prot.isPageAligned(start) && inUserSpace(start, end)) {
            return true;
        }
        history.noteImpossible();
        return false;
    }

    /** The end of mremap's source range for the range checks: old_len 0 duplicates a shared mapping, from its first page. */
    private static long sourceEnd(long oldAddr, long oldSize) {
        return oldAddr + (oldSize == 0 ? Prot.PAGE_SIZE : oldSize);
    }

    /** [start, end) is not empty, does not wrap around, and lies within user space. */
    private static boolean inUserSpace(long start, long end) {
        return start >= 0 && end > start && end <= USER_END;
    }

    /**
     * mmap(2) that returned {@code ret}: on success the new region replaces whatever was in its range
     * (MAP_FIXED; without it the kernel chose a free range, so anything there is state we missed).
     */
    public void mmap(long ret, long len, int prot, int flags, MappedFile file, long off, long nowNs) {
        mmap(ret, len, prot, flags, file, off, nowNs, "mmap", 0);
    }

    /** An mmap the kernel made for another call ({@code cause}), with VMA flags of that call's own ({@code vmFlags}). */
    private void mmap(long ret, long len, int prot, int flags, MappedFile file, long off, long nowNs, String cause, long vmFlags) {
        if (ret < 0 || len == 0) {
            return; // -errno: a failed call (MAP_FIXED_NOREPLACE's EEXIST included) changed nothing
        }
        long end = ret + Prot.pageAlign(len);
        if (!possible(ret, end)) {
            return;
        }
        int type = flags & MAP_TYPE;
        boolean shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;
        // The replayer leaves MAP_NORESERVE out where the host ignores it (vm.overcommit_memory 2).
        vmFlags |= ((flags & MAP_NORESERVE) != 0 ? Region.VM_NORESERVE : 0)
                | ((flags & MAP_LOCKED) != 0 ? Region.VM_LOCKED : 0) | lockOnMap;
        if (type == MAP_DROPPABLE) {
            // 6.11+: memory the kernel may drop under pressure, never charged, wiped in a forked child and kept out of
            // core dumps (smaps: "nr wf dd dp"; glibc 2.41 keeps getrandom's state so). VM_DROPPABLE itself lies above
            // the bits a region keeps: these three keep such a mapping apart from ordinary anonymous memory.
            vmFlags |= Region.VM_NORESERVE | Region.VM_WIPEONFORK | Region.VM_DONTDUMP;
        }
        Region piece;
        if ((flags & MAP_ANONYMOUS) != 0) {
            piece = shared
                    ? Region.piece(ret, end, prot & 7, true, Backing.SHMEM, MappedFile.SHARED_ANON, 0, null) // pgoff 0
                    : Region.piece(ret, end, prot & 7, false, Backing.ANON, null, 0, null);
        } else {
            MappedFile f = file != null ? file : new MappedFile(null, 0, 0, MappedFile.CTIME_UNKNOWN);
            piece = Region.piece(ret, end, prot & 7, shared, Backing.FILE, f, off, null);
            if (Region.chargeable(Backing.FILE, shared, prot & 7) && (vmFlags & Region.VM_NORESERVE) == 0) {
                vmFlags |= Region.VM_ACCOUNT;
            }
        }
        piece = piece.withVmFlags(vmFlags);
        boolean replacedKnown = rewrite(ret, end, List.of(piece), nowNs, cause);
        if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) == 0 && replacedKnown) {
            history.noteInconsistency(); // the kernel chose a free range: the map missed an unmap there
        }
    }

    /** munmap(2): a successful call leaves [addr, addr + PAGE_ALIGN(len)) unmapped, splitting what it cuts. */
    public void munmap(long addr, long len, long ret, long nowNs) {
        if (ret != 0 || len == 0) {
            return;
        }
        long end = addr + Prot.pageAlign(len);
        if (possible(addr, end)) {
            rewrite(addr, end, List.of(), nowNs, "munmap");
        }
    }

    /**
     * mprotect(2) and pkey_mprotect(2). Returns the pieces a successful call changed, one per region it
     * touched with that region's previous state (what the kernel's per-VMA hook sees).
     *
     * <p>The kernel walks the VMAs of the range in order and changes each before looking at the next, so a
     * failed call may have changed a prefix of its range:
     * <ul>
     * <li>ENOMEM: the range has a hole. Nothing changes when {@code addr} itself is unmapped; otherwise every
     *     region before the first hole was changed. Where the map is unknown the hole may lie anywhere, so
     *     pages from there up to the first known hole get an unknown protection.</li>
     * <li>EACCES: one VMA refused (VM_MAY* bits, a security module, MDWE); those before it were changed, it
     *     and those after were not. Which one refused is not recorded: every region but the last gets an
     *     unknown protection (unless it already had the requested one); the last never changed.</li>
     * <li>EPERM: a sealed VMA (mseal) refused, those before it were changed (6.18 checks the seal VMA by VMA; the
     *     first mseal kernels checked the whole range before changing anything, which this does not tell apart).
     *     Where the map knows the sealed region, exactly so; where it knows none in the range (sealed before the
     *     recording and not in its snapshot), as for EACCES.</li>
     * <li>any other error (EINVAL) is raised before anything changes.</li>
     * </ul>
     */
    public List<ProtChange> mprotect(long addr, long len, int prot, long ret, long nowNs) {
        int newProt = prot & 7; // PROT_GROWSDOWN/GROWSUP only steer the kernel's range check
        if (len == 0) {
            return List.of();
        }
        long end = addr + Prot.pageAlign(len);
        // An unaligned address (EINVAL), a wrapping range or one beyond user space (ENOMEM) fails before any VMA is
        // looked at: nothing changed. A record that says such a call succeeded is impossible.
        if (ret == 0 ? !possible(addr, end) : !(Prot.isPageAligned(addr) && inUserSpace(addr, end))) {
            return List.of();
        }
        List<Region> spans = spans(addr, end);
        if (ret == 0) {
            return applyProt(addr, end, spans, newProt, nowNs);
        }
        if (ret == -ENOMEM) {
            applyUpToHole(addr, end, spans, newProt, nowNs);
        } else if (ret == -EACCES || ret == -EPERM && spans.stream().noneMatch(Region::sealed)) {
            applyRefused(addr, end, spans, newProt, nowNs);
        } else if (ret == -EPERM) {
            applyUpToSealed(addr, end, spans, newProt, nowNs);
        }
        return List.of();
    }

    /** mprotect's EPERM where the map knows the sealed region: every region before it changed, it and the rest did not. */
    private void applyUpToSealed(long addr, long end, List<Region> spans, int newProt, long nowNs) {
        List<Region> pieces = new ArrayList<>();
        boolean refused = false;
        for (Region r : spans) {
            refused |= r.sealed();
            pieces.add(refused ? r : r.withProt(newProt));
        }
        rewrite(addr, end, pieces, nowNs, "mprotect");
    }

    /**
     * mseal(2) that succeeded: every region of the range is sealed, split at its edges. The kernel refuses a range
     * with a hole (ENOMEM) or flags (EINVAL) before sealing anything: a failed call changed nothing.
     */
    public void mseal(long addr, long len, long ret, long nowNs) {
        changeEach(addr, len, ret, nowNs, "mseal", r -> r.withVmFlagsChanged(Region.VM_SEALED, 0));
    }

    /**
     * madvise(2) with advice that changes the flags of the VMAs it covers (the recorder records no other): the
     * regions in range get the flags the advice sets and lose those it clears, split at the range's page
     * boundaries. The kernel walks every VMA in the range: over holes it changes all that is mapped and says
     * ENOMEM. MADV_WIPEONFORK is refused (EINVAL) by the first VMA that is not private anonymous memory, and
     * those before it were changed; here an unknown region counts as refusing. Other failures changed nothing
     * (the kernel checks its arguments first; a refusal part way by a special mapping, MADV_DOFORK on VM_IO or
     * MADV_DODUMP on VM_PFNMAP/VM_DONTEXPAND memory, is not told apart).
     */
    public void madvise(long addr, long len, int advice, long ret, long nowNs) {
        madvise(addr, len, advice, ret, nowNs, "madvise");
    }

    private void madvise(long addr, long len, int advice, long ret, long nowNs, String cause) {
        long set, clear;
        switch (advice) {
            case MADV_NORMAL -> { set = 0; clear = Region.VM_SEQ_READ | Region.VM_RAND_READ; }
            case MADV_RANDOM -> { set = Region.VM_RAND_READ; clear = Region.VM_SEQ_READ; }
            case MADV_SEQUENTIAL -> { set = Region.VM_SEQ_READ; clear = Region.VM_RAND_READ; }
            case MADV_DONTFORK -> { set = Region.VM_DONTCOPY; clear = 0; }
            case MADV_DOFORK -> { set = 0; clear = Region.VM_DONTCOPY; }
            case MADV_HUGEPAGE -> { set = Region.VM_HUGEPAGE; clear = Region.VM_NOHUGEPAGE; }
            case MADV_NOHUGEPAGE -> { set = Region.VM_NOHUGEPAGE; clear = Region.VM_HUGEPAGE; }
            case MADV_DONTDUMP -> { set = Region.VM_DONTDUMP; clear = 0; }
            case MADV_DODUMP -> { set = 0; clear = Region.VM_DONTDUMP; }
            case MADV_WIPEONFORK -> { set = Region.VM_WIPEONFORK; clear = 0; }
            case MADV_KEEPONFORK -> { set = 0; clear = Region.VM_WIPEONFORK; }
            default -> { return; } // advice that changes no VMA
        }
        boolean refusedPartWay = ret == -EINVAL && advice == MADV_WIPEONFORK;
        if (len == 0 || !(ret == 0 || ret == -ENOMEM || refusedPartWay)) {
            return;
        }
        long end = addr + Prot.pageAlign(len);
        if (ret == 0 ? !possible(addr, end) : !(Prot.isPageAligned(addr) && inUserSpace(addr, end))) {
            return;
        }
        List<Region> pieces = new ArrayList<>();
        boolean refused = false;
        long at = addr;
        for (Region r : spans(addr, end)) {
            if (ret == 0 && r.start() > at) {
                // Success says the kernel found no hole: it had pages here that the map does not
                history.noteInconsistency();
                pieces.add(Region.unknown(at, r.start(), Prot.UNKNOWN));
            }
            refused |= refusedPartWay && (r.backing() != Backing.ANON || r.shared());
            pieces.add(refused || !r.known() ? r : r.withVmFlagsChanged(set, clear));
            at = r.end();
        }
        if (ret == 0 && at < end) {
            history.noteInconsistency();
            pieces.add(Region.unknown(at, end, Prot.UNKNOWN));
        }
        rewrite(addr, end, pieces, nowNs, cause);
    }

    /**
     * process_madvise(2) of the caller's own process with advice that changes VMA flags (the kernel takes any advice
     * for its caller's own process since 6.13; another's refuses it with EINVAL before anything): each range as a
     * madvise of it, in order. {@code ranges}: base and length pairs as the recorder read them, the first {@code named}
     * of the call's (null when it could not read them). {@code ret}: the bytes of the ranges done whole, or, when none
     * was, the first range's error. The range after those done whole failed with an error the call does not return:
     * inferred from the map (EINVAL for a start or length the kernel refuses; for MADV_WIPEONFORK, EINVAL where a region
     * in range is not private anonymous memory, the regions before it changed; else ENOMEM, a hole: the rest changed),
     * and counted as an uncertainty. {@code own}: the call named this address space (the recorder resolved its pidfd);
     * without that, EINVAL for the first range is not told apart from the refusal of another process's memory: with
     * MADV_WIPEONFORK, whose refusal part way changes the regions before, an uncertainty, nothing changed.
     */
    public void processMadvise(long[] ranges, long named, int advice, long ret, boolean own, long nowNs) {
        if (ret == 0 || ret == -EINVAL && advice != MADV_WIPEONFORK) {
            return; // no range, or only empty ones; or refused before anything
        }
        if (ranges == null || ret == -EINVAL && !own) {
            history.noteUncertainty(); // the ranges, or whether the refusal came part way, are not known
            return;
        }
        if (ret < 0) {
            if (ranges.length >= 2) {
                madvise(ranges[0], ranges[1], advice, ret, nowNs, "process_madvise");
            }
            return;
        }
        long left = ret;
        for (int i = 0; i < ranges.length; i += 2) {
            long base = ranges[i], len = ranges[i + 1];
            if (Long.compareUnsigned(len, left) <= 0) {
                madvise(base, len, advice, 0, nowNs, "process_madvise");
                left -= len;
            } else {
                history.noteUncertainty(); // failed, with an error the call does not return
                madvise(base, len, advice, inferredError(base, len, advice), nowNs, "process_madvise");
                return;
            }
        }
        if (left > 0 || named > ranges.length / 2) {
            history.noteUncertainty(); // ranges past the ones the recorder read were done, or one failed there
        }
    }

    private long inferredError(long addr, long len, int advice) {
        long end = addr + Prot.pageAlign(len);
        if (!Prot.isPageAligned(addr) || !inUserSpace(addr, end)) {
            return -EINVAL;
        }
        if (advice == MADV_WIPEONFORK) {
            for (Region r : spans(addr, end)) {
                if (r.backing() != Backing.ANON || r.shared()) {
                    return -EINVAL;
                }
            }
        }
        return -ENOMEM;
    }

    /**
     * mbind(2) that succeeded: every region of the range, widened to whole pages, gets the NUMA policy the kernel left
     * on the range's VMAs (one policy for them all; null: MPOL_DEFAULT, none), split at the range's edges. The kernel
     * merges two VMAs only when their policies are equal (mpol_equal), so a policy on part of a mapping is a region of
     * its own, and the same policy on its neighbour merges them again. The kernel refuses a range with a hole (EFAULT)
     * before it changes anything; other failures are taken as having changed nothing (one part way, ENOMEM while
     * splitting, is not told apart).
     */
    public void mbind(long addr, long len, Policy policy, long ret, long nowNs) {
        changeEach(addr, len, ret, nowNs, "mbind", r -> r.withPolicy(policy));
    }

    /**
     * set_mempolicy_home_node(2) that succeeded: the regions of the range that have a policy get it with that home
     * node (the kernel makes each such VMA's policy a copy with it, splitting at the range's edges; it refuses, part
     * way, a VMA whose policy is neither MPOL_BIND nor MPOL_PREFERRED_MANY: a failure changed nothing here).
     */
    public void homeNode(long addr, long len, int homeNode, long ret, long nowNs) {
        changeEach(addr, len, ret, nowNs, "set_mempolicy_home_node", r -> r.policy() == null ? r
                : r.withPolicy(new Policy(r.policy().mode(), r.policy().flags(), homeNode, r.policy().nodes(), r.policy().userNodes())));
    }

    /**
     * A call that succeeded over a range the kernel refuses when it holds a hole (mseal, mbind, set_mempolicy_home_node):
     * each known region of the range, widened to whole pages, changed by {@code change}, split at the range's edges.
     * Pages the map lacks there were the kernel's all the same: unknown, and counted as an inconsistency.
     */
    private void changeEach(long addr, long len, long ret, long nowNs, String cause, java.util.function.UnaryOperator<Region> change) {
        if (ret != 0 || len == 0) {
            return;
        }
        long end = addr + Prot.pageAlign(len);
        if (!possible(addr, end)) {
            return;
        }
        List<Region> pieces = new ArrayList<>();
        long at = addr;
        for (Region r : spans(addr, end)) {
            if (r.start() > at) {
                // Success says the kernel found no hole: it had pages here that the map does not
                history.noteInconsistency();
                pieces.add(Region.unknown(at, r.start(), Prot.UNKNOWN));
            }
            pieces.add(r.known() ? change.apply(r) : r);
            at = r.end();
        }
        if (at < end) {
            history.noteInconsistency();
            pieces.add(Region.unknown(at, end, Prot.UNKNOWN));
        }
        rewrite(addr, end, pieces, nowNs, cause);
    }

    /**
     * mlock(2), mlock2(2) ({@code lockFlags} VM_LOCKED, with VM_LOCKONFAULT for MLOCK_ONFAULT) and munlock(2) ({@code
     * lockFlags} 0): the regions of the range, widened to whole pages, get exactly these lock flags, split at the
     * range's edges; special mappings keep theirs. The kernel changes the VMAs in order up to the first hole (ENOMEM
     * after changing those before it; nothing when the range starts in a hole), then mlock faults the pages in, and a
     * failure there (EAGAIN; ENOMEM for pages it cannot fault, PROT_NONE) comes after every VMA was changed.
     * mlock's ENOMEM is also what a process without CAP_IPC_LOCK gets past RLIMIT_MEMLOCK, before anything changed,
     * and the records cannot tell which: an mlock that failed with ENOMEM is taken as having changed nothing (the
     * common case), and counted as uncertain where the range held a hole or a PROT_NONE region that could have
     * made it fail part way. munlock has no limit to hit: its ENOMEM is the hole. Other failures changed nothing.
     */
    public void mlock(long addr, long len, long lockFlags, long ret, long nowNs) {
        long start = addr & -Prot.PAGE_SIZE; // mlock rounds the start down instead of refusing it, unlike mprotect
        long end = Prot.pageAlign(addr + len);
        boolean complete = ret == 0 || ret == -EAGAIN; // every VMA of the range was changed
        boolean upToHole = lockFlags == 0 && ret == -ENOMEM;
        if (end == start || !(complete || upToHole || ret == -ENOMEM)) {
            return; // (len 0 at an unaligned address still covers its page: the kernel aligns the length with it)
        }
        if (complete ? !possible(start, end) : !inUserSpace(start, end)) {
            return;
        }
        List<Region> spans = spans(start, end);
        if (!complete && !upToHole) { // mlock's ENOMEM: taken as the limit's, which changed nothing
            if (!covers(spans, start, end) || spans.stream().anyMatch(r -> r.prot() == 0 || r.prot() == Prot.UNKNOWN)) {
                history.noteUncertainty(); // it may as well have changed a part, or all, of the range
            }
            return;
        }
        List<Region> pieces = new ArrayList<>();
        long at = start;
        for (Region r : spans) {
            if (r.start() > at) {
                if (upToHole) {
                    break; // the first hole: the kernel stopped there; nothing after it changed
                }
                history.noteInconsistency(); // success says the kernel found no hole: it had pages the map does not
                pieces.add(Region.unknown(at, r.start(), Prot.UNKNOWN));
            }
            if (upToHole && !r.known()) {
                history.noteUncertainty(); // the hole may lie in here: what comes after may or may not have changed
                at = r.end();
                pieces.add(r);
                break;
            }
            pieces.add(withLock(r, lockFlags));
            at = r.end();
        }
        if (complete && at < end) {
            history.noteInconsistency();
            pieces.add(Region.unknown(at, end, Prot.UNKNOWN));
            at = end;
        }
        if (!pieces.isEmpty()) {
            rewrite(start, at, pieces, nowNs, lockFlags == 0 ? "munlock" : "mlock");
        }
    }

    /** r with exactly these lock flags; unknown pages, and special mappings (the kernel's mlock_fixup skips them), as they are. */
    private static Region withLock(Region r, long lockFlags) {
        return !r.known() || r.special() ? r : r.withVmFlagsChanged(lockFlags, Region.VM_LOCKED_MASK & ~lockFlags);
    }

    /** Whether {@code spans} (in address order) cover [start, end) without a gap. */
    private static boolean covers(List<Region> spans, long start, long end) {
        long at = start;
        for (Region r : spans) {
            if (r.start() != at) {
                return false;
            }
            at = r.end();
        }
        return at == end;
    }

    /**
     * mlockall(2) that succeeded: MCL_FUTURE locks every mapping made from then on (MCL_ONFAULT: as pages fault in),
     * and without it that stops; MCL_CURRENT locks every region there is, special mappings aside. A failed call
     * (EINVAL, EPERM, ENOMEM past RLIMIT_MEMLOCK) changed nothing. munlockall is {@code flags} 0.
     */
    public void mlockall(int flags, long ret, long nowNs) {
        if (ret != 0) {
            return;
        }
        long onFault = (flags & MCL_ONFAULT) != 0 ? Region.VM_LOCKONFAULT : 0;
        lockOnMap = (flags & MCL_FUTURE) != 0 ? Region.VM_LOCKED | onFault : 0;
        if ((flags & MCL_FUTURE) != 0 && (flags & MCL_CURRENT) == 0) {
            return; // the kernel leaves the regions there are as they are
        }
        long lockFlags = (flags & MCL_CURRENT) != 0 ? Region.VM_LOCKED | onFault : 0;
        List<Region> pieces = new ArrayList<>();
        for (Region r : regions.values()) {
            pieces.add(withLock(r, lockFlags));
        }
        if (!pieces.isEmpty()) {
            rewrite(pieces.getFirst().start(), pieces.getLast().end(), pieces, nowNs, flags == 0 ? "munlockall" : "mlockall");
        }
    }

    /**
     * shmdt(2) that succeeded: the kernel unmaps the System V segment attached at {@code addr}: the first mapping of a
     * segment at or above addr that lies at its own offset from addr (start - offset == addr), and every other piece of
     * that segment lying so (left by mprotect or munmap), as ipc/shm.c's do_shmdt does. A segment's mapping is a
     * shared file region named "/SYSV..." (the kernel asks for shm's own vm_ops, which the records do not carry).
     */
    public void shmdt(long addr, long ret, long nowNs) {
        if (ret != 0) {
            return;
        }
        if (!Prot.isPageAligned(addr) || !inUserSpace(addr, addr + Prot.PAGE_SIZE)) {
            history.noteImpossible(); // the kernel refuses an unaligned address before looking at any VMA
            return;
        }
        MappedFile segment = null;
        List<Region> pieces = new ArrayList<>();
        for (int i = regions.ceiling(addr); i < regions.size(); i++) {
            Region r = regions.get(i);
            boolean atItsOffset = r.known() && r.shared() && r.backing() == Backing.FILE && r.start() - r.offset() == addr;
            if (segment == null && atItsOffset && isShmSegment(r.file())) {
                segment = r.file();
            }
            if (segment != null && atItsOffset && segment.equals(r.file())) {
                pieces.add(r);
            }
        }
        if (segment == null) {
            Region there = at(addr);
            if (there == null || there.known()) {
                history.noteInconsistency(); // the kernel found a segment there that the map does not hold
            }
            return;
        }
        for (Region r : pieces) {
            rewrite(r.start(), r.end(), List.of(), nowNs, "shmdt");
        }
    }

    /**
     * remap_file_pages(2) that succeeded: the kernel maps pages {@code pgoff} on of the shared file mapping at
     * {@code start} over [start, start + size) (mm/mmap.c: a do_mmap() with MAP_FIXED of the VMA's file, its
     * protection, and MAP_LOCKED when it was locked; a fresh VMA, without the flags madvise had set there).
     */
    public void remapFilePages(long start, long size, long pgoff, long ret, long nowNs) {
        if (ret != 0) {
            return;
        }
        start &= -Prot.PAGE_SIZE;
        size &= -Prot.PAGE_SIZE;
        Region r = at(start);
        if (r == null || !r.known() || !r.shared() || r.backing() != Backing.FILE || r.prot() == Prot.UNKNOWN) {
            if (r == null || r.known()) {
                history.noteInconsistency(); // the kernel found a shared file mapping there that the map does not hold
            }
            return;
        }
        int flags = MAP_SHARED | MAP_FIXED | ((r.vmFlags() & Region.VM_LOCKED) != 0 ? MAP_LOCKED : 0);
        mmap(start, size, r.prot(), flags, r.file(), pgoff * Prot.PAGE_SIZE, nowNs, "remap_file_pages", 0);
    }

    /**
     * io_setup(2) that succeeded: the kernel mapped the AIO ring at {@code addr} (aio_setup_ring(): a do_mmap() of an
     * "[aio]" pseudo file, shared and RW, which aio_ring_mmap() marks VM_DONTEXPAND; smaps shows "rd wr sh mr mw ms de").
     */
    public void aioRing(long addr, long len, MappedFile file, long nowNs) {
        mmap(addr, len, Prot.READ | Prot.WRITE, MAP_SHARED, file, 0, nowNs, "io_setup", Region.VM_DONTEXPAND);
    }

    /**
     * io_destroy(2) that succeeded: the kernel unmaps the ring at {@code ctx} (kill_ioctx(): the ring's base and size),
     * which is the mapping of one "[aio]" file from ctx on (a moved ring's ctx moved with it, aio_ring_mremap()).
     */
    public void ioDestroy(long ctx, long ret, long nowNs) {
        if (ret != 0) {
            return;
        }
        Region first = at(ctx);
        if (first == null || !first.known() || first.start() != ctx || first.file() == null) {
            if (first == null || first.known()) {
                history.noteInconsistency(); // the kernel found a ring there that the map does not hold
            }
            return;
        }
        long end = first.end();
        for (int i = regions.ceiling(end); i < regions.size() && regions.get(i).start() == end
                && first.file().equals(regions.get(i).file()); i++) {
            end = regions.get(i).end(); // the ring's pieces, if an mprotect split it
        }
        rewrite(ctx, end, List.of(), nowNs, "io_destroy");
    }

    /** The thread whose call the next operations apply (a record's tid). */
    public void actor(int tid) {
        actor = tid;
    }

    /** This address space's last changes, for the MS_ORDER notes of the calls applied to it (ask before applying one). */
    public RecentChanges recentChanges() {
        return recent;
    }

    /**
     * [from, to) may hold something else than the calls applied in the records' order made: a call changed it and
     * another call changed it too before the first returned, and which change the kernel made last is not known. Its
     * pages become unknown (the replayer counts and reports these itself).
     */
    public void raced(long from, long to, long nowNs) {
        long lo = Math.max(from, 0), hi = Math.min(to, USER_END);
        if (lo >= hi) {
            return;
        }
        rewrite(lo, hi, List.of(Region.unknown(lo, hi, Prot.UNKNOWN)), nowNs, "order");
    }

    /**
     * A successful call mapped something at {@code addr} whose extent the record does not give (a shmat whose VMA the
     * recorder could not look up: the mmap lock was contended at sys_exit). At least its first page is mapped: that
     * page becomes unknown, and the uncertainty is counted.
     */
    public void mappedWithoutExtent(long addr, long nowNs, String cause) {
        if (!possible(addr, addr + Prot.PAGE_SIZE)) {
            return;
        }
        history.noteUncertainty();
        rewrite(addr, addr + Prot.PAGE_SIZE, List.of(Region.unknown(addr, addr + Prot.PAGE_SIZE, Prot.UNKNOWN)), nowNs, cause);
    }

    private static boolean isShmSegment(MappedFile f) {
        return f != null && f.path() != null && f.path().startsWith("/SYSV");
    }

    /**
     * mremap(2) that returned {@code ret}: shrink and grow in place (ret == old address), or a move (MAYMOVE,
     * FIXED) that carries the old pages' attributes to ret, growing them from the last page's region; with
     * MREMAP_DONTUNMAP the old range stays mapped (emptied of pages, same attributes). An old length of 0
     * duplicates a shared mapping and leaves the old one. A pure move (MREMAP_FIXED, same length) moves each
     * region of the source separately, as the kernel does since 6.17 (it may span several VMAs and gaps): the
     * target keeps whatever faces the source's gaps.
     */
    public void mremap(long oldAddr, long oldLen, long newLen, int flags, long newAddr, long ret, long nowNs) {
        long oldSize = Prot.pageAlign(oldLen);
        long newSize = Prot.pageAlign(newLen);
        if (ret < 0) {
            failedFixedMremap(oldAddr, oldSize, newSize, flags, newAddr, ret, nowNs);
            return;
        }
        // A successful call moved or resized ranges the kernel can have: the old one and the new one.
        if (!possible(oldAddr, sourceEnd(oldAddr, oldSize)) || !possible(ret, ret + newSize)) {
            return;
        }
        if (oldSize == 0) {
            Region src = at(oldAddr);
            rewrite(ret, ret + newSize, List.of(extension(src, oldAddr, ret, ret + newSize)), nowNs, "mremap");
            return;
        }
        long oldEnd = oldAddr + oldSize;
        if (ret == oldAddr) { // resized in place
            if (newSize < oldSize) {
                rewrite(oldAddr + newSize, oldEnd, List.of(), nowNs, "mremap");
            } else if (newSize > oldSize) {
                Region last = at(oldEnd - Prot.PAGE_SIZE);
                rewrite(oldEnd, oldAddr + newSize, List.of(extension(last, oldEnd, oldEnd, oldAddr + newSize)), nowNs, "mremap");
            }
            return;
        }
        long copied = Math.min(oldSize, newSize);
        if ((flags & MREMAP_FIXED) != 0 && oldSize == newSize) {
            // A pure move (6.17+): each VMA of the source moves on its own to the same offset in the target,
            // replacing only what lies there; target pages facing gaps of the source stay as they were.
            List<Region> sources = spans(oldAddr, oldEnd);
            if ((flags & MREMAP_DONTUNMAP) == 0) {
                rewrite(oldAddr, oldEnd, List.of(), nowNs, "mremap");
            } else {
                sources.forEach(r -> unlockLeftBehind(r.start(), nowNs));
            }
            for (Region r : sources) {
                long to = ret + (r.start() - oldAddr);
                rewrite(to, to + r.length(), List.of(r.movedTo(to)), nowNs, "mremap");
            }
            return;
        }
        List<Region> moved = new ArrayList<>();
        for (Region r : spans(oldAddr, oldAddr + copied)) {
            moved.add(r.movedTo(ret + (r.start() - oldAddr)));
        }
        if (newSize > oldSize) {
            Region last = at(oldEnd - Prot.PAGE_SIZE);
            moved.add(extension(last, oldEnd, ret + oldSize, ret + newSize).movedTo(ret + oldSize));
        }
        if ((flags & MREMAP_DONTUNMAP) == 0) {
            rewrite(oldAddr, oldEnd, List.of(), nowNs, "mremap");
        } else {
            unlockLeftBehind(oldAddr, nowNs);
        }
        rewrite(ret, ret + newSize, moved, nowNs, "mremap");
    }

    /**
     * MREMAP_DONTUNMAP leaves the old VMA mapped but no longer locked: the kernel clears VM_LOCKED and VM_LOCKONFAULT
     * on the whole VMA the old range lay in, beyond the range too (seen on 6.18); the moved pages keep theirs.
     */
    private void unlockLeftBehind(long oldAddr, long nowNs) {
        Region r = at(oldAddr);
        if (r != null && r.known() && (r.vmFlags() & Region.VM_LOCKED_MASK) != 0) {
            rewrite(r.start(), r.end(), List.of(r.withVmFlagsChanged(0, Region.VM_LOCKED_MASK)), nowNs, "mremap");
        }
    }

    /**
     * A failed mremap changed nothing, except with MREMAP_FIXED: once the source passed its checks the kernel
     * unmaps the target range and only then moves, so a later failure leaves the target unmapped. Seen on 6.18
     * (mapfuzz.c): old_len 0 with the target over the source VMA unmaps the target, source included, then says
     * EFAULT; any other EFAULT, and EINVAL, come from the checks, before anything changes. Other errors (ENOMEM,
     * EAGAIN) may come before or after the unmap, and "the old range lies in one VMA" cannot be replayed exactly
     * (the map merges what the kernel may keep as two VMAs): the target's pages become unknown. A pure move
     * (same lengths) goes VMA by VMA and may stop half-way: both ranges become unknown.
     */
    private void failedFixedMremap(long oldAddr, long oldSize, long newSize, int flags, long newAddr, long ret, long nowNs) {
        if ((flags & MREMAP_FIXED) == 0 || ret == -EINVAL || !Prot.isPageAligned(newAddr)
                || !inUserSpace(newAddr, newAddr + newSize) || !inUserSpace(oldAddr, sourceEnd(oldAddr, oldSize))) {
            return; // ranges the kernel checks before it touches anything (EINVAL, ENOMEM)
        }
        Region src = at(oldAddr);
        if (src == null) {
            return; // no VMA at the old address: the first check (EFAULT)
        }
        long newEnd = newAddr + newSize;
        boolean targetOverSource = newAddr < src.end() && src.start() < newEnd;
        if (ret == -EFAULT) {
            // After the checks passed, only the target's unmap can take the source away, and the target may
            // overlap the old range only when that range is empty (old_len 0): then the target is unmapped.
            // Any other EFAULT is a failed check: nothing was touched.
            if (oldSize == 0 && targetOverSource) {
                rewrite(newAddr, newEnd, List.of(), nowNs, "mremap");
            }
            return;
        }
        // A seal (EPERM) may refuse after the target was unmapped and part of a multi-VMA move was made (seen on 6.18
        // with scripts/workloads/mapfuzz.c; which parts, the record does not tell): as the other late failures below.
        if (src.known() && oldSize != newSize && oldSize != 0 && src.end() < oldAddr + oldSize) {
            return; // the old range is not one region even in the merged map: the checks failed
        }
        history.noteUncertainty();
        rewrite(newAddr, newEnd, List.of(Region.unknown(newAddr, newEnd, Prot.UNKNOWN)), nowNs, "mremap");
        if (oldSize == newSize && (flags & MREMAP_DONTUNMAP) == 0) {
            rewrite(oldAddr, oldAddr + oldSize, List.of(Region.unknown(oldAddr, oldAddr + oldSize, Prot.UNKNOWN)), nowNs, "mremap");
        }
    }

    /**
     * brk(2): after the call the heap is [start_brk, PAGE_ALIGN(ret)); the kernel adds or unmaps whole pages
     * between the old and the new page-aligned break. A failed call returns the old break: no change.
     */
    public void brk(long startBrk, long ret, long nowNs) {
        brk(startBrk, ret, false, nowNs);
    }

    /** brk(2); exec: the task's personality has READ_IMPLIES_EXEC, under which the heap grows executable (VM_DATA_DEFAULT_FLAGS). */
    public void brk(long startBrk, long ret, boolean exec, long nowNs) {
        if (ret <= 0 || ret < startBrk) {
            return;
        }
        long oldEnd = brkEnd >= 0 ? brkEnd : heapEnd(startBrk);
        long newEnd = Prot.pageAlign(ret);
        if (newEnd > oldEnd) {
            Region grown = Region.piece(oldEnd, newEnd, Prot.READ | Prot.WRITE | (exec ? Prot.EXEC : 0), false, Backing.ANON,
                    null, 0, "[heap]");
            rewrite(oldEnd, newEnd, List.of(grown.withVmFlags(lockOnMap)), nowNs, "brk");
        } else if (newEnd < oldEnd) {
            rewrite(newEnd, oldEnd, List.of(), nowNs, "brk");
        }
        brkEnd = newEnd;
    }

    /**
     * prctl(PR_SET_MM): the kernel's program break is now {@code brk}. PR_SET_MM_BRK and PR_SET_MM_MAP set mm->brk
     * without mapping or unmapping anything; the next brk grows or shrinks the heap from PAGE_ALIGN(mm->brk), as the
     * kernel's does. -1: moved to where the recording cannot say (an older journal's PR_SET_MM_MAP, whose struct was
     * not read): the next brk starts from the heap's end as the map shows it, as before a process's first brk call,
     * and the replay counts the uncertainty.
     */
    public void breakMoved(long brk) {
        if (brk < 0) {
            history.noteUncertainty();
            brkEnd = -1;
        } else {
            brkEnd = Prot.pageAlign(brk);
        }
    }

    /**
     * Fills the unknown parts with what a later, complete view says (the start-up snapshot): parts the
     * recording already knows stay as recorded, since records after the snapshot are newer than it.
     */
    public void fillUnknown(List<Region> complete, long nowNs) {
        actor = 0; // the snapshot's view, not a call's change
        List<Region> view = sortedDisjoint(complete);
        for (Region u : new ArrayList<>(regions.values())) {
            if (u.known()) {
                continue;
            }
            List<Region> pieces = new ArrayList<>();
            for (Region r : view) {
                if (r.end() > u.start() && r.start() < u.end()) {
                    pieces.add(r.clip(u.start(), u.end()));
                }
            }
            rewrite(u.start(), u.end(), pieces, nowNs, "snapshot");
        }
    }

    /**
     * fork(2) without CLONE_VM: the child gets a copy; every region starts a new version in the child's map. A region
     * under MADV_DONTFORK (VM_DONTCOPY) is not copied: the child has a hole there, as in the kernel's dup_mmap; the
     * child's copies are not locked (VM_LOCKED cleared), and it starts without mlockall(MCL_FUTURE)'s flags. dup_mmap
     * copies VMA by VMA without merging: a locked region next to an equal unlocked one is two VMAs in the child, and
     * two regions here too (copies are appended as they are) until a call over them merges them.
     */
    public RegionMap forkCopy(long newId, int childPid, String childComm, long nowNs) {
        RegionMap child = new RegionMap(newId, childPid, childComm, history);
        for (Region r : regions.values()) {
            if ((r.vmFlags() & Region.VM_DONTCOPY) == 0) {
                child.regions.append(r.withVmFlagsChanged(0, Region.VM_LOCKED_MASK).asVersion(history.nextVersion(), nowNs, "fork", childComm));
            }
        }
        child.brkEnd = brkEnd;
        return child;
    }

    /** The address space is gone (last user exited or exec'ed): every version ends now. */
    public void close(long nowNs) {
        for (Region r : regions.values()) {
            history.closed(this, r, nowNs);
        }
        regions.clear();
    }

    // ---- the pieces the calls are made of -------------------------------------------------------------------

    /** The regions inside [from, to), clipped, in address order (gaps are simply absent). */
    public List<Region> spans(long from, long to) {
        List<Region> out = new ArrayList<>(4);
        int i = regions.floor(from);
        if (i >= 0 && regions.get(i).end() > from) {
            out.add(regions.get(i).clip(from, to));
        }
        for (i++; i < regions.size() && regions.get(i).start() < to; i++) {
            out.add(regions.get(i).clip(from, to));
        }
        return out;
    }

    private List<ProtChange> applyProt(long addr, long end, List<Region> spans, int newProt, long nowNs) {
        List<ProtChange> changes = new ArrayList<>();
        List<Region> pieces = new ArrayList<>();
        long at = addr;
        for (Region r : spans) {
            if (r.start() > at) { // the kernel found pages here that the map does not have
                history.noteInconsistency();
                pieces.add(Region.unknown(at, r.start(), newProt));
                changes.add(new ProtChange(at, r.start(), null, newProt));
            }
            pieces.add(r.withProt(newProt));
            changes.add(new ProtChange(r.start(), r.end(), r, newProt));
            at = r.end();
        }
        if (at < end) {
            history.noteInconsistency();
            pieces.add(Region.unknown(at, end, newProt));
            changes.add(new ProtChange(at, end, null, newProt));
        }
        rewrite(addr, end, pieces, nowNs, "mprotect");
        return changes;
    }

    private void applyUpToHole(long addr, long end, List<Region> spans, int newProt, long nowNs) {
        if (spans.isEmpty() || spans.getFirst().start() > addr) {
            return; // addr itself unmapped: the kernel fails before touching anything
        }
        List<Region> pieces = new ArrayList<>();
        boolean certain = true;
        boolean holeSeen = false;
        long at = addr;
        for (Region r : spans) {
            if (r.start() > at) {
                holeSeen = true; // the kernel stopped at the first hole: nothing from here on changed
            }
            if (holeSeen) {
                pieces.add(r);
                continue;
            }
            if (!r.known()) {
                certain = false; // the hole may lie inside this unknown part
            }
            pieces.add(certain ? r.withProt(newProt) : maybeProt(r, newProt));
            at = r.end();
        }
        if (!holeSeen && at >= end) {
            // No hole in the map, yet the kernel said ENOMEM (a VMA split hit the map count, or the map missed
            // something): any region of the range may or may not have changed.
            pieces.replaceAll(r -> maybeProt(r, newProt));
            certain = false;
        }
        if (!certain) {
            history.noteUncertainty();
        }
        rewrite(addr, end, pieces, nowNs, "mprotect");
    }

    private void applyRefused(long addr, long end, List<Region> spans, int newProt, long nowNs) {
        if (spans.isEmpty() || spans.getFirst().start() > addr) {
            return; // the kernel would have said ENOMEM: nothing changed
        }
        List<Region> pieces = new ArrayList<>();
        long at = addr;
        int walked = 0;
        for (Region r : spans) {
            if (r.start() > at) {
                break; // the refusal came before the first hole
            }
            walked++;
            at = r.end();
        }
        boolean changed = false;
        for (int i = 0; i < spans.size(); i++) {
            Region r = spans.get(i);
            boolean lastWalked = i == walked - 1;
            // The refusing VMA and those after it are untouched; the last walked region is never changed,
            // unless it is unknown (it may hide several VMAs).
            if (i < walked && (!lastWalked || !r.known())) {
                Region p = maybeProt(r, newProt);
                changed |= p != r;
                pieces.add(p);
            } else {
                pieces.add(r);
            }
        }
        if (changed) {
            history.noteUncertainty();
        }
        rewrite(addr, end, pieces, nowNs, "mprotect");
    }

    /** A region that may or may not have received {@code newProt}. */
    private static Region maybeProt(Region r, int newProt) {
        return r.prot() == newProt ? r : r.withProt(Prot.UNKNOWN);
    }

    /** Pages [from, to) that continue {@code src} at {@code srcAddr} (mremap growth): same attributes, offset running on. */
    private static Region extension(Region src, long srcAddr, long from, long to) {
        if (src == null) {
            return Region.unknown(from, to, Prot.UNKNOWN); // the map had nothing there: state we missed
        }
        long off = src.offset() + (srcAddr - src.start());
        return Region.piece(from, to, src.prot(), src.shared(), src.backing(), src.file(), off, src.label())
                .withVmFlags(src.vmFlags());
    }

    /** The end of the heap the map already holds: the [heap] regions running on from start_brk. */
    private long heapEnd(long startBrk) {
        long end = startBrk;
        Region r = at(end);
        while (r != null && "[heap]".equals(r.label())) {
            end = r.end();
            r = at(end);
        }
        return end;
    }

    /**
     * Replaces whatever lies in [lo, hi) by {@code pieces} (sorted, disjoint, inside [lo, hi); gaps are
     * unmapped), merges with the neighbours where the attributes run on, and closes/opens exactly the versions
     * whose pages or attributes changed. Returns whether a known region overlapped [lo, hi) before (mmap's
     * consistency check, answered from the walk this makes anyway).
     */
    private boolean rewrite(long lo, long hi, List<Region> pieces, long nowNs, String cause) {
        if (actor != 0) {
            recent.add(lo, hi, nowNs, actor); // a recorded call's change (not a snapshot's or an exec walk's)
        }
        // The old regions are one run of the index, [first, first + old.size()): the one before lo when it
        // overlaps lo or ends at lo (it may merge), and every region starting in [lo, hi] (the one starting at
        // hi may merge too).
        List<Region> old = new ArrayList<>(4);
        int first = regions.ceiling(lo);
        if (first > 0 && regions.get(first - 1).end() >= lo) {
            first--;
        }
        for (int i = first; i < regions.size() && regions.get(i).start() <= hi; i++) {
            old.add(regions.get(i));
        }

        List<Region> fresh = new ArrayList<>(old.size() + pieces.size());
        boolean replacedKnown = false;
        for (Region r : old) {
            if (r.start() < lo) {
                fresh.add(r.clip(r.start(), lo));
            }
            replacedKnown |= r.known() && r.start() < hi && r.end() > lo;
        }
        fresh.addAll(pieces);
        for (Region r : old) {
            if (r.end() > hi) {
                fresh.add(r.clip(Math.max(hi, r.start()), r.end()));
            }
        }
        List<Region> merged = new ArrayList<>(fresh.size());
        for (Region f : fresh) {
            Region last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && last.continuesInto(f)) {
                merged.set(merged.size() - 1, last.withExtent(last.start(), f.end()));
            } else {
                merged.add(f);
            }
        }
        // Both lists are sorted by start: one walk finds the old regions that survive unchanged (they keep
        // their version, the very object); the others are closed, and every new shape opens a version.
        Region[] kept = new Region[merged.size()];
        int j = 0;
        for (Region r : old) {
            while (j < merged.size() && merged.get(j).start() < r.start()) {
                j++;
            }
            if (j < merged.size() && merged.get(j).start() == r.start() && merged.get(j).sameShape(r)) {
                kept[j] = r;
            } else {
                history.closed(this, r, nowNs);
            }
        }
        for (int i = 0; i < merged.size(); i++) {
            if (kept[i] == null) {
                kept[i] = merged.get(i).asVersion(history.nextVersion(), nowNs, cause, ownerComm);
            }
        }
        regions.replace(first, first + old.size(), Arrays.asList(kept));
        return replacedKnown;
    }

    /** Sorts and drops overlaps (a hostile or damaged input must not break the map's invariant). */
    private static List<Region> sortedDisjoint(List<Region> in) {
        List<Region> sorted = new ArrayList<>(in);
        sorted.sort((a, b) -> Long.compare(a.start(), b.start()));
        List<Region> out = new ArrayList<>();
        long at = 0;
        for (Region r : sorted) {
            long from = Math.max(at, r.start()), to = Math.min(r.end(), USER_END);
            if (from >= to) {
                continue; // inside what came before, or above user space (an earlier one may end at its top)
            }
            Region c = r.clip(from, to);
            out.add(c);
            at = c.end();
        }
        return out;
    }

    private static List<Region> withUnknownAbove(List<Region> known, long knownUpTo) {
        List<Region> out = new ArrayList<>();
        long at = Math.min(knownUpTo, USER_END);
        for (Region r : known) {
            if (r.start() > at && at < USER_END) {
                out.add(Region.unknown(at, r.start(), Prot.UNKNOWN));
            }
            out.add(r);
            at = Math.max(at, r.end());
        }
        if (at < USER_END) {
            out.add(Region.unknown(at, USER_END, Prot.UNKNOWN));
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("mm#" + id + " (pid " + ownerPid + ")\n");
        for (Region r : regions.values()) {
            sb.append("  ").append(r).append('\n');
        }
        return sb.toString();
    }
}
