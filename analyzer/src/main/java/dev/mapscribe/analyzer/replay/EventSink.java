package dev.mapscribe.analyzer.replay;

import dev.mapscribe.analyzer.derive.MemProtAlertEvent;
import dev.mapscribe.analyzer.derive.MmapExecEvent;

/**
 * Where a replay's rows go, one method per exported table. Calls come in a deterministic order: the same
 * journal gives the same calls. A region version arrives when it ends (or at the end of the replay, still
 * open); a process lifetime when it ends (or at the end); an mmap_exec may arrive after later rows, once the
 * recorder's file info (hashes) for its file has been read.
 */
public interface EventSink {
    void syscall(SyscallRow row);

    /** A range a call wrote into a process's memory, after that call's {@link #syscall} row. */
    void memoryWrite(MemoryWriteRow row);

    void mmapExec(MmapExecEvent event);

    void memProtAlert(MemProtAlertEvent event);

    void regionVersion(RegionVersion version);

    void process(ProcessLifetime process);

    void loss(LossRow loss);

    void file(FileRow file);
}
