package dev.mapscribe.analyzer.cli;

import dev.mapscribe.analyzer.query.ExportCatalog;
import dev.mapscribe.analyzer.report.HtmlReport;
import dev.mapscribe.analyzer.report.Notebook;
import dev.mapscribe.analyzer.report.NotebookRunner;
import dev.mapscribe.analyzer.report.NotebookRunner.CellRun;
import dev.mapscribe.recorder.cli.Cli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mapscribe report NOTEBOOK --data OUT[,OUT...] --html FILE}: runs a notebook over exports, writes one HTML page. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {
        "Run an investigation notebook's SQL cells over one or more exports and write one self-contained HTML page",
        "(tables, an alert timeline and other charts as inline SVG; it opens offline and fetches nothing).",
    },
    footer = {
        "",
        "Example:",
        "  mapscribe report notebooks/triage.ipynb --data demo-out --html triage.html",
        "  mapscribe report notebooks/process.ipynb --data demo-out \\",
        "      --param pid=4242 --html process-4242.html",
        "  mapscribe report notebooks/fleet.ipynb --data host-a,host-b --html fleet.html",
        "",
        "Exit codes: 0 ok, 1 a query failed or the data could not be read (the page is still written),",
        "2 usage (including a --param the notebook does not have).",
    })
public final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NOTEBOOK", description = "A Jupyter notebook (.ipynb) with %%%%sql cells, e.g. notebooks/triage.ipynb.")
    Path notebook;

    @Option(names = "--data", required = true, split = ",", paramLabel = "OUT_DIR",
        description = "Export directory written by 'mapscribe analyze --out'; several (several hosts) separated by commas.")
    List<Path> data;

    @Option(names = "--html", required = true, paramLabel = "FILE", description = "Where to write the HTML page.")
    Path html;

    @Option(names = "--param", paramLabel = "NAME=VALUE", description = "Set a notebook parameter, e.g. --param pid=4242 (repeatable).")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--verbose", description = "Print stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            Notebook nb = Notebook.read(notebook);
            Set<String> known = NotebookRunner.parameterNames(nb);
            for (String name : params.keySet()) {
                if (!known.contains(name)) {
                    // A typo must not silently run the default (another process than the analyst asked for).
                    err.println("mapscribe report: " + notebook.getFileName() + " has no parameter '" + name + "'"
                        + (known.isEmpty() ? " (it has none)" : " (it has: " + String.join(", ", known) + ")"));
                    return Cli.USAGE;
                }
            }
            for (Path d : data) {
                if (!Files.isDirectory(d)) {
                    err.println("mapscribe report: " + d + " is not a directory (give the --out directory of 'mapscribe analyze')");
                    return Cli.FAILURE;
                }
            }
            NotebookRunner.Run run;
            try (Connection conn = openViews(data)) {
                run = NotebookRunner.run(nb, conn, params);
            }
            List<String> dirs = data.stream().map(Path::toString).toList();
            writeAtomically(html, HtmlReport.render(run, dirs, Instant.now()));
            int queries = run.sqlCells().size();
            List<CellRun> failed = run.failures();
            for (CellRun c : failed) err.println("mapscribe report: query failed: " + c.error());
            long empty = run.sqlCells().stream().filter(CellRun::emptyButExpected).count();
            err.printf("mapscribe report: %d queries, %d failed, %d empty where rows were expected; wrote %s%n",
                queries, failed.size(), empty, html);
            return failed.isEmpty() ? Cli.OK : Cli.FAILURE;
        } catch (IOException | SQLException | UncheckedIOException e) {
            err.println("mapscribe report: " + e.getMessage());
            if (verbose) e.printStackTrace(err);
            return Cli.FAILURE;
        }
    }

    // Written next to the target and moved into place: a reader never sees half a page.
    private static void writeAtomically(Path target, String content) throws IOException {
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), ".report-", ".html.tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            // Temp files are 0600; a report is for opening in a browser, often as another user than root.
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** An in-memory DuckDB with the export's views (ExportCatalog: the same views as mapscribe query). */
    static Connection openViews(List<Path> dirs) throws SQLException {
        Connection conn = DriverManager.getConnection("jdbc:duckdb:");
        try {
            new ExportCatalog(dirs).defineViews(conn);
        } catch (SQLException | RuntimeException e) {
            conn.close();
            throw e;
        }
        return conn;
    }
}
