package dev.mapscribe.analyzer.cli;

import dev.mapscribe.recorder.cli.Cli;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

// STUB: replaced by its issue's work.
@Command(name = "analyze", mixinStandardHelpOptions = true, description = "Replay a journal, derive mmap_exec and mem_prot_alert, export Parquet. Not implemented yet.")
public final class AnalyzeCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("mapscribe analyze: not implemented yet");
        return Cli.FAILURE;
    }
}
