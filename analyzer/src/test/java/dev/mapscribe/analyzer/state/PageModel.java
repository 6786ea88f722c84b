package dev.mapscribe.analyzer.state;

import dev.mapscribe.analyzer.derive.ProtAlerts;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The simplest possible model of an address space: one entry per page, inside a small arena. It plays the
 * kernel: it decides each call's result (the address, or -errno) the way Linux would, page by page, so a
 * region map fed the same calls with those results must end with the same pages.
 */
final class PageModel {
    static final long P = Prot.PAGE_SIZE;
    static final long ENOMEM = -12, EFAULT = -14, EINVAL = -22;

    /**
     * accounted: a private file page that is or was writable (the kernel's VM_ACCOUNT, which a file mapping keeps),
     * unless mapped under MAP_NORESERVE; flags: VM_NORESERVE (mapped so, kept for good), the flags madvise sets and the
     * lock flags.
     */
    record Page(int prot, boolean shared, Backing backing, MappedFile file, long offset, String label, boolean accounted,
                long flags) {
        boolean noReserve() {
            return (flags & Region.VM_NORESERVE) != 0;
        }

        /** Whether {@code next}, one page higher, belongs to the same region (same rule as the kernel's VMA merge). */
        boolean runsInto(Page next) {
            return prot == next.prot && shared == next.shared && backing == next.backing && Objects.equals(file, next.file)
                    && Objects.equals(label, next.label) && accounted == next.accounted && flags == next.flags
                    && (!Region.hasOffset(backing) || offset + P == next.offset);
        }

        Page at(long newOffset, String newLabel) {
            return new Page(prot, shared, backing, file, newOffset, newLabel, accounted, flags);
        }

        /** This page with another protection: a private file page made writable is charged from then on. */
        Page withProt(int newProt) {
            boolean charged = accounted
                    || !noReserve() && backing == Backing.FILE && !shared && (newProt & Prot.WRITE) != 0 && (prot & Prot.WRITE) == 0;
            return new Page(newProt, shared, backing, file, offset, label, charged, flags);
        }

        Page withFlags(long set, long clear) {
            return new Page(prot, shared, backing, file, offset, label, accounted, (flags & ~clear) | set);
        }
    }

    /** One alert the model expects: [start, end) had prevProt and got prot. */
    record Alert(String alert, long start, long end, int prot, int prevProt) {}

    final long base;
    final long limit;
    final TreeMap<Long, Page> pages = new TreeMap<>();
    /** mlockall(MCL_FUTURE)'s flags, which every later mapping gets. */
    long lockOnMap;

    PageModel(long base, int arenaPages) {
        this.base = base;
        this.limit = base + arenaPages * P;
    }

    long mmap(long addr, long len, int prot, int flags, MappedFile file, long off) {
        long size = Prot.pageAlign(len);
        long at;
        if ((flags & Maps.MAP_FIXED) != 0) {
            at = addr;
        } else if (free(addr, addr + size)) {
            at = addr; // the hint is honoured when the range is free
        } else {
            at = firstFit(size);
            if (at < 0) {
                return ENOMEM;
            }
        }
        boolean anon = (flags & Maps.MAP_ANON) != 0;
        boolean shared = (flags & 3) == Maps.MAP_SHARED;
        boolean nr = (flags & Maps.MAP_NORESERVE) != 0;
        long vmFlags = (nr ? Region.VM_NORESERVE : 0) | ((flags & 0x2000) != 0 ? Region.VM_LOCKED : 0) | lockOnMap;
        for (long a = at; a < at + size; a += P) {
            long o = a - at;
            Page p = anon
                    ? (shared ? new Page(prot, true, Backing.SHMEM, MappedFile.SHARED_ANON, o, null, false, vmFlags)
                              : new Page(prot, false, Backing.ANON, null, 0, null, false, vmFlags))
                    : new Page(prot, shared, Backing.FILE, file, off + o, null, !nr && !shared && (prot & Prot.WRITE) != 0, vmFlags);
            pages.put(a, p);
        }
        return at;
    }

    long munmap(long addr, long len) {
        pages.subMap(addr, addr + Prot.pageAlign(len)).clear();
        return 0;
    }

    /** Applies mprotect page by page, stopping at the first unmapped page (ENOMEM) as the kernel does. */
    long mprotect(long addr, long len, int prot, List<Alert> alerts) {
        long end = addr + Prot.pageAlign(len);
        for (long a = addr; a < end; a += P) {
            if (!pages.containsKey(a)) {
                return ENOMEM; // pages before a were changed, like the VMAs before the hole
            }
        }
        // Success: one alert per run of pages that were one region before the call.
        long runStart = addr;
        for (long a = addr; a < end; a += P) {
            Page cur = pages.get(a);
            boolean lastOfRun = a + P >= end || !cur.runsInto(pages.get(a + P));
            if (lastOfRun) {
                String alert = ProtAlerts.forMprotect(cur.prot(), prot);
                if (alert != null) {
                    alerts.add(new Alert(alert, runStart, a + P, prot, cur.prot()));
                }
                runStart = a + P;
            }
        }
        for (long a = addr; a < end; a += P) {
            Page cur = pages.get(a);
            pages.put(a, cur.withProt(prot));
        }
        return 0;
    }

