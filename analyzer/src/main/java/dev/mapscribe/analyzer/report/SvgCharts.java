package dev.mapscribe.analyzer.report;

import dev.mapscribe.analyzer.report.NotebookRunner.Table;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The two charts a report draws, as inline SVG (no script, no network): a timeline (one lane per
 * distinct {@code y}, a dot per row at time {@code x}) and a horizontal bar chart ({@code x} labels,
 * {@code y} values). Every label is escaped; every dot and bar carries a tooltip with its values.
 */
final class SvgCharts {
    private SvgCharts() {}

    static final String[] PALETTE = {"#d1495b", "#00798c", "#edae49", "#30638e", "#66a182", "#8d5a97", "#e07a5f", "#3d405b"};
    private static final int WIDTH = 1000;
    private static final int MAX_LANES = 16;
    private static final int MAX_BARS = 30;
    private static final int CHAR_PX = 7; // width of one 12px character, near enough, to size the label margin

    /** The timeline, or a one-line explanation (as escaped HTML) when the columns do not fit. */
    static String timeline(Table t, String xCol, String yCol) {
        int xi = t.column(xCol);
        int yi = t.column(yCol);
        if (xi < 0 || yi < 0) return missing(t, xCol, yCol);
        String unit = xCol.endsWith("_ns") ? "ns" : "";
        List<double[]> points = new ArrayList<>(); // {seconds-or-value, lane}
        List<String[]> tips = new ArrayList<>();
        Map<String, Integer> lanes = new LinkedHashMap<>();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (List<Object> row : t.rows()) {
            Double x = time(row.get(xi), unit);
            if (x == null) continue;
            String label = String.valueOf(row.get(yi));
            Integer lane = lanes.get(label);
            if (lane == null) {
                lane = lanes.size() < MAX_LANES ? lanes.size() : MAX_LANES;
                if (lane < MAX_LANES) lanes.put(label, lane);
            }
            points.add(new double[] {x, lane});
            tips.add(new String[] {label, String.valueOf(row.get(xi))});
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        if (points.isEmpty()) return "<p class=\"note\">No rows to draw.</p>";
        List<String> laneNames = new ArrayList<>(lanes.keySet());
        if (points.stream().anyMatch(p -> p[1] == MAX_LANES)) laneNames.add("(other)");
        int left = labelMargin(laneNames);
        int top = 14;
        int laneH = 26;
        int plotW = WIDTH - left - 24;
        int height = top + laneNames.size() * laneH + 44;
        double span = max - min;
        StringBuilder s = svgOpen(height, "timeline of " + yCol + " over " + xCol);
        for (int i = 0; i < laneNames.size(); i++) {
            int y = top + i * laneH + laneH / 2;
            s.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", left, y, left + plotW, y));
            s.append(String.format(Locale.ROOT, "<text class=\"lbl\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s<title>%s</title></text>",
                left - 8, y + 4, Html.escape(shorten(laneNames.get(i))), Html.escape(laneNames.get(i))));
        }
        int axisY = top + laneNames.size() * laneH + 6;
        s.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", left, axisY, left + plotW, axisY));
        double step = niceStep(span, 8);
        for (double v = 0; span > 0 && v <= span + step / 1e6; v += step) {
            double px = left + v / span * plotW;
            s.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", px, axisY, px, axisY + 5));
            s.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", px, axisY + 18, number(v)));
        }
        String axisName = unit.equals("ns") || !(t.rows().isEmpty() || t.rows().getFirst().get(xi) instanceof Number)
            ? "seconds after the first row" : xCol + " after the first row";
        s.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", left + plotW, axisY + 34, Html.escape(axisName)));
        for (int i = 0; i < points.size(); i++) {
            double[] p = points.get(i);
            double px = span > 0 ? left + (p[0] - min) / span * plotW : left + plotW / 2.0;
            int lane = (int) p[1];
            int py = top + lane * laneH + laneH / 2;
            s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%d\" r=\"5\" fill=\"%s\"><title>%s at %s</title></circle>",
                px, py, PALETTE[lane % PALETTE.length], Html.escape(tips.get(i)[0]), Html.escape(tips.get(i)[1])));
        }
        // Rows past NotebookRunner.MAX_ROWS, or with no time, are not drawn: a partial chart must say it is one.
        if (t.totalRows() > points.size()) {
            s.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%d\" y=\"%d\">(%d of %d rows drawn)</text>",
                left, height - 1, points.size(), t.totalRows()));
        }
        return s.append("</svg>").toString();
    }

    /** The bar chart, or a one-line explanation when the columns do not fit. */
    static String bar(Table t, String xCol, String yCol) {
        int xi = t.column(xCol);
        int yi = t.column(yCol);
        if (xi < 0 || yi < 0) return missing(t, xCol, yCol);
        List<String> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (List<Object> row : t.rows()) {
            if (labels.size() == MAX_BARS) break;
            if (!(row.get(yi) instanceof Number n)) continue;
            labels.add(String.valueOf(row.get(xi)));
            values.add(n.doubleValue());
        }
        if (labels.isEmpty()) return "<p class=\"note\">No rows to draw.</p>";
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        int left = labelMargin(labels);
        int barH = 22;
        int top = 8;
        int plotW = WIDTH - left - 80;
        int height = top + labels.size() * barH + 12;
        StringBuilder s = svgOpen(height, yCol + " by " + xCol);
        for (int i = 0; i < labels.size(); i++) {
            int y = top + i * barH;
            double w = max > 0 ? Math.max(1, values.get(i) / max * plotW) : 1;
            s.append(String.format(Locale.ROOT, "<text class=\"lbl\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s<title>%s</title></text>",
                left - 8, y + 15, Html.escape(shorten(labels.get(i))), Html.escape(labels.get(i))));
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\" fill=\"%s\"><title>%s: %s</title></rect>",
                left, y + 3, w, barH - 6, PALETTE[1], Html.escape(labels.get(i)), number(values.get(i))));
            s.append(String.format(Locale.ROOT, "<text class=\"val\" x=\"%.1f\" y=\"%d\">%s</text>", left + w + 6, y + 15, number(values.get(i))));
        }
        if (t.totalRows() > labels.size()) {
            s.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%d\" y=\"%d\">(first %d rows)</text>", left, height - 1, labels.size()));
        }
        return s.append("</svg>").toString();
    }

    private static StringBuilder svgOpen(int height, String label) {
        return new StringBuilder(String.format(Locale.ROOT,
            "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"%s\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\">",
            Html.escape(label), WIDTH, height, WIDTH, height));
    }

    private static String missing(Table t, String xCol, String yCol) {
        return "<p class=\"error\">Chart needs columns " + Html.escape(xCol) + " and " + Html.escape(yCol)
            + "; the result has " + Html.escape(String.join(", ", t.columns())) + ".</p>";
    }

    /** A row's time as a number on one scale: seconds for ns columns and timestamps, else the value itself. */
    static Double time(Object v, String unit) {
        return switch (v) {
            case null -> null;
            case Number n when unit.equals("ns") -> n.doubleValue() / 1e9;
            case Number n -> n.doubleValue();
            case java.sql.Timestamp ts -> ts.getTime() / 1e3 + (ts.getNanos() % 1_000_000) / 1e9;
            case LocalDateTime ldt -> seconds(ldt.toInstant(ZoneOffset.UTC));
            case OffsetDateTime odt -> seconds(odt.toInstant());
            case Instant i -> seconds(i);
            default -> null;
        };
    }

    private static double seconds(Instant i) {
        return i.getEpochSecond() + i.getNano() / 1e9;
    }

    /** A step of 1, 2 or 5 times a power of ten giving about {@code ticks} ticks over {@code span}. */
    static double niceStep(double span, int ticks) {
        if (span <= 0) return 1;
        double raw = span / ticks;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static int labelMargin(List<String> labels) {
        int longest = labels.stream().mapToInt(l -> shorten(l).length()).max().orElse(4);
        return Math.min(360, 16 + longest * CHAR_PX);
    }

    // Long labels (paths) keep their end, which names the file.
    private static String shorten(String s) {
        return s.length() <= 48 ? s : "…" + s.substring(s.length() - 47);
    }
}
