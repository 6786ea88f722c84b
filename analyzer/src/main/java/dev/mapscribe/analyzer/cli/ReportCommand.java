package dev.mapscribe.analyzer.cli;

import dev.mapscribe.recorder.cli.Cli;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

// STUB: replaced by its issue's work.
@Command(name = "report", mixinStandardHelpOptions = true, description = "Run an investigation notebook over an export and write one HTML page. Not implemented yet.")
public final class ReportCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("mapscribe report: not implemented yet");
        return Cli.FAILURE;
    }
}
