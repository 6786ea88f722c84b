package dev.mapscribe.analyzer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The --jsonl files: kunai's mmap_exec event shape and tracee's mem_prot_alert event shape. */
class JsonlShapesTest {
    static final long UTC = 1_730_206_082_469_749_874L; // 2024-10-29T12:48:02.469749874Z
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path out;

    @Test
    void mmapExecIsKunaisEventShape() throws Exception {
        TableSchema t = Tables.MMAP_EXEC;
        try (TableWriter w = KunaiMmapExecJsonl.attachTo(TableWriter.open(out, t, "web1"))) {
            w.row().setLong(t.col("ts_ns"), 77).setLong(t.col("utc_time"), UTC).setInt(t.col("pid"), 100).setInt(t.col("tid"), 101)
                    .setString(t.col("comm"), "curl").setString(t.col("ancestors"), "/usr/lib/systemd/systemd|/usr/bin/bash")
                    .setString(t.col("command_line"), "curl https://example.org").setString(t.col("exe_path"), "/usr/bin/curl")
                    .setString(t.col("mapped_path"), "/usr/lib/libidn2.so.0").setString(t.col("mapped_md5"), "73ac")
                    .setString(t.col("mapped_sha1"), "0c0b").setString(t.col("mapped_sha256"), "96ec").setString(t.col("mapped_sha512"), "7408")
                    .setLong(t.col("mapped_size"), 132992).setString(t.col("mapped_magic"), "ELF 64-bit LSB shared object")
                    .setString(t.col("event_source"), "kunai").setInt(t.col("event_id"), 41).setString(t.col("event_name"), "mmap_exec")
                    .setString(t.col("event_uuid"), "8df3b627-afe4-0014-496b-17390a6948c0").setLong(t.col("event_batch"), 877)
                    .setString(t.col("task_name"), "curl").setInt(t.col("task_pid"), 101).setInt(t.col("task_tgid"), 100)
                    .setInt(t.col("task_uid"), 1000).setInt(t.col("task_gid"), 1000).setLong(t.col("task_mnt_ns"), 4026531841L)
                    .setString(t.col("parent_task_name"), "bash").setInt(t.col("parent_task_pid"), 90).setInt(t.col("parent_task_tgid"), 90)
                    .setLong(t.col("addr"), 0x7f12_3456_7000L).setLong(t.col("len"), 8192).setInt(t.col("prot"), 5).setInt(t.col("flags"), 0x802)
                    .setLong(t.col("file_offset"), 4096).setLong(t.col("ret"), 0x7f12_3456_7000L).setBool(t.col("failed"), false)
                    .setBool(t.col("exe_path_truncated"), false).setBool(t.col("mapped_path_truncated"), false)
                    .setBool(t.col("ancestors_truncated"), false).setString(t.col("syscall"), "mmap").end();
        }
        List<String> lines = Files.readAllLines(out.resolve("mmap_exec/host=web1/mmap_exec.jsonl"));
        assertEquals(1, lines.size());
        JsonNode e = JSON.readTree(lines.getFirst());
        assertEquals("/usr/lib/systemd/systemd|/usr/bin/bash", e.at("/data/ancestors").asText());
        assertEquals("curl https://example.org", e.at("/data/command_line").asText());
        assertEquals("/usr/bin/curl", e.at("/data/exe/path").asText());
        assertEquals("/usr/lib/libidn2.so.0", e.at("/data/mapped/path").asText());
        assertEquals("96ec", e.at("/data/mapped/sha256").asText());
        assertEquals(132992, e.at("/data/mapped/size").asLong());
        assertTrue(e.at("/data/mapped/error").isNull());
        assertEquals("0x7f1234567000", e.at("/data/mmap/addr").asText());
        assertEquals("0x5", e.at("/data/mmap/prot").asText());
        assertEquals("web1", e.at("/info/host/name").asText());
        assertEquals("kunai", e.at("/info/event/source").asText());
        assertEquals(41, e.at("/info/event/id").asInt());
        assertEquals("mmap_exec", e.at("/info/event/name").asText());
        assertEquals(877, e.at("/info/event/batch").asLong());
        assertEquals(101, e.at("/info/task/pid").asInt());
        assertEquals(100, e.at("/info/task/tgid").asInt());
        assertEquals(4026531841L, e.at("/info/task/namespaces/mnt").asLong());
        assertEquals("bash", e.at("/info/parent_task/name").asText());
        assertTrue(e.at("/info/parent_task/uid").isNull());
        assertEquals("2024-10-29T12:48:02.469749874Z", e.at("/info/utc_time").asText());
        // and the Parquet row is there too
        assertTrue(Files.exists(out.resolve("mmap_exec/host=web1/part-00000.parquet")));
    }

