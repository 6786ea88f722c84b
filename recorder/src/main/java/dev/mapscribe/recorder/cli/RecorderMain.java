package dev.mapscribe.recorder.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The recorder jar's main: what ships to incident hosts (no DuckDB, Parquet or Arrow inside). */
@Command(name = "mapscribe", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Record memory-execution activity on this host.",
        subcommands = {RecordCommand.class, DoctorCommand.class, JournalCommand.class})
public final class RecorderMain {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return Cli.execute(new RecorderMain(), args);
    }
}
