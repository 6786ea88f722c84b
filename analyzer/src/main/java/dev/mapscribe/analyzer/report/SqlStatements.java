package dev.mapscribe.analyzer.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a cell's SQL into statements at the semicolons that end them: not those inside quotes,
 * quoted identifiers or comments. A jupysql cell may hold several statements; JDBC runs one at a time.
 */
final class SqlStatements {
    private SqlStatements() {}

    static List<String> split(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                int end = closing(sql, i, c);
                cur.append(sql, i, end);
                i = end;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                cur.append(sql, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                cur.append(sql, i, end);
                i = end;
            } else if (c == ';') {
                add(out, cur);
                cur.setLength(0);
                i++;
            } else {
                cur.append(c);
                i++;
            }
        }
        add(out, cur);
        return out;
    }

    // SQL escapes a quote by doubling it, so '' inside a string continues the string.
    private static int closing(String sql, int open, char q) {
        int i = open + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == q) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == q) { i += 2; continue; }
                return i + 1;
            }
            i++;
        }
        return sql.length(); // unterminated: let the database report it
    }

    // A piece that is only whitespace and comments is not a statement (DuckDB rejects an empty one).
    private static void add(List<String> out, StringBuilder cur) {
        String s = cur.toString().strip();
        String code = s.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("--[^\n]*", "").strip();
        if (!code.isEmpty()) out.add(s);
    }
}
