package dev.mapscribe.analyzer.export;

import dev.mapscribe.analyzer.derive.MemProtAlertEvent;
import dev.mapscribe.analyzer.derive.MmapExecEvent;
import dev.mapscribe.analyzer.replay.EventSink;
import dev.mapscribe.analyzer.replay.FileRow;
import dev.mapscribe.analyzer.replay.LossRow;
import dev.mapscribe.analyzer.replay.MemoryWriteRow;
import dev.mapscribe.formats.raw.UserRecord.FileInfo;
import dev.mapscribe.analyzer.replay.ProcessLifetime;
import dev.mapscribe.analyzer.replay.RegionVersion;
import dev.mapscribe.analyzer.replay.SyscallRow;
import dev.mapscribe.analyzer.state.TaskInfo;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The replay's rows, written as the exported tables of one host: maps each {@link EventSink} row onto the columns
 * that {@link Tables} defines, and hands it to that table's {@link TableWriter} (plus the JSONL shapes with --jsonl).
 * A {@link RowFilter} keeps only the rows of the time window and pid the user asked for.
 */
public final class TableExport implements EventSink, AutoCloseable {

    /** Which rows to keep: a time window on ts_ns or utc, and a pid; null fields keep everything. */
    public record RowFilter(Long fromNs, Long toNs, boolean utc, Integer pid) {
        public static final RowFilter ALL = new RowFilter(null, null, false, null);

        boolean keeps(long tsNs, long utcNs, int rowPid) {
            return inWindow(tsNs, utcNs) && (pid == null || pid == rowPid);
        }

        /** For a write into a process (syscalls, memory_writes): kept for the writer's pid and for the target's. */
        boolean keepsWrite(long tsNs, long utcNs, int rowPid, Integer targetPid) {
            return inWindow(tsNs, utcNs) && (pid == null || pid == rowPid || pid.equals(targetPid));
        }

        private boolean inWindow(long tsNs, long utcNs) {
            long t = utc ? utcNs : tsNs;
            return (fromNs == null || t >= fromNs) && (toNs == null || t < toNs);
        }

        /** For rows with a validity interval (regions, processes): kept when it overlaps the window. */
        boolean keepsInterval(long fromTs, long fromUtc, Long toTs, Long toUtc, int rowPid) {
            long a = utc ? fromUtc : fromTs;
            Long b = utc ? toUtc : toTs;
            return (toNs == null || a < toNs) && (fromNs == null || b == null || b > fromNs) && (pid == null || pid == rowPid);
        }
    }

    private final TableWriter syscalls, memoryWrites, mmapExec, alerts, processes, regions, losses, files;
    private final RowFilter filter;

    public TableExport(Path out, String host, boolean jsonl, RowFilter filter) throws IOException {
        this.filter = filter;
        List<TableWriter> opened = new java.util.ArrayList<>();
        try {
            opened.add(syscalls = TableWriter.open(out, Tables.SYSCALLS, host));
            opened.add(memoryWrites = TableWriter.open(out, Tables.MEMORY_WRITES, host));
            opened.add(mmapExec = TableWriter.open(out, Tables.MMAP_EXEC, host));
            opened.add(alerts = TableWriter.open(out, Tables.MEM_PROT_ALERT, host));
            opened.add(processes = TableWriter.open(out, Tables.PROCESSES, host));
            opened.add(regions = TableWriter.open(out, Tables.REGIONS, host));
            opened.add(losses = TableWriter.open(out, Tables.LOSSES, host));
            opened.add(files = TableWriter.open(out, Tables.FILES, host));
            if (jsonl) {
                KunaiMmapExecJsonl.attachTo(mmapExec);
                TraceeMemProtAlertJsonl.attachTo(alerts);
            }
        } catch (IOException | RuntimeException e) {
            for (TableWriter t : opened) t.abort(); // no half-opened export: its JSONL files exist from the start
            throw e;
        }
    }

    public List<TableWriter> writers() {
        return List.of(mmapExec, alerts, syscalls, memoryWrites, processes, regions, losses, files);
    }

    // ---- syscalls -----------------------------------------------------------------------------------------------

