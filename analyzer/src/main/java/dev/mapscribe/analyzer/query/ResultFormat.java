package dev.mapscribe.analyzer.query;

import java.util.Locale;

/** How query results are printed: an aligned table for people, CSV, a JSON array, or JSON lines for pipes. */
public enum ResultFormat {
    TABLE, CSV, JSON, JSONL;

    public static ResultFormat parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown format '" + s + "': use table, csv, json or jsonl");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
