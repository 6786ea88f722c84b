package dev.mapscribe.analyzer.report;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The small part of Markdown that notebook text uses: ATX headings, paragraphs, bullet and numbered
 * lists, fenced code blocks, and inline code, bold, italics and links. Everything is escaped first,
 * so a notebook cannot inject markup into the page.
 */
final class MarkdownHtml {
    private MarkdownHtml() {}

    static String render(String md) {
        StringBuilder out = new StringBuilder();
        String[] lines = md.replace("\r\n", "\n").split("\n", -1);
        StringBuilder para = new StringBuilder();
        String list = null; // "ul" or "ol" while inside a list
        int i = 0;
        while (i < lines.length) {
            String line = lines[i];
            String t = line.strip();
            if (t.startsWith("```")) {
                flush(out, para);
                list = closeList(out, list);
                StringBuilder code = new StringBuilder();
                i++;
                while (i < lines.length && !lines[i].strip().startsWith("```")) code.append(lines[i++]).append('\n');
                i++; // the closing fence (or the end)
                out.append("<pre><code>").append(Html.escape(code.toString())).append("</code></pre>\n");
                continue;
            }
            Matcher h = HEADING.matcher(t);
            Matcher ul = BULLET.matcher(line);
            Matcher ol = NUMBERED.matcher(line);
            if (t.isEmpty()) {
                flush(out, para);
                list = closeList(out, list);
            } else if (h.matches()) {
                flush(out, para);
                list = closeList(out, list);
                // Notebook headings start at h2: the page's own title is the h1.
                int level = Math.min(6, h.group(1).length() + 1);
                out.append("<h").append(level).append(" id=\"").append(anchor(h.group(2))).append("\">")
                    .append(inline(h.group(2))).append("</h").append(level).append(">\n");
            } else if (ul.matches() || ol.matches()) {
                flush(out, para);
                String kind = ul.matches() ? "ul" : "ol";
                if (!kind.equals(list)) {
                    closeList(out, list);
                    out.append('<').append(kind).append(">\n");
                    list = kind;
                }
                out.append("<li>").append(inline((ul.matches() ? ul : ol).group(1))).append("</li>\n");
            } else if (list != null && Character.isWhitespace(line.charAt(0))) {
                // an indented continuation of the previous list item
                int at = out.lastIndexOf("</li>");
                out.insert(at, " " + inline(t));
            } else {
                list = closeList(out, list);
                if (!para.isEmpty()) para.append('\n');
                para.append(t);
            }
            i++;
        }
        flush(out, para);
        closeList(out, list);
        return out.toString();
    }

    private static final Pattern HEADING = Pattern.compile("(#{1,6})\\s+(.*?)\\s*#*");

    /** The headings of levels 1 and 2 of a markdown text, for the page's table of contents. */
    static java.util.List<String> sections(String md) {
        java.util.List<String> out = new java.util.ArrayList<>();
        boolean inCode = false;
        for (String line : md.replace("\r\n", "\n").split("\n")) {
            String t = line.strip();
            if (t.startsWith("```")) inCode = !inCode;
            Matcher h = HEADING.matcher(t);
            if (!inCode && h.matches() && h.group(1).length() <= 2) out.add(h.group(2));
        }
        return out;
    }

    /** The id a heading gets: its words, lowercased, joined by dashes (only [a-z0-9-], so it needs no escaping). */
    static String anchor(String heading) {
        String slug = heading.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return "s-" + (slug.isEmpty() ? "section" : slug);
    }
    private static final Pattern BULLET = Pattern.compile("\\s{0,3}[-*+]\\s+(.*)");
    private static final Pattern NUMBERED = Pattern.compile("\\s{0,3}\\d{1,9}[.)]\\s+(.*)");

    private static void flush(StringBuilder out, StringBuilder para) {
        if (para.isEmpty()) return;
        out.append("<p>").append(inline(para.toString())).append("</p>\n");
        para.setLength(0);
    }

    private static String closeList(StringBuilder out, String list) {
        if (list != null) out.append("</").append(list).append(">\n");
        return null;
    }

    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    // DOTALL: a paragraph's lines are joined with newlines, and emphasis may span them.
    private static final Pattern BOLD = Pattern.compile("\\*\\*(.+?)\\*\\*", Pattern.DOTALL);
    private static final Pattern ITALIC = Pattern.compile("(?<![\\w*])[*_](?![\\s*_])(.+?)(?<![\\s*_])[*_](?![\\w*])", Pattern.DOTALL);
    // Only http(s) and in-page links: a notebook must not be able to put javascript: URLs on the page.
    private static final Pattern LINK = Pattern.compile("\\[([^\\]]+)]\\((https?://[^)\\s]+|#[\\w-]+)\\)");

    /** Inline markup on escaped text; code spans are cut out first so their content stays literal. */
    static String inline(String text) {
        StringBuilder out = new StringBuilder();
        Matcher m = CODE.matcher(text);
        int last = 0;
        while (m.find()) {
            out.append(spans(Html.escape(text.substring(last, m.start()))));
            out.append("<code>").append(Html.escape(m.group(1))).append("</code>");
            last = m.end();
        }
        out.append(spans(Html.escape(text.substring(last))));
        return out.toString();
    }

    private static String spans(String escaped) {
        String s = LINK.matcher(escaped).replaceAll("<a href=\"$2\">$1</a>");
        s = BOLD.matcher(s).replaceAll("<strong>$1</strong>");
        return ITALIC.matcher(s).replaceAll("<em>$1</em>");
    }
}
