package dev.mapscribe.analyzer.cli;

import dev.mapscribe.recorder.cli.Cli;
import dev.mapscribe.recorder.cli.JournalCommand;
import dev.mapscribe.recorder.cli.Version;
import picocli.CommandLine.Command;

/** The analyzer jar's main: replay, export, SQL, reports. */
@Command(name = "mapscribe", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Analyze mapscribe journals.",
        subcommands = {AnalyzeCommand.class, QueryCommand.class, ReportCommand.class, JournalCommand.class})
public final class AnalyzerMain {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return Cli.execute(new AnalyzerMain(), args);
    }
}
