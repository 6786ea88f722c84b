package dev.mapscribe.analyzer.export;

import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code mmap_exec.jsonl}: each mmap_exec row in kunai's event shape,
 * {@code {"data": {ancestors, command_line, exe: {path}, mapped: {path, md5, sha1, sha256, sha512, size, error}},
 * "info": {host, event: {source, id: 41, name, uuid, batch}, task, parent_task, utc_time}}}, so
 * pipelines that ingest kunai ingest it. Like kunai, the hash fields are "" when not computed and
 * {@code error} says why. What kunai does not have is added, never renamed: {@code mapped.magic} and
 * {@code data.mmap} (addr, len, prot, flags, offset, ret, failed).
 */
public final class KunaiMmapExecJsonl extends JsonlSink {
    public static final String FILE_NAME = "mmap_exec.jsonl";

    private static final TableSchema T = Tables.MMAP_EXEC;
    private static final int HOST = T.col("host"), UTC = T.col("utc_time");
    private static final int ANCESTORS = T.col("ancestors"), COMMAND_LINE = T.col("command_line"), EXE = T.col("exe_path");
    private static final int M_PATH = T.col("mapped_path"), M_MAGIC = T.col("mapped_magic"), M_MD5 = T.col("mapped_md5"),
            M_SHA1 = T.col("mapped_sha1"), M_SHA256 = T.col("mapped_sha256"), M_SHA512 = T.col("mapped_sha512"),
            M_SIZE = T.col("mapped_size"), M_ERROR = T.col("mapped_error");
    private static final int SOURCE = T.col("event_source"), ID = T.col("event_id"), NAME = T.col("event_name"),
            UUID = T.col("event_uuid"), BATCH = T.col("event_batch");
    private static final int ADDR = T.col("addr"), LEN = T.col("len"), PROT = T.col("prot"), FLAGS = T.col("flags"),
            OFFSET = T.col("file_offset"), RET = T.col("ret"), FAILED = T.col("failed");

    private KunaiMmapExecJsonl(Path file) throws IOException {
        super(file);
    }

    /** Writes {@code mmap_exec.jsonl} next to the writer's Parquet parts. */
    public static TableWriter attachTo(TableWriter writer) throws IOException {
        if (writer.table() != T) {
            throw new IllegalArgumentException("kunai's mmap_exec shape needs the mmap_exec table, not " + writer.table().name());
        }
        return writer.addSink(new KunaiMmapExecJsonl(writer.directory().resolve(FILE_NAME)));
    }

    @Override
    void writeObject(RowView r) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("data");
        stringOrEmpty("ancestors", r, ANCESTORS);
        stringOrEmpty("command_line", r, COMMAND_LINE);
        g.writeObjectFieldStart("exe");
        stringOrEmpty("path", r, EXE);
        g.writeEndObject();
        g.writeObjectFieldStart("mapped");
        stringOrEmpty("path", r, M_PATH);
        stringOrEmpty("md5", r, M_MD5);
        stringOrEmpty("sha1", r, M_SHA1);
        stringOrEmpty("sha256", r, M_SHA256);
        stringOrEmpty("sha512", r, M_SHA512);
        g.writeNumberField("size", r.isNull(M_SIZE) ? 0 : r.getLong(M_SIZE));
        stringOrNull("error", r, M_ERROR);
        stringOrNull("magic", r, M_MAGIC);
        g.writeEndObject();
        g.writeObjectFieldStart("mmap");
        g.writeStringField("addr", hex(r.getLong(ADDR)));
        g.writeNumberField("len", r.getLong(LEN));
        g.writeStringField("prot", hex(r.getInt(PROT)));
        g.writeStringField("flags", hex(r.getInt(FLAGS)));
        g.writeNumberField("offset", r.getLong(OFFSET));
        g.writeNumberField("ret", r.getLong(RET));
        g.writeBooleanField("failed", r.getBool(FAILED));
        g.writeEndObject();
        g.writeEndObject(); // data

        g.writeObjectFieldStart("info");
        g.writeObjectFieldStart("host");
        g.writeStringField("name", r.getString(HOST));
        g.writeNullField("container");
        g.writeEndObject();
        g.writeObjectFieldStart("event");
        g.writeStringField("source", r.getString(SOURCE));
        g.writeNumberField("id", r.getInt(ID));
        g.writeStringField("name", r.getString(NAME));
        g.writeStringField("uuid", r.getString(UUID));
        g.writeNumberField("batch", r.getLong(BATCH));
        g.writeEndObject();
        task("task", r);
        task("parent_task", r);
        g.writeStringField("utc_time", utc(r.getLong(UTC)));
        g.writeEndObject(); // info
        g.writeEndObject();
    }

    private void task(String who, RowView r) throws IOException {
        g.writeObjectFieldStart(who);
        stringOrEmpty("name", r, T.col(who + "_name"));
        numberOrNull("pid", r, T.col(who + "_pid"));
        numberOrNull("tgid", r, T.col(who + "_tgid"));
        numberOrNull("uid", r, T.col(who + "_uid"));
        numberOrNull("gid", r, T.col(who + "_gid"));
        g.writeObjectFieldStart("namespaces");
        numberOrNull("mnt", r, T.col(who + "_mnt_ns"));
        g.writeEndObject();
        g.writeEndObject();
    }
}
