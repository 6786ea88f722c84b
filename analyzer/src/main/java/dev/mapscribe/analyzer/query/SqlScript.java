package dev.mapscribe.analyzer.query;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into statements at the semicolons that are outside string literals, quoted
 * identifiers, {@code $$} strings and comments. The shell uses it to know when a multi-line
 * statement is complete; {@code --file} uses it to run a script one statement at a time.
 */
public final class SqlScript {
    private SqlScript() {}

    private enum State { CODE, SINGLE, DOUBLE, DOLLAR, LINE_COMMENT, BLOCK_COMMENT }

    /** The statements of {@code script}, trimmed, without their semicolons; blank ones are dropped. */
    public static List<String> split(String script) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int end : terminators(script)) {
            add(out, script.substring(start, end));
            start = end + 1;
        }
        add(out, script.substring(start));
        return out;
    }

    /** True when the text ends with a complete statement: a terminating semicolon and nothing but blanks or comments after it. */
    public static boolean complete(String text) {
        List<Integer> ends = terminators(text);
        if (ends.isEmpty()) {
            return false;
        }
        String rest = text.substring(ends.getLast() + 1);
        return split(rest).isEmpty();
    }

    private static void add(List<String> out, String statement) {
        if (!onlyCommentsOrBlank(statement)) {
            out.add(statement.strip());
        }
    }

    private static boolean onlyCommentsOrBlank(String s) {
        State state = State.CODE;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char next = i + 1 < s.length() ? s.charAt(i + 1) : '\0';
            switch (state) {
                case LINE_COMMENT -> {
                    if (c == '\n') state = State.CODE;
                }
                case BLOCK_COMMENT -> {
                    if (c == '*' && next == '/') {
                        state = State.CODE;
                        i++;
                    }
                }
                default -> {
                    if (c == '-' && next == '-') {
                        state = State.LINE_COMMENT;
                        i++;
                    } else if (c == '/' && next == '*') {
                        state = State.BLOCK_COMMENT;
                        i++;
                    } else if (!Character.isWhitespace(c)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Positions of the semicolons that end statements. */
    private static List<Integer> terminators(String s) {
        List<Integer> ends = new ArrayList<>();
        State state = State.CODE;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char next = i + 1 < s.length() ? s.charAt(i + 1) : '\0';
            switch (state) {
                case CODE -> {
                    if (c == ';') ends.add(i);
                    else if (c == '\'') state = State.SINGLE;
                    else if (c == '"') state = State.DOUBLE;
                    else if (c == '$' && next == '$') {
                        state = State.DOLLAR;
                        i++;
                    } else if (c == '-' && next == '-') {
                        state = State.LINE_COMMENT;
                        i++;
                    } else if (c == '/' && next == '*') {
                        state = State.BLOCK_COMMENT;
                        i++;
                    }
                }
                // A doubled quote inside a literal closes and reopens it, which needs no special case.
                case SINGLE -> {
                    if (c == '\'') state = State.CODE;
                }
                case DOUBLE -> {
                    if (c == '"') state = State.CODE;
                }
                case DOLLAR -> {
                    if (c == '$' && next == '$') {
                        state = State.CODE;
                        i++;
                    }
                }
                case LINE_COMMENT -> {
                    if (c == '\n') state = State.CODE;
                }
                case BLOCK_COMMENT -> {
                    if (c == '*' && next == '/') {
                        state = State.CODE;
                        i++;
                    }
                }
            }
        }
        return ends;
    }
}