    private static final TableSchema S = Tables.SYSCALLS;
    private static final int S_TS = S.col("ts_ns"), S_UTC = S.col("utc_time"), S_PID = S.col("pid"),
            S_TID = S.col("tid"), S_COMM = S.col("comm"), S_CPU = S.col("cpu"), S_BATCH = S.col("batch"), S_SEQ = S.col("seq"),
            S_NAME = S.col("syscall"), S_NR = S.col("nr"), S_ARG0 = S.col("arg0"), S_RET = S.col("ret"),
            S_ERRNO = S.col("errno"), S_FAILED = S.col("failed"), S_PATH = S.col("path"), S_DEV = S.col("dev"),
            S_INODE = S.col("inode"), S_PATH_TRUNCATED = S.col("path_truncated"), S_TARGET_PID = S.col("target_pid"),
            S_TARGET_ADDR = S.col("target_addr"), S_COMPAT = S.col("compat"), S_X32 = S.col("x32"),
            S_PROGRAM_BREAK = S.col("program_break"), S_RANGES = S.col("ranges");

    @Override
    public void syscall(SyscallRow r) {
        if (!filter.keepsWrite(r.tsNs(), r.utcNs(), r.pid(), r.targetPid())) return;
        RowWriter w = syscalls.row().setLong(S_TS, r.tsNs()).setLong(S_UTC, r.utcNs())
                .setInt(S_PID, r.pid()).setInt(S_TID, r.tid()).setString(S_COMM, r.comm()).setInt(S_CPU, r.cpu())
                .setLong(S_BATCH, r.batch()).setLong(S_SEQ, r.seq()).setString(S_NAME, r.name()).setInt(S_NR, r.nr())
                .setLongOrNull(S_RET, r.ret()).setIntOrNull(S_ERRNO, r.errno()).setBool(S_FAILED, r.failed())
                .setString(S_PATH, r.path()).setLongOrNull(S_DEV, unsigned(r.dev())).setLongOrNull(S_INODE, r.inode())
                .setBool(S_PATH_TRUNCATED, r.pathTruncated()).setIntOrNull(S_TARGET_PID, r.targetPid())
                .setLongOrNull(S_TARGET_ADDR, r.targetAddr()).setBool(S_COMPAT, r.compat()).setBool(S_X32, r.x32())
                .setLongOrNull(S_PROGRAM_BREAK, r.programBreak()).setString(S_RANGES, r.ranges());
        for (int i = 0; i < r.args().length && i < 6; i++) w.setLong(S_ARG0 + i, r.args()[i]);
        w.end();
    }

    // ---- memory_writes ------------------------------------------------------------------------------------------

    private static final TableSchema W = Tables.MEMORY_WRITES;
    private static final int W_TS = W.col("ts_ns"), W_UTC = W.col("utc_time"), W_PID = W.col("pid"), W_TID = W.col("tid"),
            W_COMM = W.col("comm"), W_SEQ = W.col("seq"), W_NAME = W.col("syscall"), W_TARGET_PID = W.col("target_pid"),
            W_PART = W.col("part"), W_ADDR = W.col("addr"), W_LEN = W.col("len"), W_WRITTEN = W.col("written"),
            W_FAILED = W.col("failed"), W_UNRECORDED = W.col("parts_unrecorded"), W_IOV_READ = W.col("iovecs_read"),
            W_IOV_CHANGED = W.col("iovecs_changed");

    @Override
    public void memoryWrite(MemoryWriteRow r) {
        if (!filter.keepsWrite(r.tsNs(), r.utcNs(), r.pid(), r.targetPid())) return;
        memoryWrites.row().setLong(W_TS, r.tsNs()).setLong(W_UTC, r.utcNs()).setInt(W_PID, r.pid()).setInt(W_TID, r.tid())
                .setString(W_COMM, r.comm()).setLong(W_SEQ, r.seq()).setString(W_NAME, r.syscall())
                .setIntOrNull(W_TARGET_PID, r.targetPid()).setInt(W_PART, r.part()).setLongOrNull(W_ADDR, r.addr())
                .setLongOrNull(W_LEN, r.len()).setLongOrNull(W_WRITTEN, r.written()).setBool(W_FAILED, r.failed())
                .setInt(W_UNRECORDED, r.partsUnrecorded()).setString(W_IOV_READ, r.iovecsRead())
                .setBoolOrNull(W_IOV_CHANGED, r.iovecsChanged()).end();
    }

