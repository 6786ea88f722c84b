package dev.mapscribe.analyzer.report;

import dev.mapscribe.analyzer.query.SqlScript;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NotebookParsingTest {

    @Test
    void jsonReadsEscapesNumbersAndNesting() {
        Object v = Json.parse("{\"a\": [1, -2.5e1, true, null], \"s\": \"tab\\tq\\\"\\u00e9\\ud83d\\ude00\"}");
        assertEquals(Map.of("a", java.util.Arrays.asList(1L, -25.0, true, null), "s", "tab\tq\"é😀"), v);
    }

    @Test
    void jsonErrorsNameTheLine() {
        var e = assertThrows(Json.JsonException.class, () -> Json.parse("{\n\"a\": [1,\n}"));
        assertTrue(e.getMessage().startsWith("JSON error at line 3"), e.getMessage());
        assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\": 1} x"));
        assertThrows(Json.JsonException.class, () -> Json.parse("[".repeat(1000)));
    }

    @Test
    void cellsAreClassifiedFromSourceAndMetadata() {
        String nb = """
            {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
              {"cell_type": "markdown", "metadata": {}, "source": ["# Title\\n", "text"]},
              {"cell_type": "code", "metadata": {}, "source": "%load_ext sql\\n%sql duckdb://", "outputs": []},
              {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "pid = 42  # the process\\nname = 'bash'\\nx = None\\n", "outputs": []},
              {"cell_type": "code", "metadata": {"mapscribe": {"chart": "bar", "x": "k", "y": "n", "expect_rows": true}},
               "source": ["%%sql\\n", "SELECT {{pid}} AS n, '{{name}}' AS k"], "outputs": []},
              {"cell_type": "code", "metadata": {}, "source": "print('hi')", "outputs": []},
              {"cell_type": "raw", "metadata": {}, "source": "ignored"}
            ]}""";
        Notebook n = Notebook.parse(nb, "t");
        assertEquals(5, n.cells().size());
        assertEquals(new Notebook.Markdown("# Title\ntext"), n.cells().get(0));
        assertInstanceOf(Notebook.Setup.class, n.cells().get(1));
        assertEquals(Map.of("pid", "42", "name", "bash", "x", "NULL"), ((Notebook.Parameters) n.cells().get(2)).values());
        assertEquals(new Notebook.Sql("SELECT {{pid}} AS n, '{{name}}' AS k", new Notebook.Chart(Notebook.ChartKind.BAR, "k", "n"), true),
            n.cells().get(3));
        assertInstanceOf(Notebook.Other.class, n.cells().get(4));
    }

    @Test
    void notANotebookIsRefusedWithAReason() {
        assertThrows(IllegalArgumentException.class, () -> Notebook.parse("{\"nbformat\": 3, \"cells\": []}", "old"));
        assertThrows(IllegalArgumentException.class, () -> Notebook.parse("[]", "array"));
    }

    @Test
    void parametersAreSubstitutedLikeJupysqlTemplates() {
        assertEquals("SELECT 42, 'bash', 42", NotebookRunner.substitute("SELECT {{pid}}, '{{ name }}', {{pid}}", Map.of("pid", "42", "name", "bash")));
        var e = assertThrows(IllegalArgumentException.class, () -> NotebookRunner.substitute("SELECT {{nope}}", Map.of()));
        assertTrue(e.getMessage().contains("{{nope}}"));
        // DuckDB struct literals use single braces: left alone.
        assertEquals("SELECT {'a': 1}", NotebookRunner.substitute("SELECT {'a': 1}", Map.of()));
    }

    @Test
    void statementsSplitAtSemicolonsOutsideQuotesAndComments() {
        assertEquals(List.of("CREATE MACRO m(x) AS x || ';'", "SELECT \"a;b\" FROM t -- c;d\nWHERE 1", "SELECT 2 /* ; */"),
            SqlScript.split("CREATE MACRO m(x) AS x || ';';\nSELECT \"a;b\" FROM t -- c;d\nWHERE 1;\nSELECT 2 /* ; */;\n-- trailing comment\n"));
        assertEquals(List.of("SELECT 'it''s; fine'"), SqlScript.split("SELECT 'it''s; fine'"));
    }
}
