package dev.mapscribe.recorder.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

// STUB: replaced by the recorder work (issue 3).
@Command(name = "record", mixinStandardHelpOptions = true, description = "Record raw eBPF hook records to a journal (root). Not implemented yet.")
public final class RecordCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("mapscribe record: not implemented yet");
        return Cli.FAILURE;
    }
}
