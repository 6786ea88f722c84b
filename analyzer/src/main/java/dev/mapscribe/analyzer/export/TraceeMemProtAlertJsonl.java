package dev.mapscribe.analyzer.export;

import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code mem_prot_alert.jsonl}: each mem_prot_alert row as a tracee event (tracee's JSON output
 * with parsed arguments): {@code timestamp} (UTC ns), {@code processId}, {@code threadId},
 * {@code processName}, {@code hostName}, {@code eventId} "1010", {@code eventName}
 * "mem_prot_alert", {@code syscall}, and {@code args} alert (the text), addr (hex), len, prot and
 * prev_prot (PROT_* names), pathname, dev, inode, ctime. Context tracee has and the recording does
 * not (cgroup, container, pid namespace, entity ids) is zero or empty, as tracee prints it for the host.
 */
public final class TraceeMemProtAlertJsonl extends JsonlSink {
    public static final String FILE_NAME = "mem_prot_alert.jsonl";
    /** tracee's event id of mem_prot_alert (SysEnter 1000 + 10). */
    public static final String TRACEE_EVENT_ID = "1010";

    private static final TableSchema T = Tables.MEM_PROT_ALERT;
    private static final int HOST = T.col("host"), UTC = T.col("utc_time"), PID = T.col("pid"), TID = T.col("tid"),
            COMM = T.col("comm"), PPID = T.col("ppid"), UID = T.col("uid"), MNT = T.col("mnt_ns"), EXE = T.col("exe_path");
    private static final int ALERT = T.col("alert"), SYSCALL = T.col("syscall"), ADDR = T.col("addr"), LEN = T.col("len"),
            PROT = T.col("prot"), PREV = T.col("prev_prot"), PATH = T.col("pathname"), DEV = T.col("dev"),
            INODE = T.col("inode"), CTIME = T.col("ctime");

    private TraceeMemProtAlertJsonl(Path file) throws IOException {
        super(file);
    }

    /** Writes {@code mem_prot_alert.jsonl} next to the writer's Parquet parts. */
    public static TableWriter attachTo(TableWriter writer) throws IOException {
        if (writer.table() != T) {
            throw new IllegalArgumentException("tracee's mem_prot_alert shape needs the mem_prot_alert table, not " + writer.table().name());
        }
        return writer.addSink(new TraceeMemProtAlertJsonl(writer.directory().resolve(FILE_NAME)));
    }

    /** tracee's parsed protection: PROT_NONE, or the PROT_* names joined with '|'. */
    static String protNames(int prot) {
        List<String> names = new ArrayList<>();
        if ((prot & 1) != 0) names.add("PROT_READ");
        if ((prot & 2) != 0) names.add("PROT_WRITE");
        if ((prot & 4) != 0) names.add("PROT_EXEC");
        if ((prot & 0x01000000) != 0) names.add("PROT_GROWSDOWN");
        if ((prot & 0x02000000) != 0) names.add("PROT_GROWSUP");
        return names.isEmpty() ? "PROT_NONE" : String.join("|", names);
    }

    @Override
    void writeObject(RowView r) throws IOException {
        int pid = r.getInt(PID);
        int tid = r.getInt(TID);
        long ppid = r.isNull(PPID) ? 0 : r.getInt(PPID);
        g.writeStartObject();
        g.writeNumberField("timestamp", r.getLong(UTC));
        g.writeNumberField("threadStartTime", 0);
        g.writeNumberField("processorId", 0);
        g.writeNumberField("processId", pid);
        g.writeNumberField("cgroupId", 0);
        g.writeNumberField("threadId", tid);
        g.writeNumberField("parentProcessId", ppid);
        g.writeNumberField("hostProcessId", pid);
        g.writeNumberField("hostThreadId", tid);
        g.writeNumberField("hostParentProcessId", ppid);
        g.writeNumberField("userId", r.isNull(UID) ? 0 : r.getInt(UID));
        g.writeNumberField("mountNamespace", r.isNull(MNT) ? 0 : r.getLong(MNT));
        g.writeNumberField("pidNamespace", 0);
        stringOrEmpty("processName", r, COMM);
        g.writeObjectFieldStart("executable");
        stringOrEmpty("path", r, EXE);
        g.writeEndObject();
        g.writeStringField("hostName", r.getString(HOST));
        g.writeStringField("containerId", "");
        g.writeObjectFieldStart("container");
        g.writeEndObject();
        g.writeObjectFieldStart("kubernetes");
        g.writeEndObject();
        g.writeStringField("eventId", TRACEE_EVENT_ID);
        g.writeStringField("eventName", "mem_prot_alert");
        g.writeNumberField("argsNum", 9);
        g.writeNumberField("returnValue", 0);
        g.writeStringField("syscall", r.getString(SYSCALL));
        g.writeNullField("stackAddresses");
        g.writeObjectFieldStart("contextFlags");
        g.writeBooleanField("containerStarted", false);
        g.writeBooleanField("isCompat", false);
        g.writeEndObject();
        g.writeNumberField("threadEntityId", 0);
        g.writeNumberField("processEntityId", 0);
        g.writeNumberField("parentEntityId", 0);
        g.writeArrayFieldStart("args");
        stringArg("alert", "string", r.getString(ALERT));
        stringArg("addr", "void*", hex(r.getLong(ADDR)));
        numberArg("len", "size_t", r.getLong(LEN));
        stringArg("prot", "string", protNames(r.getInt(PROT)));
        // null when the region was unknown to the analyzer: never guessed
        stringArg("prev_prot", "string", r.isNull(PREV) ? null : protNames(r.getInt(PREV)));
        stringArg("pathname", "const char*", r.isNull(PATH) ? "" : r.getString(PATH));
        numberArg("dev", "dev_t", r.isNull(DEV) ? 0 : r.getLong(DEV));
        numberArg("inode", "unsigned long", r.isNull(INODE) ? 0 : r.getLong(INODE));
        numberArg("ctime", "u64", r.isNull(CTIME) ? 0 : r.getLong(CTIME));
        g.writeEndArray();
        g.writeEndObject();
    }

    /** One of tracee's {name, type, value} arguments; a null value is written as JSON null. */
    private void stringArg(String name, String type, String value) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeStringField("type", type);
        if (value == null) g.writeNullField("value");
        else g.writeStringField("value", value);
        g.writeEndObject();
    }

    private void numberArg(String name, String type, long value) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeStringField("type", type);
        g.writeNumberField("value", value);
        g.writeEndObject();
    }
}
