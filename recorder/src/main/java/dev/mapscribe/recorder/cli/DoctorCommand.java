package dev.mapscribe.recorder.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

// STUB: replaced by the recorder work (issues 2 and 3).
@Command(name = "doctor", mixinStandardHelpOptions = true, description = "Check that this host can record. Not implemented yet.")
public final class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("mapscribe doctor: not implemented yet");
        return Cli.FAILURE;
    }
}
