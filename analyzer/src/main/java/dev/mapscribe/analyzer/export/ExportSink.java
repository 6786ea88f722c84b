package dev.mapscribe.analyzer.export;

import dev.mapscribe.analyzer.derive.MemProtAlertEvent;
import dev.mapscribe.analyzer.derive.MmapExecEvent;
import dev.mapscribe.analyzer.replay.EventSink;
import dev.mapscribe.analyzer.replay.LossRow;
import dev.mapscribe.analyzer.replay.ProcessLifetime;
import dev.mapscribe.analyzer.replay.RegionVersion;
import dev.mapscribe.analyzer.replay.SyscallRow;
import dev.mapscribe.analyzer.state.TaskInfo;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The replay's rows as the export: one {@link TableWriter} per table and host under OUT, and with
 * {@code jsonl} the kunai and tracee JSONL files. A host's writers all open together (on
 * {@link #startHost} or its first row), so a re-run replaces every table of that host, including
 * tables that now have no rows. Single-threaded, like the replay.
 */
public final class ExportSink implements EventSink, AutoCloseable {
    /** tracee's MemProtAlert enum, whose String() are the alert texts. */
    private static final List<String> TRACEE_ALERTS = List.of("", "Mmaped region with W+E permissions!",
            "Protection changed to Executable!", "Protection changed from E to W+E!", "Protection changed from W+E to E!");
    public static final String EVENT_SOURCE = "mapscribe";

    private final Path out;
    private final TableWriter.Options options;
    private final boolean jsonl;
    private final Map<String, HostWriters> hosts = new LinkedHashMap<>();

    public ExportSink(Path out, TableWriter.Options options, boolean jsonl) {
        this.out = out;
        this.options = options;
        this.jsonl = jsonl;
    }

    private static final class HostWriters {
        final Map<TableSchema, TableWriter> writers = new LinkedHashMap<>();
        long seq; // position among the host's syscalls rows

        TableWriter get(TableSchema t) {
            return writers.get(t);
        }
    }

    /** Opens every table's writer for {@code host}, replacing (by default) what an earlier run wrote for it. */
    public void startHost(String host) throws IOException {
        if (hosts.containsKey(host)) {
            return;
        }
        HostWriters h = new HostWriters();
        hosts.put(host, h); // before opening: close() must find and close what did open
        for (TableSchema t : Tables.ALL) {
            TableWriter w = TableWriter.open(out, t, host, options);
            h.writers.put(t, w);
            if (jsonl && t == Tables.MMAP_EXEC) {
                KunaiMmapExecJsonl.attachTo(w);
            } else if (jsonl && t == Tables.MEM_PROT_ALERT) {
                TraceeMemProtAlertJsonl.attachTo(w);
            }
        }
    }

    private HostWriters host(String host) {
        HostWriters h = hosts.get(host);
        if (h == null) {
            try {
                startHost(host);
            } catch (IOException e) {
                throw new UncheckedIOException("opening the export of " + host + " in " + out + ": " + e.getMessage(), e);
            }
            h = hosts.get(host);
        }
        return h;
    }

    /** Rows written so far per table, summed over hosts, for the analyzer's summary. */
    public Map<String, Long> rowsPerTable() {
        Map<String, Long> rows = new LinkedHashMap<>();
        for (TableSchema t : Tables.ALL) {
            long n = 0;
            for (HostWriters h : hosts.values()) {
                n += h.get(t).rowsWritten();
            }
            rows.put(t.name(), n);
        }
        return rows;
    }

    private static final TableSchema S = Tables.SYSCALLS;
    private static final int S_TS = S.col("ts_ns"), S_UTC = S.col("utc_time"), S_PID = S.col("pid"), S_TID = S.col("tid"),
            S_COMM = S.col("comm"), S_CPU = S.col("cpu"), S_BATCH = S.col("batch"), S_SEQ = S.col("seq"),
            S_SYSCALL = S.col("syscall"), S_NR = S.col("nr"), S_ARG0 = S.col("arg0"), S_RET = S.col("ret"),
            S_ERRNO = S.col("errno"), S_FAILED = S.col("failed");

    @Override
    public void syscall(SyscallRow r) {
        HostWriters h = host(r.host());
        RowWriter w = h.get(S).row();
        w.setLong(S_TS, r.tsNs()).setLong(S_UTC, r.utcNs()).setInt(S_PID, r.pid()).setInt(S_TID, r.tid())
                .setString(S_COMM, r.comm()).setInt(S_CPU, r.cpu()).setLong(S_BATCH, r.batch()).setLong(S_SEQ, h.seq++)
                .setString(S_SYSCALL, r.name()).setInt(S_NR, r.nr()).setLongOrNull(S_RET, r.ret())
                .setIntOrNull(S_ERRNO, r.errno()).setBool(S_FAILED, r.errno() != null);
        long[] args = r.args();
        for (int i = 0; i < Math.min(args.length, 6); i++) {
            w.setLong(S_ARG0 + i, args[i]); // arg0..arg5 are consecutive columns
        }
        w.end();
    }

    private static final TableSchema M = Tables.MMAP_EXEC;

    @Override
    public void mmapExec(MmapExecEvent e) {
        RowWriter w = host(e.host()).get(M).row();
        TaskInfo t = e.task();
        w.setLong(M.col("ts_ns"), e.tsNs()).setLong(M.col("utc_time"), e.utcNs())
                .setInt(M.col("pid"), t.pid()).setInt(M.col("tid"), t.tid()).setString(M.col("comm"), t.comm())
                .setLong(M.col("process_start_ns"), t.startNs()).setString(M.col("via"), e.via())
                .setString(M.col("ancestors"), e.ancestors()).setString(M.col("command_line"), e.commandLine())
                .setString(M.col("exe_path"), e.exe()).setString(M.col("mapped_path"), e.mappedPath())
                .setString(M.col("mapped_magic"), e.magic()).setString(M.col("mapped_md5"), e.md5())
                .setString(M.col("mapped_sha1"), e.sha1()).setString(M.col("mapped_sha256"), e.sha256())
                .setString(M.col("mapped_sha512"), e.sha512()).setLongOrNull(M.col("mapped_size"), e.size())
                .setString(M.col("mapped_error"), e.error()).setLongOrNull(M.col("mapped_dev"), dev(e.dev()))
                .setLongOrNull(M.col("mapped_inode"), e.inode()).setLongOrNull(M.col("mapped_ctime"), e.ctimeNs())
                .setString(M.col("event_source"), EVENT_SOURCE).setInt(M.col("event_id"), MmapExecEvent.EVENT_ID)
                .setString(M.col("event_name"), MmapExecEvent.EVENT_NAME).setString(M.col("event_uuid"), e.uuid())
                .setLong(M.col("event_batch"), e.batch())
                .setLongOrNull(M.col("addr"), e.addr()).setLong(M.col("hint_addr"), e.hintAddr()).setLong(M.col("len"), e.len())
                .setInt(M.col("prot"), e.prot()).setInt(M.col("flags"), e.flags()).setInt(M.col("fd"), e.fd())
                .setLong(M.col("file_offset"), e.offset()).setBool(M.col("failed"), !e.success())
                .setIntOrNull(M.col("errno"), e.errno());
        task(w, "task", t);
        if (e.parent() != null) {
            task(w, "parent_task", e.parent());
        }
        w.end();
    }

    // kunai's task section: pid is the thread, tgid the process, uid/gid the effective ids.
    private static void task(RowWriter w, String who, TaskInfo t) {
        w.setString(M.col(who + "_name"), t.comm()).setInt(M.col(who + "_pid"), t.tid()).setInt(M.col(who + "_tgid"), t.pid())
                .setInt(M.col(who + "_uid"), t.euid()).setInt(M.col(who + "_gid"), t.egid())
                .setLong(M.col(who + "_mnt_ns"), t.mntns()).setLong(M.col(who + "_start_ns"), t.startNs());
    }

    private static final TableSchema A = Tables.MEM_PROT_ALERT;

    @Override
    public void memProtAlert(MemProtAlertEvent e) {
        int alertId = TRACEE_ALERTS.indexOf(e.alert());
        if (alertId <= 0) {
            throw new IllegalArgumentException("not one of tracee's four alerts: " + e.alert());
        }
        TaskInfo t = e.task();
        host(e.host()).get(A).row()
                .setLong(A.col("ts_ns"), e.tsNs()).setLong(A.col("utc_time"), e.utcNs())
                .setInt(A.col("pid"), t.pid()).setInt(A.col("tid"), t.tid()).setString(A.col("comm"), t.comm())
                .setLong(A.col("process_start_ns"), t.startNs()).setString(A.col("alert"), e.alert()).setInt(A.col("alert_id"), alertId)
                .setString(A.col("syscall"), e.syscall()).setLong(A.col("addr"), e.addr()).setLong(A.col("len"), e.len())
                .setInt(A.col("prot"), e.prot()).setIntOrNull(A.col("prev_prot"), e.prevProt()).setString(A.col("pathname"), e.pathname())
                .setLongOrNull(A.col("dev"), dev(e.dev())).setLongOrNull(A.col("inode"), e.inode()).setLongOrNull(A.col("ctime"), e.ctimeNs())
                .setLong(A.col("syscall_addr"), e.syscallAddr()).setLong(A.col("syscall_len"), e.syscallLen())
                .setInt(A.col("uid"), t.uid()).setInt(A.col("gid"), t.gid()).setLong(A.col("mnt_ns"), t.mntns())
                .end();
    }

    private static final TableSchema R = Tables.REGIONS;

    @Override
    public void regionVersion(RegionVersion v) {
        host(v.host()).get(R).row()
                .setLong(R.col("ts_ns"), v.validFromNs()).setLong(R.col("utc_time"), v.validFromUtcNs()).setInt(R.col("pid"), v.pid())
                .setLong(R.col("mm_id"), v.mmId()).setLong(R.col("start_addr"), v.start()).setLong(R.col("end_addr"), v.end())
                .setIntOrNull(R.col("prot"), v.prot()).setString(R.col("perms"), v.perms()).setBool(R.col("shared"), v.shared())
                .setString(R.col("backing"), v.backing()).setString(R.col("path"), v.path()).setLongOrNull(R.col("dev"), dev(v.dev()))
                .setLongOrNull(R.col("inode"), v.inode()).setLongOrNull(R.col("ctime"), v.ctimeNs())
                .setLong(R.col("file_offset"), v.offset()).setLong(R.col("version"), v.version())
                .setLong(R.col("valid_from_ns"), v.validFromNs()).setLongOrNull(R.col("valid_to_ns"), v.validToNs())
                .setLongOrNull(R.col("valid_to_utc"), v.validToUtcNs()).setBool(R.col("known"), !"unknown".equals(v.backing()))
                .end();
    }

    private static final TableSchema P = Tables.PROCESSES;

    @Override
    public void process(ProcessLifetime p) {
        host(p.host()).get(P).row()
                .setLong(P.col("ts_ns"), p.startNs()).setLong(P.col("utc_time"), p.startUtcNs()).setInt(P.col("pid"), p.pid())
                .setInt(P.col("tid"), p.pid()).setString(P.col("comm"), p.comm()).setLong(P.col("start_ns"), p.startNs())
                .setBool(P.col("start_exact"), p.startExact()).setInt(P.col("ppid"), p.ppid()).setLong(P.col("parent_start_ns"), p.parentStartNs())
                .setLongOrNull(P.col("exit_ns"), p.exitNs()).setLongOrNull(P.col("exit_utc"), p.exitUtcNs())
                .setIntOrNull(P.col("exit_code"), p.exitCode()).setBool(P.col("exit_recorded"), p.exitRecorded())
                .setString(P.col("exe_path"), p.exe()).setString(P.col("command_line"), p.commandLine())
                .setBool(P.col("argv_truncated"), p.argvTruncated()).setString(P.col("ancestors"), p.ancestors())
                .setInt(P.col("uid"), p.uid()).setInt(P.col("gid"), p.gid()).setInt(P.col("euid"), p.euid()).setInt(P.col("egid"), p.egid())
                .setLong(P.col("mnt_ns"), p.mntns()).setInt(P.col("execs"), p.execs()).setString(P.col("source"), p.source())
                .setBool(P.col("memory_known"), p.memoryKnown())
                .end();
    }

    private static final TableSchema L = Tables.LOSSES;

    @Override
    public void loss(LossRow l) {
        host(l.host()).get(L).row()
                .setLong(L.col("ts_ns"), l.tsNs()).setLong(L.col("utc_time"), l.utcNs()).setString(L.col("source"), "ringbuf")
                .setInt(L.col("cpu"), l.cpu()).setLong(L.col("lost"), l.count()).setLong(L.col("first_ns"), l.firstNs())
                .setLong(L.col("last_ns"), l.lastNs())
                .end();
    }

    /** A damaged journal: the records after {@code tsNs} (the last good one) are missing. */
    public void journalDamage(String host, long tsNs, long utcNs, String message) {
        host(host).get(L).row()
                .setLong(L.col("ts_ns"), tsNs).setLong(L.col("utc_time"), utcNs).setString(L.col("source"), "journal")
                .setString(L.col("message"), message)
                .end();
    }

    /** dev_t is an unsigned 32-bit value. */
    private static Long dev(Integer dev) {
        return dev == null ? null : Integer.toUnsignedLong(dev);
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (HostWriters h : hosts.values()) {
            for (TableWriter w : h.writers.values()) {
                try {
                    w.close();
                } catch (IOException e) {
                    if (failure == null) {
                        failure = e;
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
