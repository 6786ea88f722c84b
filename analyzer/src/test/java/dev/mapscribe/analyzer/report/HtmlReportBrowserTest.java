package dev.mapscribe.analyzer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mapscribe.analyzer.report.NotebookRunner.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Opens each notebook's report in a real browser (Debian's headless Chromium): the page must load without
 * console errors or blocked requests, its DOM must hold the result tables and the SVG charts, and a
 * screenshot is written to analyzer/target/report-screenshots/ for a person to look at.
 * Skipped when chromium is not installed, unless MAPSCRIBE_REQUIRE_BPF=1 or MAPSCRIBE_REQUIRE_BROWSER=1 (CI).
 */
class HtmlReportBrowserTest {

    @ParameterizedTest
    @ValueSource(strings = {"triage", "process", "fleet"})
    void reportRendersInHeadlessChromium(String name) throws Exception {
        Path chromium = chromium();
        Path dir = Path.of("target", "report-screenshots").toAbsolutePath();
        Files.createDirectories(dir);
        Run run;
        try (Connection conn = ExportFixture.open()) {
            run = NotebookRunner.run(Notebook.read(ExportFixture.notebook(name)), conn);
        }
        assertEquals(List.of(), run.failures());
        Path html = dir.resolve(name + ".html");
        Files.writeString(html, HtmlReport.render(run, List.of("fixture:demo-a,demo-b"), Instant.parse("2026-11-23T16:45:00Z")));

        Path png = dir.resolve(name + ".png");
        Files.deleteIfExists(png);
        Result shot = runChromium(chromium, dir, "--screenshot=" + png, "--window-size=1280,2000", html.toUri().toString());
        assertTrue(Files.size(png) > 20_000, "screenshot " + png + " is " + Files.size(png) + " bytes: blank page?\n" + shot.stderr);
        assertNoPageErrors(shot.stderr);

        Result dom = runChromium(chromium, dir, "--dump-dom", html.toUri().toString());
        assertNoPageErrors(dom.stderr);
        String d = dom.stdout;
        long sqlCells = run.sqlCells().stream().filter(c -> c.table() != null && !c.table().rows().isEmpty()).count();
        assertEquals(sqlCells, count(d, "<table>"), "one table per query with rows, as the browser parsed them");
        long charts = run.sqlCells().stream().filter(c -> c.cell() instanceof Notebook.Sql s && s.chart() != null).count();
        assertEquals(charts, count(d, "<svg class=\"chart\""), "one SVG per chart cell");
        assertTrue(d.contains("<circle") || d.contains("<rect"), "the charts have marks");
        assertTrue(d.contains("<h1>mapscribe · " + name + "</h1>"), "the page title");
        assertTrue(d.contains("<nav><a href=\"#s-"), "the contents links to the notebook's sections");
    }

    private static long count(String s, String what) {
        return Pattern.compile(Pattern.quote(what)).matcher(s).results().count();
    }

    // Chromium logs page problems as INFO:CONSOLE lines (script errors; the page's CSP turns any fetch into one)
    // or as refused or failed loads. Its dbus noise on a server is not about the page.
    private static final Pattern PAGE_ERROR = Pattern.compile(
        "(?m)^.*(:CONSOLE[:(]|Uncaught|Refused to|net::ERR_|Content Security Policy).*$");

    private static void assertNoPageErrors(String stderr) {
        Matcher m = PAGE_ERROR.matcher(stderr);
        List<String> errors = new ArrayList<>();
        while (m.find()) errors.add(m.group());
        assertEquals(List.of(), errors, "chromium reported page problems");
    }

    record Result(String stdout, String stderr) {}

    private static Result runChromium(Path chromium, Path dir, String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(dir, "chromium-profile-");
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
            "--user-data-dir=" + profile));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("chromium.out");
        Path err = dir.resolve("chromium.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish within 120 s: " + String.join(" ", cmd));
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        deleteTree(profile);
        assertEquals(0, p.exitValue(), "chromium exit code\n" + stderr);
        return new Result(stdout, stderr);
    }

    private static void deleteTree(Path root) throws IOException {
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static Path chromium() {
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(c))) return Path.of(c);
        }
        boolean required = "1".equals(System.getenv("MAPSCRIBE_REQUIRE_BPF")) || "1".equals(System.getenv("MAPSCRIBE_REQUIRE_BROWSER"));
        if (required) fail("chromium is not installed: run scripts/setup --test (installs Debian's chromium)");
        Assumptions.assumeTrue(false, "chromium is not installed (scripts/setup --test installs it)");
        return null;
    }
}
