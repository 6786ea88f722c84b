package dev.mapscribe.analyzer.cli;

import dev.mapscribe.recorder.cli.Cli;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

// STUB: replaced by its issue's work.
@Command(name = "query", mixinStandardHelpOptions = true, description = "Run SQL (DuckDB) over an export. Not implemented yet.")
public final class QueryCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("mapscribe query: not implemented yet");
        return Cli.FAILURE;
    }
}
