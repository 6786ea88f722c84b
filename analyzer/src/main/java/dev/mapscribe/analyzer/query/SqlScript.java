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

    /**
     * The text between two terminating semicolons: [start, end), whether a semicolon ended it, and whether it holds
     * anything but blanks and comments.
     */
    private record Piece(int start, int end, boolean terminated, boolean hasCode) {}

    /** The statements of {@code script}, trimmed, without their semicolons; blank ones are dropped. */
    public static List<String> split(String script) {
        List<String> out = new ArrayList<>();
        for (Piece p : pieces(script)) {
            if (p.hasCode()) {
                out.add(script.substring(p.start(), p.end()).strip());
            }
        }
        return out;
    }

    /** True when the text ends with a complete statement: a terminating semicolon and nothing but blanks or comments after it. */
    public static boolean complete(String text) {
        List<Piece> pieces = pieces(text);
        Piece last = pieces.getLast(); // the text after the last semicolon: never terminated
        return pieces.size() > 1 && !last.hasCode();
    }

    /** One walk over the text: every piece, the last one (after the last terminating semicolon) included. */
    private static List<Piece> pieces(String s) {
        List<Piece> pieces = new ArrayList<>();
        State state = State.CODE;
        int start = 0;
        boolean hasCode = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char next = i + 1 < s.length() ? s.charAt(i + 1) : '\0';
            switch (state) {
                case CODE -> {
                    if (c == ';') {
                        pieces.add(new Piece(start, i, true, hasCode));
                        start = i + 1;
                        hasCode = false;
                    } else if (c == '-' && next == '-') {
                        state = State.LINE_COMMENT;
                        i++;
                    } else if (c == '/' && next == '*') {
                        state = State.BLOCK_COMMENT;
                        i++;
                    } else if (!Character.isWhitespace(c)) {
                        hasCode = true;
                        if (c == '\'') state = State.SINGLE;
                        else if (c == '"') state = State.DOUBLE;
                        else if (c == '$' && next == '$') {
                            state = State.DOLLAR;
                            i++;
                        }
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
        pieces.add(new Piece(start, s.length(), false, hasCode));
        return pieces;
    }
}