    // ---- mmap_exec ----------------------------------------------------------------------------------------------

    private static final TableSchema M = Tables.MMAP_EXEC;
    private static final int M_TS = M.col("ts_ns"), M_UTC = M.col("utc_time"), M_PID = M.col("pid"),
            M_TID = M.col("tid"), M_COMM = M.col("comm"), M_ANC = M.col("ancestors"), M_CMD = M.col("command_line"),
            M_EXE = M.col("exe_path"), M_PATH = M.col("mapped_path"), M_MAGIC = M.col("mapped_magic"),
            M_MD5 = M.col("mapped_md5"), M_SHA1 = M.col("mapped_sha1"), M_SHA256 = M.col("mapped_sha256"),
            M_SHA512 = M.col("mapped_sha512"), M_SIZE = M.col("mapped_size"), M_ERROR = M.col("mapped_error"),
            M_DEV = M.col("mapped_dev"), M_INODE = M.col("mapped_inode"), M_SOURCE = M.col("event_source"),
            M_ID = M.col("event_id"), M_NAME = M.col("event_name"), M_UUID = M.col("event_uuid"),
            M_BATCH = M.col("event_batch"), M_TASK = M.col("task_name"), M_PARENT = M.col("parent_task_name"),
            M_ADDR = M.col("addr"), M_LEN = M.col("len"), M_PROT = M.col("prot"), M_FLAGS = M.col("flags"),
            M_OFFSET = M.col("file_offset"), M_RET = M.col("ret"), M_FAILED = M.col("failed"),
            M_EXE_TRUNCATED = M.col("exe_path_truncated"), M_PATH_TRUNCATED = M.col("mapped_path_truncated"),
            M_ANC_TRUNCATED = M.col("ancestors_truncated"), M_SYSCALL = M.col("syscall");

    @Override
    public void mmapExec(MmapExecEvent e) {
        if (!filter.keeps(e.tsNs(), e.utcNs(), e.task().pid())) return;
        RowWriter w = mmapExec.row().setLong(M_TS, e.tsNs()).setLong(M_UTC, e.utcNs())
                .setInt(M_PID, e.task().pid()).setInt(M_TID, e.task().tid()).setString(M_COMM, e.task().comm())
                .setString(M_ANC, e.ancestors()).setString(M_CMD, e.commandLine()).setString(M_EXE, e.exe())
                .setString(M_PATH, e.mappedPath()).setString(M_MAGIC, e.magic()).setString(M_MD5, e.md5())
                .setString(M_SHA1, e.sha1()).setString(M_SHA256, e.sha256()).setString(M_SHA512, e.sha512())
                .setLongOrNull(M_SIZE, e.size()).setString(M_ERROR, e.error())
                .setLongOrNull(M_DEV, unsigned(e.dev())).setLongOrNull(M_INODE, e.inode())
                .setString(M_SOURCE, "mapscribe").setInt(M_ID, MmapExecEvent.EVENT_ID).setString(M_NAME, MmapExecEvent.EVENT_NAME)
                .setString(M_UUID, e.uuid()).setLong(M_BATCH, e.batch())
                .setLong(M_ADDR, e.addr() != null ? e.addr() : e.hintAddr()).setLong(M_LEN, e.len()).setInt(M_PROT, e.prot())
                .setInt(M_FLAGS, e.flags()).setLong(M_OFFSET, e.offset())
                .setLong(M_RET, e.ret())
                .setBool(M_FAILED, !e.success())
                .setBool(M_EXE_TRUNCATED, e.exeTruncated()).setBool(M_PATH_TRUNCATED, e.mappedPathTruncated())
                .setBool(M_ANC_TRUNCATED, e.ancestorsTruncated()).setString(M_SYSCALL, e.via());
        task(w, M_TASK, e.task(), e.task().tid());
        if (e.parent() != null) task(w, M_PARENT, e.parent(), e.parent().pid());
        w.end();
    }

    /** kunai's task/parent_task columns, in Tables' order: name, pid (thread id), tgid, uid, gid (effective), mnt_ns. */
    private static void task(RowWriter w, int first, TaskInfo t, int threadId) {
        w.setString(first, t.comm()).setInt(first + 1, threadId).setInt(first + 2, t.pid()).setInt(first + 3, t.euid())
                .setInt(first + 4, t.egid()).setLong(first + 5, t.mntns());
    }

