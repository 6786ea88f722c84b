package dev.mapscribe.analyzer.replay;

/**
 * One range of a process's memory that a recorded call wrote into, or asked to (its {@code memory_writes} row): the
 * call is the {@code syscalls} row of the same journal with the same {@code seq}.
 *
 * @param part            which range of the call, from 0 (process_vm_writev's remote iovecs in order)
 * @param addr            where the range begins in the target; null when the recorder could not read it
 * @param len             bytes the call asked to write there; null where the recording does not hold it
 * @param written         bytes of the range the call reports written (0 for a failed call); null without a result
 * @param partsUnrecorded ranges of the call that have no row (process_vm_writev's remote iovecs the recorder did not read)
 * @param iovecsRead      "entry" or "return": when the recorder read the iovecs the range came from; null for a range
 *                        in the call's registers
 * @param iovecsChanged   whether the caller's iovec array, read at entry, no longer held the ranges as the call
 *                        returned; null when not compared
 */
public record MemoryWriteRow(String host, long tsNs, long utcNs, int pid, int tid, String comm, long seq, String syscall,
                             Integer targetPid, int part, Long addr, Long len, Long written, boolean failed,
                             int partsUnrecorded, String iovecsRead, Boolean iovecsChanged) {}
