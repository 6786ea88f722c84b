package dev.mapscribe.analyzer.query;

import dev.mapscribe.formats.tables.Column;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The interactive SQL shell of {@code mapscribe query OUT} on a terminal, in the manner of DuckDB's
 * CLI: statements may span lines and run at their terminating {@code ;}; dot commands
 * ({@code .tables}, {@code .schema [table]}, {@code .format}, {@code .history}, {@code .help},
 * {@code .quit}) act at the start of a statement; {@code !N} runs history entry N again. The
 * terminal's own line editing applies; history lives for the session only.
 */
public final class QueryShell {
    private static final String PROMPT = "mapscribe> ";
    private static final String MORE = "      ...> ";

    private final QuerySession session;
    private final BufferedReader in;
    private final PrintStream out;
    private final PrintStream err;
    private final int maxCellWidth;
    private final List<String> history = new ArrayList<>();
    private ResultFormat format;

    public QueryShell(QuerySession session, BufferedReader in, PrintStream out, PrintStream err, ResultFormat format, int maxCellWidth) {
        this.session = session;
        this.in = in;
        this.out = out;
        this.err = err;
        this.format = format;
        this.maxCellWidth = maxCellWidth;
    }

    /** Reads and runs until .quit or end of input. */
    public void run() throws IOException {
        out.println("mapscribe SQL over " + describe(session.catalog().exports()) + ". End statements with ';'. .help for commands.");
        StringBuilder buffer = new StringBuilder();
        while (true) {
            out.print(buffer.isEmpty() ? PROMPT : MORE);
            out.flush();
            String line = in.readLine();
            if (line == null) {
                if (!buffer.toString().isBlank()) {
                    execute(buffer.toString());
                }
                out.println();
                return;
            }
            if (buffer.isEmpty()) {
                String cmd = line.strip();
                if (cmd.isEmpty()) {
                    continue;
                }
                if (cmd.startsWith(".")) {
                    if (!dotCommand(cmd)) {
                        return;
                    }
                    continue;
                }
                if (cmd.matches("!\\d+")) {
                    // More than 9 digits would overflow parseInt and end the shell: no history is that long anyway.
                    int n = cmd.length() > 10 ? Integer.MAX_VALUE : Integer.parseInt(cmd.substring(1));
                    if (n < 1 || n > history.size()) {
                        err.println("Error: no history entry " + cmd.substring(1) + " (.history lists them)");
                    } else {
                        String again = history.get(n - 1);
                        out.println(again);
                        execute(again);
                    }
                    continue;
                }
            }
            buffer.append(line).append('\n');
            if (SqlScript.complete(buffer.toString())) {
                execute(buffer.toString());
                buffer.setLength(0);
            }
        }
    }

    private void execute(String text) {
        history.add(text.strip());
        ResultPrinter printer = new ResultPrinter(format, out, format == ResultFormat.TABLE ? maxCellWidth : 0);
        for (String statement : SqlScript.split(text)) {
            try {
                session.run(statement, printer);
            } catch (SQLException e) {
                err.println("Error: " + QuerySession.firstLine(e));
                return; // the rest of the line depended on it, most likely
            }
        }
    }

    /** Runs a dot command; false for .quit. */
    private boolean dotCommand(String cmd) {
        String[] words = cmd.split("\\s+");
        switch (words[0]) {
            case ".quit", ".exit", ".q" -> {
                return false;
            }
            case ".tables" -> {
                for (TableSchema t : Tables.ALL) {
                    boolean present = !session.catalog().directoriesWith(t).isEmpty();
                    out.println(present ? t.name() : String.format("%-16s (no files: empty)", t.name()));
                }
            }
            case ".schema" -> {
                if (words.length == 1) {
                    Tables.ALL.forEach(this::printSchema);
                } else {
                    TableSchema t = Tables.byName(words[1]);
                    if (t == null) {
                        err.println("Error: no table " + words[1] + " (.tables lists them)");
                    } else {
                        printSchema(t);
                    }
                }
            }
            case ".format", ".mode" -> {
                if (words.length == 1) {
                    out.println(format);
                } else {
                    try {
                        format = ResultFormat.parse(words[1]);
                    } catch (IllegalArgumentException e) {
                        err.println("Error: " + e.getMessage());
                    }
                }
            }
            case ".history" -> {
                for (int i = 0; i < history.size(); i++) {
                    out.printf("%4d  %s%n", i + 1, history.get(i).replace("\n", "\n      "));
                }
            }
            case ".help" -> out.println("""
                    SQL statements end with ';' and may span lines. Tables: %s (docs/TABLES.md).
                    .tables             list the tables
                    .schema [TABLE]     columns, types and meaning
                    .format [table|csv|json|jsonl]   show or set the output format
                    .history            statements run so far; !N runs entry N again
                    .quit               leave (also Ctrl-D)""".formatted(tableNames()));
            default -> err.println("Error: unknown command " + words[0] + " (.help lists them)");
        }
        return true;
    }

    /** The exported tables' names, in the order docs list them: "mmap_exec, mem_prot_alert, ...". */
    public static String tableNames() {
        return String.join(", ", Tables.ALL.stream().map(TableSchema::name).toList());
    }

    private void printSchema(TableSchema t) {
        out.println(t.name() + ": " + t.doc());
        for (Column c : t.columns()) {
            out.printf("  %-22s %-13s %-8s %s%n", c.name(), c.type().duckDbType(), c.nullable() ? "" : "NOT NULL", c.doc());
        }
        out.println();
    }

    private static String describe(List<Path> exports) {
        return exports.size() == 1 ? exports.getFirst().toString() : exports.size() + " exports";
    }
}