    @Test
    void memProtAlertIsTraceesEventShapeWithParsedArguments() throws Exception {
        TableSchema t = Tables.MEM_PROT_ALERT;
        try (TableWriter w = TraceeMemProtAlertJsonl.attachTo(TableWriter.open(out, t, "web1"))) {
            for (Integer prev : new Integer[] {3, null}) {
                w.row().setLong(t.col("ts_ns"), 5).setLong(t.col("utc_time"), UTC).setInt(t.col("pid"), 200).setInt(t.col("tid"), 201)
                        .setString(t.col("comm"), "jit").setString(t.col("alert"), "Protection changed to Executable!").setInt(t.col("alert_id"), 2)
                        .setString(t.col("syscall"), "mprotect").setLong(t.col("addr"), 0x7f0000002000L).setLong(t.col("len"), 4096)
                        .setInt(t.col("prot"), 5).setIntOrNull(t.col("prev_prot"), prev).setString(t.col("pathname"), "/memfd:jit (deleted)")
                        .setLong(t.col("dev"), 1).setLong(t.col("inode"), 1234).setLong(t.col("ctime"), 1_700_000_000_000_000_001L)
                        .setLong(t.col("syscall_addr"), 0x7f0000000000L).setLong(t.col("syscall_len"), 0x4000).setInt(t.col("ppid"), 1)
                        .setBool(t.col("pathname_truncated"), false).setBool(t.col("exe_path_truncated"), false).end();
            }
        }
        List<String> lines = Files.readAllLines(out.resolve("mem_prot_alert/host=web1/mem_prot_alert.jsonl"));
        assertEquals(2, lines.size());
        JsonNode e = JSON.readTree(lines.getFirst());
        assertEquals(UTC, e.get("timestamp").asLong());
        assertEquals(200, e.get("processId").asInt());
        assertEquals(201, e.get("threadId").asInt());
        assertEquals(1, e.get("parentProcessId").asInt());
        assertEquals("jit", e.get("processName").asText());
        assertEquals("web1", e.get("hostName").asText());
        assertEquals("1010", e.get("eventId").asText());
        assertEquals("mem_prot_alert", e.get("eventName").asText());
        assertEquals("mprotect", e.get("syscall").asText());
        assertEquals(9, e.get("argsNum").asInt());
        JsonNode args = e.get("args");
        assertEquals(List.of("alert", "addr", "len", "prot", "prev_prot", "pathname", "dev", "inode", "ctime"),
                args.findValuesAsText("name"));
        assertEquals("Protection changed to Executable!", args.get(0).get("value").asText());
        assertEquals("0x7f0000002000", args.get(1).get("value").asText());
        assertEquals(4096, args.get(2).get("value").asLong());
        assertEquals("PROT_READ|PROT_EXEC", args.get(3).get("value").asText());
        assertEquals("PROT_READ|PROT_WRITE", args.get(4).get("value").asText());
        assertEquals("/memfd:jit (deleted)", args.get(5).get("value").asText());
        assertEquals(1_700_000_000_000_000_001L, args.get(8).get("value").asLong());
        assertTrue(JSON.readTree(lines.get(1)).get("args").get(4).get("value").isNull());
    }

    @Test
    void protNamesAreTraceesParsedForm() {
        assertEquals("PROT_NONE", TraceeMemProtAlertJsonl.protNames(0));
        assertEquals("PROT_READ|PROT_WRITE|PROT_EXEC", TraceeMemProtAlertJsonl.protNames(7));
    }

    @Test
    void rerunWithoutJsonlRemovesTheOldJsonl() throws Exception {
        try (TableWriter w = TraceeMemProtAlertJsonl.attachTo(TableWriter.open(out, Tables.MEM_PROT_ALERT, "web1"))) {
            SampleRows.write(w, 3);
        }
        Path jsonl = out.resolve("mem_prot_alert/host=web1/mem_prot_alert.jsonl");
        assertEquals(3, Files.readAllLines(jsonl).size());
        SampleRows.write(out, Tables.MEM_PROT_ALERT, "web1", 2);
        assertTrue(Files.notExists(jsonl));
    }
}
