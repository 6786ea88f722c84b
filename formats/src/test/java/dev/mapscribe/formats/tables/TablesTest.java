package dev.mapscribe.formats.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TablesTest {

    // SQL words an analyst could not type unquoted in DuckDB (Postgres-derived grammar).
    private static final Set<String> RESERVED = Set.of("all", "analyse", "analyze", "and", "any", "array", "as", "asc",
            "asymmetric", "both", "case", "cast", "check", "collate", "column", "constraint", "create", "default",
            "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "from",
            "grant", "group", "having", "in", "initially", "intersect", "into", "lateral", "leading", "limit", "not",
            "null", "offset", "on", "only", "or", "order", "placing", "primary", "references", "returning", "select",
            "some", "symmetric", "table", "then", "to", "trailing", "true", "union", "unique", "using", "variadic",
            "when", "where", "window", "with", "user", "current_user", "current_date", "current_time");

    @Test
    void docsTablesMdIsTheRenderingOfTables() throws Exception {
        Path root = projectRoot();
        String inTree = Files.readString(root.resolve("docs/TABLES.md"));
        assertEquals(TablesDoc.markdown(), inTree,
                "docs/TABLES.md is stale: run java -cp formats/target/classes dev.mapscribe.formats.tables.TablesDoc docs/TABLES.md");
    }

    @Test
    void noColumnIsAnSqlReservedWord() {
        for (TableSchema t : Tables.ALL) {
            for (Column c : t.columns()) {
                assertFalse(RESERVED.contains(c.name()), t.name() + "." + c.name());
            }
        }
    }

    @Test
    void everyTableHasHostAndTimeAndProcessColumnsFirstWhereItHasThem() {
        for (TableSchema t : Tables.ALL) {
            assertEquals("host", t.column(0).name(), t.name());
            assertEquals("ts_ns", t.column(1).name(), t.name());
            assertEquals(ColumnType.INT64, t.column(1).type());
            assertEquals("utc_time", t.column(2).name(), t.name());
            assertEquals(ColumnType.TIMESTAMP_NS, t.column(2).type());
            if (t != Tables.LOSSES && t != Tables.FILES) { // a gap, a file: no one process
                assertTrue(t.has("pid") && t.has("comm"), t.name());
            }
        }
        for (TableSchema t : List.of(Tables.SYSCALLS, Tables.MMAP_EXEC, Tables.MEM_PROT_ALERT, Tables.PROCESSES)) {
            assertTrue(t.has("tid"), t.name());
        }
    }

    @Test
    void tablesAreFoundByNameAndColumnsByPosition() {
        assertSame(Tables.MMAP_EXEC, Tables.byName("mmap_exec"));
        assertEquals(null, Tables.byName("nope"));
        TableSchema t = Tables.REGIONS;
        assertEquals("valid_to_ns", t.column(t.col("valid_to_ns")).name());
        assertTrue(t.column(t.col("valid_to_ns")).nullable());
        assertNotNull(Tables.MMAP_EXEC.column(Tables.MMAP_EXEC.col("mapped_sha256")));
    }

    private static Path projectRoot() {
        String env = System.getenv("MAPSCRIBE_ROOT");
        if (env != null) {
            return Path.of(env);
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("bpf/mapscribe.h"))) {
            p = p.getParent();
        }
        return p;
    }
}
