package dev.mapscribe.analyzer.derive;

import dev.mapscribe.analyzer.state.TaskInfo;

/**
 * tracee's mem_prot_alert: one per region a successful call touched that meets a rule (see {@link ProtAlerts}).
 *
 * @param alert      one of tracee's four strings
 * @param addr       start of the region touched (for mmap: the address the kernel returned)
 * @param len        length of the region touched, in bytes
 * @param prot       the protection requested
 * @param prevProt   the region's protection before the call; null for mmap and when the recording does not know
 * @param pathname   file behind the region, null for anonymous memory or when unknown
 * @param dev        kernel dev_t of the file, null when none
 * @param inode      inode of the file, null when none
 * @param ctimeNs    inode change time of the file (ns since the epoch), null when none or unknown
 * @param syscall    "mmap", "mprotect" or "pkey_mprotect"
 * @param syscallAddr the call's address argument
 * @param syscallLen the call's length argument
 * @param alertId    tracee's number for the alert: 1 mmap W+E, 2 to executable, 3 E to W+E, 4 W+E to E
 * @param ppid       parent of the process, 0 when unknown
 * @param exePath    executable of the process, null when the recording never saw it
 * @param commandLine arguments joined with spaces
 * @param pathnameTruncated the kernel cut the leading part of {@code pathname} (too deep or too long a path)
 * @param exeTruncated the kernel cut the leading part of the exe path
 */
public record MemProtAlertEvent(String host, long tsNs, long utcNs, TaskInfo task, String alert, long addr, long len,
                                int prot, Integer prevProt, String pathname, Integer dev, Long inode, Long ctimeNs,
                                String syscall, long syscallAddr, long syscallLen, int alertId, int ppid, String exePath,
                                String commandLine, boolean pathnameTruncated, boolean exeTruncated) {}
