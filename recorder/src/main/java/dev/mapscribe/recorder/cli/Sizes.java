package dev.mapscribe.recorder.cli;

import java.time.Duration;

/** Parses "64M", "4G", "30s", "5m" the way the recorder's options spell them. */
final class Sizes {
    private Sizes() {
    }

    /** Bytes: a number with an optional K, M, G or T suffix (powers of 1024). */
    static long bytes(String option, String text) {
        String t = text.strip().toUpperCase(java.util.Locale.ROOT);
        if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                case 'T' -> unit = 1L << 40;
                default -> unit = 1;
            }
            if (unit != 1) {
                t = t.substring(0, t.length() - 1);
            }
        }
        try {
            long n = Long.parseLong(t);
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new Cli.UserError(option + " must be a size such as 64M or 4G, not '" + text + "'");
        }
    }

    /** A duration: a number with ms, s, m or h (no suffix: seconds). */
    static Duration duration(String option, String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            char last = t.charAt(t.length() - 1);
            String num = Character.isDigit(last) ? t : t.substring(0, t.length() - 1);
            long n = Long.parseLong(num);
            Duration d = switch (last) {
                case 'h' -> Duration.ofHours(n);
                case 'm' -> Duration.ofMinutes(n);
                case 's' -> Duration.ofSeconds(n);
                default -> {
                    if (!Character.isDigit(last)) {
                        throw new NumberFormatException();
                    }
                    yield Duration.ofSeconds(n);
                }
            };
            if (d.isNegative() || d.isZero()) {
                throw new NumberFormatException();
            }
            d.toMillis(); // the recorder waits in ms: a duration beyond that overflows here, not mid-recording
            return d;
        } catch (RuntimeException e) {
            throw new Cli.UserError(option + " must be a duration such as 30s, 5m or 1h, not '" + text + "'");
        }
    }
}
