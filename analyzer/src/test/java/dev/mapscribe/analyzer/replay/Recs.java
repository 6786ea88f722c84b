package dev.mapscribe.analyzer.replay;

import dev.mapscribe.formats.raw.KernelRecord;
import dev.mapscribe.formats.raw.KernelRecord.*;
import dev.mapscribe.formats.raw.RecordKind;
import dev.mapscribe.formats.raw.UserRecord.*;
import java.util.List;

/** Builds decoded records in one readable line each, for replay tests. */
final class Recs {
    static final long P = 4096;
    static final int R = 1, W = 2, X = 4;
    static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANON = 0x20;
    static final long BOOT_UTC = 1_800_000_000_000_000_000L;
    static final JournalHeader HEADER = new JournalHeader(1, "test", "host1", "machine1", "6.18.0", BOOT_UTC, "syscalls",
            "sha", BOOT_UTC + 1000, 1000, List.of("mapscribe", "record"), 1);

    private Recs() {}

    static Hdr h(RecordKind kind, long t, int pid, int tid) {
        return new Hdr(kind.id(), 0, 0, 0, t, pid, tid);
    }

    static TaskRecord task(long t, int pid, int tid, int ppid, long leaderStart, String comm) {
        return new TaskRecord(h(RecordKind.TASK, t, pid, tid), ppid, 1000, 1000, 1000, 1000, 4026531841L, leaderStart,
                leaderStart, 5, comm);
    }

    static FileRef file(String path, long ino) {
        return new FileRef(ino, 16384, 1_700_000_000L, 5, (8 << 20) | 1, 0100755, 0, path);
    }

    static MmapRecord mmap(long t, int pid, long addr, long len, int prot, int flags, FileRef f, long off, long ret) {
        return new MmapRecord(h(RecordKind.MMAP, t, pid, pid), addr, len, prot, flags, f == null ? -1 : 3, off, ret, f);
    }

    /** shmat(2) as the recorder writes it: an mmap record marked F_SHMAT (shmid in fd, shmflg in flags, the segment's size). */
    static MmapRecord shmat(long t, int pid, int shmid, long shmaddr, int shmflg, long size, int prot, FileRef f, long ret) {
        int flags = KernelRecord.F_SHMAT | (f != null ? KernelRecord.F_FILE : 0);
        return new MmapRecord(new Hdr(RecordKind.MMAP.id(), 0, 0, flags, t, pid, pid), shmaddr, size, prot, shmflg, shmid, 0, ret, f);
    }

    static MprotectRecord mprotect(long t, int pid, long addr, long len, int prot, long ret) {
        return new MprotectRecord(h(RecordKind.MPROTECT, t, pid, pid), addr, len, prot, -1, ret);
    }

    static MunmapRecord munmap(long t, int pid, long addr, long len, long ret) {
        return new MunmapRecord(h(RecordKind.MUNMAP, t, pid, pid), addr, len, ret);
    }

    static MremapRecord mremap(long t, int pid, long old, long oldLen, long newLen, int flags, long newAddr, long ret) {
        return new MremapRecord(h(RecordKind.MREMAP, t, pid, pid), old, oldLen, newLen, flags, newAddr, ret);
    }

    static BrkRecord brk(long t, int pid, long addr, long startBrk, long ret) {
        return new BrkRecord(h(RecordKind.BRK, t, pid, pid), addr, startBrk, ret);
    }

    static ForkRecord fork(long t, int parentPid, int parentTid, int childPid, int childTid, long childStart, int flags) {
        return new ForkRecord(h(RecordKind.FORK, t, parentPid, parentTid), childPid, childTid, childStart, flags);
    }

    static ExecRecord exec(long t, int pid, String exe, String... argv) {
        return new ExecRecord(h(RecordKind.EXEC, t, pid, pid), pid, file(exe, 77), List.of(argv), false);
    }

    static VmaRecord vma(long t, int pid, int seq, boolean last, long start, long end, long vmFlags, FileRef f, long pgoff) {
        return new VmaRecord(h(RecordKind.VMA, t, pid, pid), start, end, pgoff, vmFlags, seq, last, false, f);
    }

    static ExitRecord exit(long t, int pid, int tid, boolean groupDead) {
        return new ExitRecord(h(RecordKind.EXIT, t, pid, tid), 0, groupDead);
    }

    static ProcSnapshot snap(long t, int pid, int ppid, long startTicks, String comm, String exe) {
        return new ProcSnapshot(t, pid, ppid, startTicks, 0, 0, 0, 0, 4026531841L, comm, exe, List.of(exe), null);
    }

    static SnapshotRegion line(int pid, long start, long end, int prot, String path, long inode, long offset) {
        return new SnapshotRegion(pid, start, end, prot, false, offset, inode == 0 ? 0 : 8, inode == 0 ? 0 : 1, inode, path);
    }

    static FileInfo info(long t, FileRef f, String sha256) {
        return new FileInfo(t, f.dev(), f.ino(), f.ctimeSec(), f.ctimeNsec(), f.size(), f.path(), "ELF 64-bit LSB shared object",
                "md5", "sha1", sha256, "sha512", null, 0);
    }
}
