package dev.mapscribe.recorder.cli;

import picocli.CommandLine.IVersionProvider;

/** The version written into journal headers and printed by --version. */
public final class Version implements IVersionProvider {
    public static final String VERSION = "0.1.0";

    @Override
    public String[] getVersion() {
        return new String[] {"mapscribe " + VERSION};
    }
}