    // ---- mem_prot_alert -----------------------------------------------------------------------------------------

    private static final TableSchema A = Tables.MEM_PROT_ALERT;
    private static final int A_TS = A.col("ts_ns"), A_UTC = A.col("utc_time"), A_PID = A.col("pid"),
            A_TID = A.col("tid"), A_COMM = A.col("comm"), A_ALERT = A.col("alert"), A_ALERT_ID = A.col("alert_id"),
            A_SYSCALL = A.col("syscall"), A_ADDR = A.col("addr"), A_LEN = A.col("len"), A_PROT = A.col("prot"),
            A_PREV = A.col("prev_prot"), A_PATH = A.col("pathname"), A_DEV = A.col("dev"), A_INODE = A.col("inode"),
            A_CTIME = A.col("ctime"), A_SADDR = A.col("syscall_addr"), A_SLEN = A.col("syscall_len"),
            A_UID = A.col("uid"), A_GID = A.col("gid"), A_MNT = A.col("mnt_ns"), A_PPID = A.col("ppid"),
            A_EXE = A.col("exe_path"), A_CMD = A.col("command_line"), A_PATH_TRUNCATED = A.col("pathname_truncated"),
            A_EXE_TRUNCATED = A.col("exe_path_truncated");

    @Override
    public void memProtAlert(MemProtAlertEvent e) {
        if (!filter.keeps(e.tsNs(), e.utcNs(), e.task().pid())) return;
        RowWriter w = alerts.row().setLong(A_TS, e.tsNs()).setLong(A_UTC, e.utcNs())
                .setInt(A_PID, e.task().pid()).setInt(A_TID, e.task().tid()).setString(A_COMM, e.task().comm())
                .setString(A_ALERT, e.alert()).setInt(A_ALERT_ID, e.alertId())
                .setString(A_SYSCALL, e.syscall()).setLong(A_ADDR, e.addr()).setLong(A_LEN, e.len())
                .setInt(A_PROT, e.prot()).setIntOrNull(A_PREV, e.prevProt()).setString(A_PATH, e.pathname())
                .setLongOrNull(A_DEV, unsigned(e.dev()))
                .setLongOrNull(A_INODE, e.inode()).setLongOrNull(A_CTIME, e.ctimeNs())
                .setLong(A_SADDR, e.syscallAddr()).setLong(A_SLEN, e.syscallLen())
                .setInt(A_UID, e.task().uid()).setInt(A_GID, e.task().gid()).setLong(A_MNT, e.task().mntns())
                .setInt(A_PPID, e.ppid()).setString(A_EXE, e.exePath()).setString(A_CMD, e.commandLine())
                .setBool(A_PATH_TRUNCATED, e.pathnameTruncated()).setBool(A_EXE_TRUNCATED, e.exeTruncated());
        w.end();
    }

    // ---- regions ------------------------------------------------------------------------------------------------

    private static final TableSchema R = Tables.REGIONS;
    private static final int R_TS = R.col("ts_ns"), R_UTC = R.col("utc_time"), R_PID = R.col("pid"), R_COMM = R.col("comm"),
            R_START = R.col("start_addr"), R_END = R.col("end_addr"), R_PROT = R.col("prot"), R_FLAGS = R.col("flags"),
            R_PATH = R.col("path"), R_DEV = R.col("dev"), R_INODE = R.col("inode"), R_OFFSET = R.col("file_offset"),
            R_FROM = R.col("valid_from_ns"), R_TO = R.col("valid_to_ns"), R_KNOWN = R.col("known"), R_CAUSE = R.col("cause"),
            R_PATH_TRUNCATED = R.col("path_truncated"), R_ACCOUNTED = R.col("accounted"), R_VM_FLAGS = R.col("vm_flags");

