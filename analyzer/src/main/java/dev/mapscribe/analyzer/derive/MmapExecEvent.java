package dev.mapscribe.analyzer.derive;

import dev.mapscribe.analyzer.state.TaskInfo;

/**
 * kunai's mmap_exec (event id 41): a file mapped with PROT_EXEC, plus what kunai lacks (the call's result).
 * Failed attempts are rows too ({@code success} false), as kunai reports attempts.
 *
 * @param uuid         deterministic: the same journal gives the same ids
 * @param batch        journal batch (excerpt) the record came in
 * @param via          "mmap" for an mmap(2) call, "shmat" for a System V segment attached with SHM_EXEC, "execve" for the binary and interpreter an exec mapped
 * @param ancestors    exe paths of the ancestors, oldest first, '|'-separated
 * @param parent       the parent task, null when the recording does not know it
 * @param mappedPath   path of the mapped file, null when the recorder could not resolve the fd
 * @param size         file size (from the file info, else from the kernel record), null when unknown
 * @param error        why hashes or magic are missing, null when they are there
 * @param addr         the address the kernel returned; null when the call failed
 * @param hintAddr     the address argument
 * @param errno        errno when the call failed, else null
 * @param ret          the raw result: the address, or -errno
 * @param mappedPathTruncated the kernel cut the leading part of {@code mappedPath} (too deep or too long a path)
 * @param exeTruncated the kernel cut the leading part of the exe path
 * @param ancestorsTruncated an ancestor's exe path was cut, or the oldest ancestors were left out
 */
public record MmapExecEvent(String host, long tsNs, long utcNs, String uuid, long batch, String via,
                            TaskInfo task, TaskInfo parent, String ancestors, String commandLine, String exe,
                            String mappedPath, Integer dev, Long inode, Long ctimeNs,
                            String magic, String md5, String sha1, String sha256, String sha512, Long size, String error,
                            Long addr, long hintAddr, long len, int prot, int flags, int fd, long offset, boolean success,
                            Integer errno, long ret, boolean mappedPathTruncated, boolean exeTruncated,
                            boolean ancestorsTruncated) {

    public static final int EVENT_ID = 41;
    public static final String EVENT_NAME = "mmap_exec";

    MmapExecEvent withFileInfo(String magic, String md5, String sha1, String sha256, String sha512, Long size, String error) {
        return new MmapExecEvent(host, tsNs, utcNs, uuid, batch, via, task, parent, ancestors, commandLine, exe, mappedPath,
                dev, inode, ctimeNs, magic, md5, sha1, sha256, sha512, size, error, addr, hintAddr, len, prot, flags, fd,
                offset, success, errno, ret, mappedPathTruncated, exeTruncated, ancestorsTruncated);
    }
}
