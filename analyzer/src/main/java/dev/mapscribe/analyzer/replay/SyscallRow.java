package dev.mapscribe.analyzer.replay;

/**
 * One recorded system call, as the kernel saw it: nothing recorded is dropped from the export.
 *
 * @param args  the arguments in the order of the syscall's signature (only as many as it takes)
 * @param ret   the result; null for calls recorded at entry that never return (exit, exit_group)
 * @param errno -ret when the call failed, else null
 * @param batch journal batch (excerpt) the record came in
 */
public record SyscallRow(String host, long tsNs, long utcNs, int pid, int tid, String comm, int cpu, String name, int nr,
                         long[] args, Long ret, Integer errno, long batch) {}