    @Override
    public void regionVersion(RegionVersion v) {
        if (!filter.keepsInterval(v.validFromNs(), v.validFromUtcNs(), v.validToNs(), v.validToUtcNs(), v.pid())) return;
        RowWriter w = regions.row().setLong(R_TS, v.validFromNs()).setLong(R_UTC, v.validFromUtcNs())
                .setInt(R_PID, v.pid()).setString(R_COMM, v.comm()).setLong(R_START, v.start()).setLong(R_END, v.end())
                .setIntOrNull(R_PROT, v.prot()).setInt(R_FLAGS, v.flags()).setString(R_PATH, v.path())
                .setLongOrNull(R_DEV, unsigned(v.dev())).setLongOrNull(R_INODE, v.inode())
                .setLong(R_OFFSET, v.offset()).setLong(R_FROM, v.validFromNs()).setLongOrNull(R_TO, v.validToNs())
                .setBool(R_KNOWN, v.known()).setString(R_CAUSE, v.cause()).setBool(R_PATH_TRUNCATED, v.pathTruncated())
                .setBool(R_ACCOUNTED, v.accounted()).setLong(R_VM_FLAGS, v.vmFlags());
        w.end();
    }

    // ---- processes ----------------------------------------------------------------------------------------------

    private static final TableSchema P = Tables.PROCESSES;
    private static final int P_TS = P.col("ts_ns"), P_UTC = P.col("utc_time"), P_PID = P.col("pid"),
            P_TID = P.col("tid"), P_COMM = P.col("comm"), P_PPID = P.col("ppid"), P_START = P.col("start_ns"),
            P_PSTART = P.col("parent_start_ns"), P_EXIT = P.col("exit_ns"), P_EXIT_UTC = P.col("exit_utc"),
            P_CODE = P.col("exit_code"), P_EXE = P.col("exe_path"), P_ARGV = P.col("argv"), P_CMD = P.col("command_line"),
            P_ANC = P.col("ancestors"), P_UID = P.col("uid"), P_GID = P.col("gid"), P_EUID = P.col("euid"),
            P_EGID = P.col("egid"), P_MNT = P.col("mnt_ns"), P_EXECS = P.col("execs"), P_SNAP = P.col("from_snapshot"),
            P_START_EXACT = P.col("start_exact"), P_EXIT_RECORDED = P.col("exit_recorded"),
            P_ARGV_TRUNCATED = P.col("argv_truncated"), P_MEMORY_KNOWN = P.col("memory_known"),
            P_LOST = P.col("records_lost_while_alive"), P_EXE_TRUNCATED = P.col("exe_path_truncated"),
            P_ANC_TRUNCATED = P.col("ancestors_truncated"), P_LEADER_EXITED = P.col("leader_exited"),
            P_LEADER_EXIT = P.col("leader_exit_ns");

    @Override
    public void process(ProcessLifetime p) {
        if (!filter.keepsInterval(p.startNs(), p.startUtcNs(), p.exitNs(), p.exitUtcNs(), p.pid())) return;
        RowWriter w = processes.row().setLong(P_TS, p.firstSeenNs()).setLong(P_UTC, p.firstSeenUtcNs())
                .setInt(P_PID, p.pid()).setInt(P_TID, p.pid()).setString(P_COMM, p.comm()).setInt(P_PPID, p.ppid())
                .setLong(P_START, p.startNs()).setLong(P_PSTART, p.parentStartNs()).setLongOrNull(P_EXIT, p.exitNs())
                .setLongOrNull(P_EXIT_UTC, p.exitUtcNs()).setIntOrNull(P_CODE, p.exitCode()).setString(P_EXE, p.exe())
                .setStrings(P_ARGV, p.argv())
                .setString(P_CMD, p.commandLine()).setString(P_ANC, p.ancestors()).setInt(P_UID, p.uid())
                .setInt(P_GID, p.gid()).setInt(P_EUID, p.euid()).setInt(P_EGID, p.egid()).setLong(P_MNT, p.mntns())
                .setInt(P_EXECS, p.execs()).setBool(P_SNAP, p.source().equals("snapshot"))
                .setBool(P_START_EXACT, p.startExact()).setBool(P_EXIT_RECORDED, p.exitRecorded())
                .setBool(P_ARGV_TRUNCATED, p.argvTruncated()).setBool(P_MEMORY_KNOWN, p.memoryKnown())
                .setLong(P_LOST, p.lostDuring()).setBool(P_EXE_TRUNCATED, p.exeTruncated())
                .setBool(P_ANC_TRUNCATED, p.ancestorsTruncated()).setBool(P_LEADER_EXITED, p.leaderExited())
                .setLongOrNull(P_LEADER_EXIT, p.leaderExitNs());
        w.end();
    }

