package dev.mapscribe.analyzer.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An investigation notebook: a Jupyter nbformat 4 file whose code cells are jupysql {@code %%sql} cells.
 * Each cell is classified once, here, so the runner and the page only switch over the kinds.
 */
public record Notebook(String name, List<Cell> cells) {

    public sealed interface Cell permits Markdown, Setup, Parameters, Sql, Other {}

    /** Text for the reader. */
    public record Markdown(String text) implements Cell {}

    /** The Jupyter-only cell that loads jupysql and defines the views over {@code DATA}; mapscribe defines them itself. */
    public record Setup(String source) implements Cell {}

    /** Python assignments ({@code pid = 0}); each value replaces {@code {{name}}} in later SQL cells. */
    public record Parameters(Map<String, String> values, String source) implements Cell {}

    /** A {@code %%sql} cell with the magic line removed, and what its metadata asks of the result. */
    public record Sql(String sql, Chart chart, boolean expectRows) implements Cell {}

    /** Any other code cell (plain Python); shown, not run. */
    public record Other(String source) implements Cell {}

    public enum ChartKind { TIMELINE, BAR }

    /** A chart of a result: {@code x} and {@code y} name result columns. */
    public record Chart(ChartKind kind, String x, String y) {}

    public static Notebook read(Path file) throws IOException {
        String name = file.getFileName().toString().replaceFirst("\\.ipynb$", "");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("no notebook at " + file, e); // the exception's own message is the bare path
        }
        try {
            return parse(text, name);
        } catch (Json.JsonException | IllegalArgumentException e) {
            throw new IOException(file + " is not a Jupyter notebook: " + e.getMessage(), e);
        }
    }

    public static Notebook parse(String json, String name) {
        if (!(Json.parse(json) instanceof Map<?, ?> root)) throw new IllegalArgumentException("the top level is not an object");
        if (!(root.get("nbformat") instanceof Long v) || v != 4) throw new IllegalArgumentException("nbformat is not 4");
        if (!(root.get("cells") instanceof List<?> rawCells)) throw new IllegalArgumentException("no cells array");
        List<Cell> cells = new ArrayList<>();
        for (Object o : rawCells) {
            if (!(o instanceof Map<?, ?> c)) throw new IllegalArgumentException("a cell is not an object");
            String source = source(c.get("source"));
            Map<?, ?> meta = c.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
            switch (String.valueOf(c.get("cell_type"))) {
                case "markdown" -> cells.add(new Markdown(source));
                case "code" -> cells.add(codeCell(source, meta));
                default -> { } // "raw" cells are for other tools; a report has nothing to show for them
            }
        }
        return new Notebook(name, List.copyOf(cells));
    }

    /** nbformat allows a source as one string or as a list of lines (each keeping its newline). */
    private static String source(Object o) {
        if (o instanceof String s) return s;
        if (o instanceof List<?> lines) {
            StringBuilder sb = new StringBuilder();
            for (Object line : lines) sb.append(line);
            return sb.toString();
        }
        return "";
    }

    private static Cell codeCell(String source, Map<?, ?> meta) {
        Map<?, ?> ms = meta.get("mapscribe") instanceof Map<?, ?> m ? m : Map.of();
        String trimmed = source.stripLeading();
        if ("setup".equals(ms.get("role")) || isSetup(trimmed)) return new Setup(source);
        if ("parameters".equals(ms.get("role")) || hasTag(meta, "parameters")) return new Parameters(parameters(source), source);
        if (trimmed.startsWith("%%sql")) {
            int eol = trimmed.indexOf('\n');
            String sql = eol < 0 ? "" : trimmed.substring(eol + 1);
            return new Sql(sql.strip(), chart(ms), Boolean.TRUE.equals(ms.get("expect_rows")));
        }
        return new Other(source);
    }

    // Recognised without metadata too, so a notebook written in Jupyter by hand still works.
    private static boolean isSetup(String trimmed) {
        return !trimmed.startsWith("%%sql")
            && (trimmed.contains("%load_ext sql") || trimmed.contains("%sql duckdb://") || trimmed.contains("read_parquet"));
    }

    private static boolean hasTag(Map<?, ?> meta, String tag) {
        return meta.get("tags") instanceof List<?> tags && tags.contains(tag);
    }

    private static Chart chart(Map<?, ?> ms) {
        if (!(ms.get("chart") instanceof String kind)) return null;
        ChartKind k = switch (kind) {
            case "timeline" -> ChartKind.TIMELINE;
            case "bar" -> ChartKind.BAR;
            default -> throw new IllegalArgumentException("unknown chart kind '" + kind + "' (timeline or bar)");
        };
        if (!(ms.get("x") instanceof String x) || !(ms.get("y") instanceof String y)) {
            throw new IllegalArgumentException("a " + kind + " chart needs \"x\" and \"y\" column names");
        }
        return new Chart(k, x, y);
    }

    // One simple Python assignment per line: NAME = 123 | 1.5 | 'text' | "text" | None | True | False.
    private static final Pattern ASSIGNMENT =
        Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(\"[^\"]*\"|'[^']*'|[^#\\s]+)\\s*(#.*)?$");

    /**
     * The parameter values as SQL text, the way jupysql's {@code {{name}}} template puts a Python value
     * into a query: numbers as written, strings without their quotes (the SQL quotes them).
     */
    static Map<String, String> parameters(String source) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : source.split("\n")) {
            String code = line.strip();
            if (code.isEmpty() || code.startsWith("#")) continue;
            Matcher m = ASSIGNMENT.matcher(line);
            if (!m.matches()) throw new IllegalArgumentException("parameter cell line is not NAME = VALUE: " + code);
            String v = m.group(2);
            if (v.length() >= 2 && (v.charAt(0) == '\'' || v.charAt(0) == '"')) v = v.substring(1, v.length() - 1);
            else if (v.equals("None")) v = "NULL";
            else if (v.equals("True") || v.equals("False")) v = v.toLowerCase(java.util.Locale.ROOT);
            values.put(m.group(1), v);
        }
        return values;
    }
}
