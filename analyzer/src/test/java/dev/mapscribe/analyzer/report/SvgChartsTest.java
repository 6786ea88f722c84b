package dev.mapscribe.analyzer.report;

import dev.mapscribe.analyzer.report.NotebookRunner.Table;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SvgChartsTest {
    private static Table table(long totalRows, List<Object>... rows) {
        return new Table(List.of("ts_ns", "alert"), List.of("BIGINT", "VARCHAR"), Arrays.asList(rows), totalRows);
    }

    @Test
    void aTimelineOfEveryRowSaysNothingAboutMissingRows() {
        String svg = SvgCharts.timeline(table(2, List.of(1_000_000_000L, "a"), List.of(2_000_000_000L, "b")), "ts_ns", "alert");
        assertFalse(svg.contains("rows drawn"), svg);
        assertTrue(svg.contains("<circle"), svg);
    }

    @Test
    void aTimelineOfPartOfTheRowsSaysHowManyItDrew() {
        // 6000 rows in the result, 2 kept (as past NotebookRunner.MAX_ROWS), one of them without a time
        String svg = SvgCharts.timeline(table(6000, List.of(1_000_000_000L, "a"), Arrays.asList(null, "b")), "ts_ns", "alert");
        assertTrue(svg.contains("(1 of 6000 rows drawn)"), svg);
    }
}