    // ---- losses -------------------------------------------------------------------------------------------------

    private static final TableSchema L = Tables.LOSSES;
    private static final int L_TS = L.col("ts_ns"), L_UTC = L.col("utc_time"),
            L_SOURCE = L.col("source"), L_CPU = L.col("cpu"), L_LOST = L.col("lost"), L_FIRST = L.col("first_ns"),
            L_LAST = L.col("last_ns"), L_MESSAGE = L.col("message");

    @Override
    public void loss(LossRow l) {
        // A loss belongs to no process: --pid keeps every loss, only the time window applies.
        if (!filter.keeps(l.tsNs(), l.utcNs(), filter.pid() == null ? 0 : filter.pid())) return;
        losses.row().setLong(L_TS, l.tsNs()).setLong(L_UTC, l.utcNs())
                .setString(L_SOURCE, l.source()).setIntOrNull(L_CPU, l.cpu()).setLongOrNull(L_LOST, l.count())
                .setLong(L_FIRST, l.firstNs()).setLong(L_LAST, l.lastNs()).setString(L_MESSAGE, l.message()).end();
    }

    // ---- files ---------------------------------------------------------------------------------------------------

    private static final TableSchema F = Tables.FILES;
    private static final int F_TS = F.col("ts_ns"), F_UTC = F.col("utc_time"), F_PATH = F.col("path"),
            F_DEV = F.col("dev"), F_INODE = F.col("inode"), F_CTIME = F.col("ctime"), F_SIZE = F.col("size"),
            F_MAGIC = F.col("magic"), F_MD5 = F.col("md5"), F_SHA1 = F.col("sha1"), F_SHA256 = F.col("sha256"),
            F_SHA512 = F.col("sha512"), F_ERROR = F.col("error"), F_VIA = F.col("via_pid");

    @Override
    public void file(FileRow r) {
        // A file belongs to no one process (many map it): --pid keeps every file, only the time window applies.
        if (!filter.keeps(r.tsNs(), r.utcNs(), filter.pid() == null ? 0 : filter.pid())) return;
        FileInfo f = r.info();
        files.row().setLong(F_TS, r.tsNs()).setLong(F_UTC, r.utcNs()).setString(F_PATH, f.path())
                .setLongOrNull(F_DEV, unsigned(f.dev())).setLong(F_INODE, f.ino())
                .setLong(F_CTIME, f.ctimeSec() * 1_000_000_000L + f.ctimeNsec()).setLong(F_SIZE, f.size())
                .setString(F_MAGIC, f.magic()).setString(F_MD5, f.md5()).setString(F_SHA1, f.sha1())
                .setString(F_SHA256, f.sha256()).setString(F_SHA512, f.sha512()).setString(F_ERROR, f.error())
                .setIntOrNull(F_VIA, f.viaPid() > 0 ? f.viaPid() : null).end();
    }

    /** Damage found while reading the journal: a gap of its own kind, with the position in the message. */
    public void journalDamage(String host, long tsNs, long utcNs, String message) {
        losses.row().setLong(L_TS, tsNs).setLong(L_UTC, utcNs).setString(L_SOURCE, "journal")
                .setString(L_MESSAGE, message).end();
    }

    /**
     * What the recorder's final record says it did not do (hooks the kernel refused, --no-io-uring, enrichment it
     * skipped, a failed snapshot): a gap in what was watched, with the note as the message.
     */
    public void recorderNote(long tsNs, long utcNs, String note) {
        losses.row().setLong(L_TS, tsNs).setLong(L_UTC, utcNs).setString(L_SOURCE, "recorder_note")
                .setString(L_MESSAGE, note).end();
    }

    /** The kernel's dev_t is a u32: as a SQL BIGINT it must not come out negative. */
    private static Long unsigned(Integer dev) {
        return dev == null ? null : Integer.toUnsignedLong(dev);
    }

    /** After a failure: every table's files of this run are deleted (TableWriter.abort). Never throws. */
    public void abort() {
        for (TableWriter t : writers()) {
            t.abort();
        }
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (TableWriter t : writers()) {
            try {
                t.close();
            } catch (IOException e) {
                if (first == null) first = e;
                else first.addSuppressed(e); // another table failed too: keep it for --verbose
            }
        }
        if (first != null) throw first;
    }

}
