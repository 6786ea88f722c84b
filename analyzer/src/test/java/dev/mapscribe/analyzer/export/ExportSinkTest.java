package dev.mapscribe.analyzer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.derive.MemProtAlertEvent;
import dev.mapscribe.analyzer.derive.MmapExecEvent;
import dev.mapscribe.analyzer.query.ExportCatalog;
import dev.mapscribe.analyzer.replay.LossRow;
import dev.mapscribe.analyzer.replay.ProcessLifetime;
import dev.mapscribe.analyzer.replay.RegionVersion;
import dev.mapscribe.analyzer.replay.SyscallRow;
import dev.mapscribe.analyzer.state.TaskInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay's row records land in the right columns of the export. */
class ExportSinkTest {
    @TempDir
    Path out;

    static final TaskInfo TASK = new TaskInfo(100, 101, "jit", 1000, 1001, 0, 2, 4026531841L, 7_000);
    static final TaskInfo PARENT = new TaskInfo(90, 90, "bash", 1000, 1000, 1000, 1000, 4026531841L, 6_000);

    static MmapExecEvent mmapExec(boolean success) {
        return new MmapExecEvent("web1", 10, 1_000_010, "uuid-1", 3, "mmap", TASK, success ? PARENT : null, "/sbin/init|/bin/bash",
                "jit --run", "/usr/bin/jit", "/memfd:code (deleted)", 0xfff00001, 77L, 1_700_000_000_000_000_000L,
                "ELF 64-bit", "md5", "sha1", "sha256", "sha512", 4096L, null,
                success ? 0x7f0000000000L : null, 0, 4096, 5, 1, 3, 0, success, success ? null : 13);
    }

