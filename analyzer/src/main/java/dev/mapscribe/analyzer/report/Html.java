package dev.mapscribe.analyzer.report;

/** Escaping for text and attribute values: every value that reaches the page goes through here. */
final class Html {
    private Html() {}

    static String escape(String s) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    // Control characters (a hostile comm or path can hold any byte) are shown, not passed through.
                    if (c < 0x20 && c != '\n' && c != '\t') sb.append("\\x").append(String.format("%02x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.toString();
    }
}
