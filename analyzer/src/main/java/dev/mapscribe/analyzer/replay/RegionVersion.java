package dev.mapscribe.analyzer.replay;

import dev.mapscribe.analyzer.state.Region;

/**
 * One version of a region: the row of the temporal {@code regions} table. "What was mapped in pid P at time T"
 * is {@code pid = P and valid_from_ns <= T and (valid_to_ns is null or T < valid_to_ns)}.
 *
 * @param mmId        the address space (threads and CLONE_VM children share one; they are reported under
 *                    the pid of the process that created it)
 * @param prot        PROT_* bits, null when unknown
 * @param perms       the /proc/PID/maps perms column ("r-xp"), '?' where unknown
 * @param backing     "anon", "file", "shmem" or "unknown" (the recording cannot say what is mapped here)
 * @param path        file path, or the kernel's name of an anonymous region ("[heap]", "[stack]"), or null
 * @param offset      file offset of {@code start}
 * @param validToNs   null while the version still exists at the end of the journal
 * @param flags       MAP_SHARED 0x1 or MAP_PRIVATE 0x2, | MAP_ANONYMOUS 0x20 when no file backs it (0 when unknown),
 *                    | MAP_NORESERVE 0x4000 for a VM_NORESERVE mapping (Region#noReserve)
 * @param known       false when the recording cannot say what is mapped here (backing "unknown") or its protection
 * @param cause       what made this version: mmap, mprotect, munmap, mremap, brk, exec, snapshot, fork, unknown
 * @param pathTruncated the kernel cut the leading part of the file's {@code path}
 * @param comm        comm of the owner when the version began (null when the recording never saw it)
 * @param vmFlags     the kernel's VMA flags that maps does not show and that keep VMAs apart (Region#vmFlags)
 */
public record RegionVersion(String host, long mmId, int pid, long start, long end, Integer prot, String perms, int flags,
                            boolean known, String cause, boolean shared, String backing, String path, Integer dev, Long inode, Long ctimeNs,
                            long offset, long version, long validFromNs, Long validToNs, long validFromUtcNs,
                            Long validToUtcNs, boolean pathTruncated, String comm, long vmFlags) {
    /** A private file mapping that is or was writable (the kernel's VM_ACCOUNT: Region#accounted). */
    public boolean accounted() {
        return (vmFlags & Region.VM_ACCOUNT) != 0;
    }
}
