package dev.mapscribe.analyzer.replay;

/**
 * What a replay read and derived, for the summary on stderr.
 *
 * @param memoryUnknown    process rows whose memory was partly unknown (memory_known false): processes met without a
 *                         snapshot or exec that showed their maps, or whose maps were unreadable, and processes whose memory no
 *                         record touched and no snapshot read (seen only forking and exiting, or read as a zombie)
 * @param inconsistencies  calls the kernel accepted on pages the state said were unmapped (something went unrecorded)
 * @param uncertainties    failed mprotect calls that may have changed part of their range (protection now unknown)
 * @param impossible       records saying a call succeeded on a range no kernel accepts (a damaged or forged journal):
 *                         exported as syscall rows, ignored by the region state
 * @param losses           records the kernel could not reserve, summed over the loss records
 * @param refused          kernel records the journal refused (--max-disk, or its file system nearly full)
 * @param compatCalls      32-bit syscalls (a 32-bit process, or int 0x80) the kernel programs left out: their numbers
 *                         mean other calls than in 64-bit mode; and x32's own versions of watched calls
 * @param orphanSnapshotLines snapshot region lines without their process line just before them
 * @param stopped          the journal holds the recorder's final record (it stopped, and the journal's end is there)
 * @param recorderNote     what the recorder's final record says it did not do (hooks the kernel refused, files it
 *                         skipped, ...); empty when it says nothing or there is no final record
 * @param memoryWrites     memory_writes rows: ranges of a process's memory that calls wrote into, or asked to
 * @param mmapExecUnhashed mmap_exec events without hashes: the file was gone, unreadable or over the size cap (their
 *                         mapped_error says why), or the journal holds no file info for it
 * @param orderNotes       MS_ORDER notes: calls that changed their address space and returned after another change of it
 * @param orderRaces       noted calls whose range another change touched meanwhile: those pages made unknown
 * @param snapshotLate     the start-up snapshot came after more records than the replay holds to put it in its place
 *                         (SnapshotOrder): the processes it names were replayed after those records
 * @param leaderExited     process rows with leader_exited: their first thread left while others ran on (/proc showed
 *                         them as zombies, hiding their exe, command line and maps)
 */
public record ReplayStats(long records, long syscalls, long mmapExec, long mmapExecUnhashed, long memProtAlerts, long regionVersions,
                          long processes, long processesSeen, long losses, long memoryUnknown, long inconsistencies,
                          long uncertainties, long impossible, long orphanSnapshotLines, long recorderStatus, long rolledCycles, long refused,
                          long compatCalls, long memoryWrites, boolean stopped, String recorderNote, long orderNotes,
                          long orderRaces, boolean snapshotLate, long leaderExited) {

    /** Running counts while replaying. */
    static final class Counter {
        long records, syscalls, mmapExec, mmapExecUnhashed, memProtAlerts, regionVersions, processes, memoryUnknown, losses, orphanSnapshotLines,
                recorderStatus, rolledCycles, refused, compatCalls, memoryWrites, orderNotes, orderRaces, leaderExited;
        boolean stopped, snapshotLate;
        String recorderNote = "";

        ReplayStats stats(long inconsistencies, long uncertainties, long impossible, long processesSeen) {
            return new ReplayStats(records, syscalls, mmapExec, mmapExecUnhashed, memProtAlerts, regionVersions, processes, processesSeen,
                    losses, memoryUnknown, inconsistencies, uncertainties, impossible, orphanSnapshotLines, recorderStatus, rolledCycles, refused, compatCalls,
                    memoryWrites, stopped, recorderNote, orderNotes, orderRaces, snapshotLate, leaderExited);
        }
    }
}
