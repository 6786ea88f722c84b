package dev.mapscribe.analyzer.cli;

import dev.mapscribe.analyzer.query.QueryShell;
import dev.mapscribe.analyzer.query.QuerySession;
import dev.mapscribe.analyzer.query.ResultFormat;
import dev.mapscribe.analyzer.query.ResultPrinter;
import dev.mapscribe.formats.tables.TableSchema;
import dev.mapscribe.formats.tables.Tables;
import dev.mapscribe.recorder.cli.Cli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mapscribe query OUT_DIR... ["SQL" | --file q.sql] [--format table|csv|json|jsonl]}. */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = {"Run SQL (embedded DuckDB) over one or more exports.", "",
                "Each table (${mapscribe.tables}) is a view over the Parquet "
                        + "files of every OUT_DIR; a table an export lacks is an empty view. With no SQL on a terminal, "
                        + "opens an interactive shell; with no SQL in a pipe, reads the SQL from standard input. "
                        + "Columns: docs/TABLES.md, or .schema in the shell."},
        footer = {"", "Examples:",
                "  mapscribe query out \"SELECT alert, count(*) FROM mem_prot_alert GROUP BY 1\"",
                "  mapscribe query web1-out db2-out --file triage.sql --format csv > t.csv",
                "  mapscribe query out",
                "", "Exit codes: 0 ok, 1 SQL or other error (one line on stderr), 2 usage."})
public final class QueryCommand implements Callable<Integer> {
    static {
        // The tables the help names, from their one definition: picocli resolves ${mapscribe.tables} in the
        // description from the system properties when it prints the help, after this class is loaded.
        System.setProperty("mapscribe.tables", QueryShell.tableNames());
    }

    @Parameters(arity = "1..*", paramLabel = "OUT_DIR... [SQL]",
            description = "Export directories, then optionally the SQL (the last argument, when it is not a directory).")
    List<String> arguments = new ArrayList<>();

    @Option(names = "--file", paramLabel = "FILE", description = "Run the SQL statements of FILE.")
    Path file;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "table, csv, json or jsonl (default: table on a terminal, csv otherwise).")
    String format;

    @Option(names = "--max-width", paramLabel = "N", defaultValue = "60",
            description = "Cut table cells longer than N characters on a terminal (0: never; default ${DEFAULT-VALUE}).")
    int maxWidth;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final Boolean terminalOverride;

    public QueryCommand() {
        this(System.out, System.err, System.in, null);
    }

    /** For tests: explicit streams, and whether to behave as on a terminal. */
    public QueryCommand(PrintStream out, PrintStream err, InputStream in, Boolean terminal) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.terminalOverride = terminal;
    }

    private boolean terminal() {
        if (terminalOverride != null) {
            return terminalOverride;
        }
        return Cli.terminal();
    }

    @Override
    public Integer call() {
        List<Path> exports = new ArrayList<>();
        String sql = null;
        for (int i = 0; i < arguments.size(); i++) {
            String a = arguments.get(i);
            Path p = Path.of(a);
            if (Files.isDirectory(p)) {
                exports.add(p);
            } else if (i == arguments.size() - 1 && !exports.isEmpty()) {
                sql = a;
            } else {
                throw new CommandLine.ParameterException(spec.commandLine(), "not an export directory: " + a);
            }
        }
        if (sql != null && file != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give the SQL either as an argument or with --file, not both");
        }
        ResultFormat fmt;
        try {
            fmt = format != null ? ResultFormat.parse(format) : terminal() ? ResultFormat.TABLE : ResultFormat.CSV;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        warnAboutEmptyExports(exports);

        if (file != null) {
            try {
                sql = Files.readString(file, StandardCharsets.UTF_8);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new Cli.UserError("cannot read " + file + ": no such file"); // its message is the bare path
            } catch (IOException e) {
                throw new Cli.UserError("cannot read " + file + ": " + e.getMessage());
            }
        }
        int cellWidth = terminal() ? maxWidth : 0;
        try (QuerySession session = QuerySession.open(exports)) {
            if (sql == null && terminal()) {
                new QueryShell(session, reader(), out, err, fmt, cellWidth).run();
                return Cli.OK;
            }
            if (sql == null) {
                sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            session.runScript(sql, new ResultPrinter(fmt, out, fmt == ResultFormat.TABLE ? cellWidth : 0));
            return Cli.OK;
        } catch (SQLException e) {
            err.println("mapscribe: SQL error: " + QuerySession.firstLine(e));
            if (verbose) {
                e.printStackTrace(err);
            }
            return Cli.FAILURE;
        } catch (IOException e) {
            throw new Cli.UserError("reading SQL: " + e.getMessage());
        }
    }

    private BufferedReader reader() {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** An OUT_DIR with none of the tables is most likely a typo'd path: say so, but still run (views are empty). */
    private void warnAboutEmptyExports(List<Path> exports) {
        for (Path p : exports) {
            boolean any = false;
            for (TableSchema t : Tables.ALL) {
                any |= Files.isDirectory(p.resolve(t.name()));
            }
            if (!any) {
                err.println("mapscribe: warning: " + p + " holds none of the exported tables; its views are empty");
            }
        }
    }
}
