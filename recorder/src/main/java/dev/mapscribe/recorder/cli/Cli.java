package dev.mapscribe.recorder.cli;

import picocli.CommandLine;

/**
 * Command-line habits shared by both jars (STYLE.md): usage errors exit 2 with one line; failures exit 1 with one
 * line, the stack trace only with --verbose; `analyze --exit-code` exits 1 when it found something (as
 * `git diff --exit-code` exits 1 on a difference).
 */
public final class Cli {
    private Cli() {}

    public static final int OK = 0, FAILURE = 1, USAGE = 2;
    /** Findings (analyze --exit-code) share 1 with failures, as the house style has it; stderr tells which. */
    public static final int FINDINGS = 1;

    /**
     * Whether a person is watching (shells, progress lines): stdin and stdout are a terminal. Java cannot ask about
     * stderr alone.
     */
    public static boolean terminal() {
        return System.console() != null && System.console().isTerminal();
    }

    /** An error the user can act on; printed as one line. */
    public static final class UserError extends RuntimeException {
        public UserError(String message) {
            super(message);
        }
    }

    /**
     * Runs a command line of {@code main}. Running out of Java heap is an Error that picocli does not handle: it
     * gets one line that says what to do, like every other failure, instead of a stack trace.
     */
    public static int execute(Object main, String... args) {
        try {
            return commandLine(main).execute(args);
        } catch (OutOfMemoryError e) {
            System.err.println("mapscribe: " + outOfMemory());
            return FAILURE;
        }
    }

    /** What to do when the Java heap ran out. */
    public static String outOfMemory() {
        long maxMiB = Runtime.getRuntime().maxMemory() >> 20;
        return "out of memory (the Java heap is capped at " + maxMiB + " MiB): run it again with a larger cap, e.g. "
                + "MAPSCRIBE_JAVA_OPTS=-Xmx" + Math.max(2, 4 * maxMiB >> 10) + "g";
    }

    public static CommandLine commandLine(Object main) {
        CommandLine cl = new CommandLine(main);
        cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? USAGE : FAILURE);
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("mapscribe: " + ex.getMessage() + " (try --help)");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            boolean verbose = parsed.originalArgs().contains("--verbose");
            String msg = ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName();
            cmd.getErr().println("mapscribe: " + msg.lines().findFirst().orElse(msg));
            if (verbose) ex.printStackTrace(cmd.getErr());
            return FAILURE;
        });
        return cl;
    }
}
