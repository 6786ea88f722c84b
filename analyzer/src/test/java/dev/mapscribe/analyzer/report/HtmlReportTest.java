package dev.mapscribe.analyzer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mapscribe.analyzer.report.NotebookRunner.Run;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HtmlReportTest {

    @Test
    void markdownBecomesHeadingsParagraphsListsAndCode() {
        String html = MarkdownHtml.render("""
            # Title
            Some *emphasis* and **strong**
            over two lines with `code <x>`.

            - one
            - two [link](https://example.org/a?b=1&c=2)

            1. first
            2. second

            ```
            SELECT 1 < 2;
            ```
            """);
        assertEquals("""
            <h2 id="s-title">Title</h2>
            <p>Some <em>emphasis</em> and <strong>strong</strong>
            over two lines with <code>code &lt;x&gt;</code>.</p>
            <ul>
            <li>one</li>
            <li>two <a href="https://example.org/a?b=1&amp;c=2">link</a></li>
            </ul>
            <ol>
            <li>first</li>
            <li>second</li>
            </ol>
            <pre><code>SELECT 1 &lt; 2;
            </code></pre>
            """, html);
    }

    @Test
    void markdownCannotInjectMarkupOrScriptLinks() {
        String html = MarkdownHtml.render("<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=y>");
        assertFalse(html.contains("<script"), html);
        assertFalse(html.contains("<img"), html);
        assertFalse(html.contains("href=\"javascript"), html);
    }

    @Test
    void hostileValuesFromTheDataAreEscapedInTablesAndCharts() throws Exception {
        // comm and paths are attacker-chosen: a process can name itself anything.
        String nb = """
            {"nbformat": 4, "metadata": {}, "cells": [
              {"cell_type": "code", "metadata": {"mapscribe": {"chart": "bar", "x": "comm", "y": "n"}},
               "source": "%%sql\\nSELECT '<script>alert(1)</script>' AS comm, 3 AS n UNION ALL SELECT 'a\\u0007\\"''b', 1"},
              {"cell_type": "code", "metadata": {"mapscribe": {"chart": "timeline", "x": "ts_ns", "y": "comm"}},
               "source": "%%sql\\nSELECT 1000000000 AS ts_ns, '</svg><b>x' AS comm"}
            ]}""";
        Run run;
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:")) {
            run = NotebookRunner.run(Notebook.parse(nb, "hostile"), conn);
        }
        assertEquals(List.of(), run.failures());
        String html = HtmlReport.render(run, List.of("<dir>"), Instant.EPOCH);
        assertFalse(html.contains("<script>"), "a value never becomes markup");
        assertFalse(html.contains("<b>x"));
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(html.contains("a\\x07&quot;&#39;b"), "control characters are shown, quotes escaped");
        assertTrue(html.contains("&lt;dir&gt;"));
        assertTrue(html.contains("default-src 'none'"), "the page forbids every fetch");
    }

    @Test
    void aFailedQueryIsShownWithItsErrorAndCountedInTheHeader() throws Exception {
        String nb = """
            {"nbformat": 4, "metadata": {}, "cells": [
              {"cell_type": "code", "metadata": {}, "source": "%%sql\\nSELECT no_such_column FROM (SELECT 1 AS a)"},
              {"cell_type": "code", "metadata": {"mapscribe": {"expect_rows": true}}, "source": "%%sql\\nSELECT 1 AS a WHERE false"}
            ]}""";
        Run run;
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:")) {
            run = NotebookRunner.run(Notebook.parse(nb, "bad"), conn);
        }
        assertEquals(1, run.failures().size());
        assertTrue(run.failures().getFirst().error().contains("no_such_column"), run.failures().getFirst().error());
        assertTrue(run.cells().get(1).emptyButExpected());
        String html = HtmlReport.render(run, List.of("d"), Instant.EPOCH);
        assertTrue(html.contains("1 failed</a>"), "the header links to the failure");
        assertTrue(html.contains("1 empty where rows were expected"));
    }
}