    /**
     * madvise with advice that changes VMA flags, page by page as the kernel does VMA by VMA: every mapped page in
     * the range changes and a hole makes it ENOMEM; MADV_WIPEONFORK is refused (EINVAL) at the first page that is not
     * private anonymous memory, the pages before it changed.
     */
    long madvise(long addr, long len, int advice) {
        long set = switch (advice) {
            case 1 -> Region.VM_RAND_READ;
            case 2 -> Region.VM_SEQ_READ;
            case 10 -> Region.VM_DONTCOPY;
            case 14 -> Region.VM_HUGEPAGE;
            case 15 -> Region.VM_NOHUGEPAGE;
            case 16 -> Region.VM_DONTDUMP;
            case 18 -> Region.VM_WIPEONFORK;
            default -> 0L;
        };
        long clear = switch (advice) {
            case 0 -> Region.VM_SEQ_READ | Region.VM_RAND_READ;
            case 1 -> Region.VM_SEQ_READ;
            case 2 -> Region.VM_RAND_READ;
            case 11 -> Region.VM_DONTCOPY;
            case 14 -> Region.VM_NOHUGEPAGE;
            case 15 -> Region.VM_HUGEPAGE;
            case 17 -> Region.VM_DONTDUMP;
            case 19 -> Region.VM_WIPEONFORK;
            default -> 0L;
        };
        long end = addr + Prot.pageAlign(len);
        boolean hole = false;
        for (long a = addr; a < end; a += P) {
            Page p = pages.get(a);
            if (p == null) {
                hole = true;
                continue;
            }
            if (advice == 18 && (p.backing() != Backing.ANON || p.shared())) {
                return EINVAL;
            }
            pages.put(a, p.withFlags(set, clear));
        }
        return hole ? ENOMEM : 0;
    }

    /**
     * mlock, mlock2 and munlock ({@code lockFlags} 0) page by page, from the page of addr: the pages get exactly these
     * lock flags, up to the first hole (ENOMEM). For mlock the model plays a process without CAP_IPC_LOCK past its
     * RLIMIT_MEMLOCK wherever root's call would fail part way (a hole) or after locking (PROT_NONE pages it cannot
     * fault): ENOMEM before anything changed, which is how the map reads mlock's ENOMEM.
     */
    long mlock(long addr, long len, long lockFlags) {
        long start = addr & -P, end = Prot.pageAlign(addr + len);
        if (lockFlags != 0) {
            for (long a = start; a < end; a += P) {
                if (!pages.containsKey(a) || pages.get(a).prot() == 0) {
                    return ENOMEM;
                }
            }
        }
        for (long a = start; a < end; a += P) {
            Page p = pages.get(a);
            if (p == null) {
                return ENOMEM;
            }
            pages.put(a, p.withFlags(lockFlags, Region.VM_LOCKED_MASK & ~lockFlags));
        }
        return 0;
    }

    /** mlockall (flags 0: munlockall): MCL_CURRENT (1) locks every page, MCL_FUTURE (2) every later mapping. */
    long mlockall(int flags) {
        long lock = Region.VM_LOCKED | ((flags & 4) != 0 ? Region.VM_LOCKONFAULT : 0);
        lockOnMap = (flags & 2) != 0 ? lock : 0;
        if (flags == 0 || (flags & 1) != 0) {
            long set = flags == 0 ? 0 : lock;
            pages.replaceAll((a, p) -> p.withFlags(set, Region.VM_LOCKED_MASK & ~set));
        }
        return 0;
    }

    /**
     * MREMAP_DONTUNMAP unlocks the VMA the old range lay in: here every run of pages (one region) that has a page in
     * [from, to), before the move.
     */
    private void unlockRunsOf(long from, long to) {
        List<long[]> runs = new ArrayList<>();
        for (long a = from; a < to; a += P) {
            if (pages.containsKey(a) && (runs.isEmpty() || runs.getLast()[1] <= a)) {
                long s = a, e = a + P;
                while (pages.containsKey(s - P) && pages.get(s - P).runsInto(pages.get(s))) {
                    s -= P;
                }
                while (pages.containsKey(e) && pages.get(e - P).runsInto(pages.get(e))) {
                    e += P;
                }
                runs.add(new long[] {s, e});
            }
        }
        for (long[] r : runs) {
            for (long a = r[0]; a < r[1]; a += P) {
                pages.put(a, pages.get(a).withFlags(0, Region.VM_LOCKED_MASK));
            }
        }
    }

