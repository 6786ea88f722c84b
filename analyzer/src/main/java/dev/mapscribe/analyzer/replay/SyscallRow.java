package dev.mapscribe.analyzer.replay;

/**
 * One recorded system call, as the kernel saw it: nothing recorded is dropped from the export.
 *
 * @param args  the arguments in the order of the syscall's signature (only as many as it takes)
 * @param ret   the result; null for calls recorded at entry that never return (exit, exit_group)
 * @param errno -ret when the call failed, else null
 * @param batch journal batch (excerpt) the record came in
 * @param seq   position of the record in the journal, counting every record from 0
 * @param path  for mmap of a file, and an open of a process's memory file for writing: the file's path as the kernel
 *              resolved it (null otherwise, or when unresolved)
 * @param dev   for mmap of a file: its dev_t (major << 20 | minor)
 * @param inode for mmap of a file: its inode
 * @param pathTruncated the kernel cut the leading part of {@code path}
 * @param targetPid  for a write into another process (ptrace, process_vm_writev, a process's memory file): the process
 *                   written into ({@link WriteTarget}), else null
 * @param targetAddr where that write began in the target, where the call writes at an address and it is known
 * @param compat     made in 32-bit mode (a 32-bit process, or int 0x80) and recorded as the 64-bit call it equals
 * @param x32        made with x32's numbers and recorded as the 64-bit call of the same number
 * @param programBreak prctl(PR_SET_MM): the program break (mm->brk) as the call returned, where the record has it
 * @param ranges     process_madvise: the ranges it named as the recorder read them (START-END in hex, space-separated)
 */
public record SyscallRow(String host, long tsNs, long utcNs, int pid, int tid, String comm, int cpu, String name, int nr,
                         long[] args, Long ret, Integer errno, boolean failed, long batch, long seq, String path,
                         Integer dev, Long inode, boolean pathTruncated, Integer targetPid, Long targetAddr,
                         boolean compat, boolean x32, Long programBreak,
                         String ranges) {}