    List<List<Object>> rows(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            new ExportCatalog(List.of(out)).defineViews(c);
            List<List<Object>> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.add(rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    @Test
    void everyRecordLandsInItsColumns() throws Exception {
        try (ExportSink sink = new ExportSink(out, TableWriter.Options.defaults(), true)) {
            sink.syscall(new SyscallRow("web1", 5, 1_000_005, 100, 101, "jit", 1, "mprotect", 10, new long[] {0x7f0000000000L, 4096, 5}, 0L, null, 2));
            sink.syscall(new SyscallRow("web1", 6, 1_000_006, 100, 101, "jit", 0, "exit_group", 231, new long[] {0}, null, null, 2));
            sink.syscall(new SyscallRow("web1", 7, 1_000_007, 100, 101, "jit", 0, "mmap", 9, new long[] {0, 4096, 7, 0x22, -1, 0}, -12L, 12, 3));
            sink.mmapExec(mmapExec(true));
            sink.mmapExec(mmapExec(false));
            sink.memProtAlert(new MemProtAlertEvent("web1", 8, 1_000_008, TASK, "Protection changed from W+E to E!", 0x7f0000001000L, 4096,
                    5, 7, null, null, null, null, "pkey_mprotect", 0x7f0000000000L, 8192));
            sink.regionVersion(new RegionVersion("web1", 1, 100, 0x400000, 0x401000, null, "???p", false, "unknown", null, null, null,
                    null, 0, 0, 1, 9L, 1_000_001, 1_000_009L));
            sink.regionVersion(new RegionVersion("web1", 1, 100, 0x401000, 0x402000, 5, "r-xp", false, "file", "/usr/bin/jit", 0x800001,
                    55L, 1_600_000_000_000_000_000L, 4096, 1, 2, null, 1_000_002, null));
            sink.process(new ProcessLifetime("web1", 100, 7_000, true, 1_007_000, 20_000L, 1_020_000L, 256, true, 90, 6_000,
                    "/usr/bin/jit", "jit --run", false, "jit", 1000, 1001, 0, 2, 4026531841L, "/sbin/init|/bin/bash", "fork", 1, true));
            sink.loss(new LossRow("web1", 11, 1_000_011, 1, 42, 9, 10));
            sink.journalDamage("web1", 12, 1_000_012, "excerpt 7 at offset 128: record size 0");
            assertEquals(3L, sink.rowsPerTable().get("syscalls"));
        }

        assertEquals(List.of(
                List.of(0L, "mprotect", 0x7f0000000000L, 4096L, 5L, 0L, false),
                List.of(1L, "exit_group", 0L, false),
                List.of(2L, "mmap", 0L, 4096L, 7L, 0x22L, -1L, 0L, -12L, 12, true)),
                rows("SELECT seq, syscall, arg0, arg1, arg2, arg3, arg4, arg5, ret, errno, failed FROM syscalls ORDER BY seq").stream()
                        .map(r -> r.stream().filter(v -> v != null).toList()).toList());

        List<List<Object>> exec = rows("SELECT failed, addr, errno, task_pid, task_tgid, task_uid, task_gid, parent_task_name, parent_task_pid, "
                + "mapped_dev, event_source, event_id, via, process_start_ns FROM mmap_exec ORDER BY failed");
        assertEquals(List.of(false, 0x7f0000000000L), exec.get(0).subList(0, 2));
        assertNull(exec.get(0).get(2));
        assertEquals(List.of(101, 100, 0, 2, "bash", 90, 0xfff00001L, "mapscribe", 41, "mmap", 7_000L), exec.get(0).subList(3, 14));
        assertEquals(true, exec.get(1).get(0));
        assertNull(exec.get(1).get(1));
        assertEquals(13, exec.get(1).get(2));
        assertNull(exec.get(1).get(7)); // no parent known

        assertEquals(List.of(List.of(4, "pkey_mprotect", 7, 1000, 1001, 0x7f0000000000L, 8192L)),
                rows("SELECT alert_id, syscall, prev_prot, uid, gid, syscall_addr, syscall_len FROM mem_prot_alert"));
        assertEquals(List.of(List.of(false, "unknown", 9L), List.of(true, "file", 0x800001L)),
                rows("SELECT known, backing, coalesce(valid_to_ns, dev) FROM regions ORDER BY start_addr"));
        assertEquals(List.of(List.of(100, 100, 7_000L, 256, "fork", true)),
                rows("SELECT pid, tid, ts_ns, exit_code, source, memory_known FROM processes"));
        assertEquals(List.of(List.of("journal", "excerpt 7 at offset 128: record size 0"), List.of("ringbuf", "42")),
                rows("SELECT source, coalesce(message, CAST(lost AS VARCHAR)) FROM losses ORDER BY source"));

        assertEquals(2, Files.readAllLines(out.resolve("mmap_exec/host=web1/mmap_exec.jsonl")).size());
        assertEquals(1, Files.readAllLines(out.resolve("mem_prot_alert/host=web1/mem_prot_alert.jsonl")).size());
    }

    @Test
    void aRerunReplacesEveryTableOfTheHostEvenTheNowEmptyOnes() throws Exception {
        try (ExportSink sink = new ExportSink(out, TableWriter.Options.defaults(), false)) {
            sink.mmapExec(mmapExec(true));
            sink.loss(new LossRow("web2", 11, 1_000_011, 1, 42, 9, 10));
        }
        try (ExportSink sink = new ExportSink(out, TableWriter.Options.defaults(), false)) {
            sink.startHost("web1"); // the journal of web1 again, now with no mmap_exec
        }
        assertEquals(List.of(List.of(0L)), rows("SELECT count(*) FROM mmap_exec"));
        assertEquals(List.of(List.of("web2")), rows("SELECT host FROM losses")); // another host's export stays
    }

    @Test
    void anAlertTextTraceeDoesNotHaveIsRefused() throws Exception {
        try (ExportSink sink = new ExportSink(out, TableWriter.Options.defaults(), false)) {
            MemProtAlertEvent bad = new MemProtAlertEvent("web1", 8, 1, TASK, "Protection changed!", 0, 4096, 5, 7, null, null, null, null,
                    "mprotect", 0, 4096);
            assertThrows(IllegalArgumentException.class, () -> sink.memProtAlert(bad));
        }
        assertFalse(Files.exists(out.resolve("mem_prot_alert/host=web1/part-00000.parquet")));
    }
}