    /** The part of a failed mprotect that the kernel applied anyway: everything before the first hole. */
    void mprotectPrefix(long addr, long len, int prot) {
        long end = addr + Prot.pageAlign(len);
        for (long a = addr; a < end && pages.containsKey(a); a += P) {
            Page cur = pages.get(a);
            pages.put(a, cur.withProt(prot));
        }
    }

    long mremap(long old, long oldLen, long newLen, int flags, long newAddr) {
        long oldSize = Prot.pageAlign(oldLen);
        long newSize = Prot.pageAlign(newLen);
        boolean mayMove = (flags & 1) != 0, fixed = (flags & 2) != 0, dontUnmap = (flags & 4) != 0;
        if (newSize == 0 || oldSize == 0 || (fixed && !mayMove) || (dontUnmap && (!mayMove || oldSize != newSize))) {
            return EINVAL;
        }
        // Since 6.17 a pure move (FIXED, same size) may span several VMAs and gaps, as long as its first page is
        // mapped (seen on 6.18 with mapfuzz.c); anything else must lie in one VMA.
        boolean multi = fixed && oldSize == newSize;
        for (long a = old; a < old + oldSize; a += P) {
            Page p = pages.get(a);
            if (multi ? a == old && p == null : p == null || (a > old && !pages.get(a - P).runsInto(p))) {
                return EFAULT;
            }
        }
        if (fixed) {
            if (newAddr < old + oldSize && old < newAddr + newSize) {
                return EINVAL;
            }
            if (multi) {
                // Each mapped page moves to the same offset; target pages facing gaps stay as they were.
                List<Long> from = new ArrayList<>(pages.subMap(old, old + oldSize).keySet());
                List<Page> moved = new ArrayList<>();
                for (long a : from) {
                    moved.add(pages.get(a).at(pages.get(a).offset(), null));
                }
                if (!dontUnmap) {
                    munmap(old, oldSize);
                } else {
                    unlockRunsOf(old, old + oldSize);
                }
                for (int i = 0; i < from.size(); i++) {
                    pages.put(newAddr + (from.get(i) - old), moved.get(i));
                }
                return newAddr;
            }
            munmap(newAddr, newSize);
            return moveTo(old, oldSize, newSize, newAddr, true);
        }
        if (dontUnmap) {
            long at = firstFit(newSize);
            if (at < 0) {
                return ENOMEM;
            }
            List<Page> moved = new ArrayList<>(pages.subMap(old, old + oldSize).values());
            unlockRunsOf(old, old + oldSize);
            for (int i = 0; i < moved.size(); i++) {
                pages.put(at + i * P, moved.get(i).at(moved.get(i).offset(), null)); // the moved pages keep their locks
            }
            return at;
        }
        if (newSize <= oldSize) {
            munmap(old + newSize, oldSize - newSize);
            return old;
        }
        if (old + newSize <= limit && free(old + oldSize, old + newSize)) {
            Page last = pages.get(old + oldSize - P);
            for (long a = old + oldSize; a < old + newSize; a += P) {
                pages.put(a, last.at(next(last, a - (old + oldSize - P)), last.label()));
            }
            return old;
        }
        if (!mayMove) {
            return ENOMEM;
        }
        long at = firstFit(newSize);
        return at < 0 ? ENOMEM : moveTo(old, oldSize, newSize, at, true);
    }

    private long moveTo(long old, long oldSize, long newSize, long at, boolean unmapOld) {
        List<Page> moved = new ArrayList<>();
        for (long a = old; a < old + Math.min(oldSize, newSize); a += P) {
            Page p = pages.get(a);
            moved.add(p.at(p.offset(), null));
        }
        Page last = pages.get(old + oldSize - P);
        for (long k = 1; oldSize + (k - 1) * P < newSize; k++) {
            moved.add(last.at(next(last, k * P), null));
        }
        if (unmapOld) {
            munmap(old, oldSize);
        }
        for (int i = 0; i < moved.size(); i++) {
            pages.put(at + i * P, moved.get(i));
        }
        return at;
    }

    private static long next(Page p, long delta) {
        return Region.hasOffset(p.backing()) ? p.offset() + delta : 0;
    }

    private boolean free(long from, long to) {
        return from >= base && to <= limit && pages.subMap(from, to).isEmpty();
    }

    private long firstFit(long size) {
        for (long a = base; a + size <= limit; a += P) {
            if (free(a, a + size)) {
                return a;
            }
        }
        return -1;
    }

    /** The pages of a region map inside the arena, in the same form. */
    static TreeMap<Long, Page> pagesOf(RegionMap m) {
        TreeMap<Long, Page> out = new TreeMap<>();
        for (Region r : m.regions()) {
            for (long a = r.start(); a < r.end(); a += P) {
                long off = Region.hasOffset(r.backing()) ? r.offset() + (a - r.start()) : 0;
                out.put(a, new Page(r.prot(), r.shared(), r.backing(), r.file(), off, r.label(), r.accounted(), r.vmFlags() & ~Region.VM_ACCOUNT));
            }
        }
        return out;
    }
}
