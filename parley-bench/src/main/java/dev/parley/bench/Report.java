package dev.parley.bench;

import dev.parley.bench.load.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The results table and the history row of BENCHMARKS.md. */
final class Report {
    private Report() {}

    static String fmt(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "-";
        }
        if (Math.abs(v) >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String table(Workload w, Map<String, Measure> m) {
        List<String> targets = new ArrayList<>(m.keySet());
        StringBuilder b = new StringBuilder("| " + w + " " + w.title + " |");
        targets.forEach(t -> b.append(' ').append(t).append(" |"));
        boolean vsFloor = m.containsKey("parley") && m.containsKey("floor");
        boolean vsPeer = m.containsKey("parley") && m.containsKey("centrifuge");
        if (vsFloor) {
            b.append(" parley / floor |");
        }
        if (vsPeer) {
            b.append(" parley / centrifuge |");
        }
        b.append("\n|---|");
        targets.forEach(t -> b.append("---:|"));
        b.append(vsFloor ? "---:|" : "").append(vsPeer ? "---:|" : "").append('\n');
        if (targets.isEmpty()) {
            return b.toString();
        }
        for (String figure : measure(m, targets.get(0)).figures().keySet()) {
            b.append("| ").append(figure).append(" |");
            for (String t : targets) {
                b.append(' ')
                        .append(fmt(measure(m, t).figures().getOrDefault(figure, Double.NaN)))
                        .append(" |");
            }
            if (vsFloor) {
                b.append(' ').append(ratio(m, figure, "floor")).append(" |");
            }
            if (vsPeer) {
                b.append(' ').append(ratio(m, figure, "centrifuge")).append(" |");
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static Measure measure(Map<String, Measure> m, String target) {
        Measure v = m.get(target);
        if (v == null) {
            throw new IllegalStateException("no measurement of " + target);
        }
        return v;
    }

    private static String ratio(Map<String, Measure> m, String figure, String other) {
        double a = measure(m, "parley").figures().getOrDefault(figure, Double.NaN);
        double o = measure(m, other).figures().getOrDefault(figure, Double.NaN);
        return o == 0 || Double.isNaN(a) || Double.isNaN(o) ? "-" : String.format(Locale.ROOT, "%.2f×", a / o);
    }

    /** Appends one row per target to the History section of BENCHMARKS.md (created if missing). */
    static void appendHistory(Path file, String date, String command, Workload w, Map<String, Measure> m)
            throws IOException {
        if (!Files.exists(file) || !Files.readString(file).contains("\n## History")) {
            Bench.append(
                    file,
                    "\n## History\n\nAppended by `./parley bench`: one row per target and run.\n\n"
                            + "| date | command | target | figures |\n|---|---|---|---|\n");
        }
        StringBuilder rows = new StringBuilder();
        m.forEach((target, measure) -> {
            StringBuilder f = new StringBuilder();
            measure.figures()
                    .forEach((k, v) -> f.append(f.isEmpty() ? "" : "; ")
                            .append(k)
                            .append(' ')
                            .append(fmt(v)));
            rows.append("| ")
                    .append(date)
                    .append(" | `")
                    .append(command)
                    .append("` | ")
                    .append(target)
                    .append(" | ")
                    .append(f)
                    .append(" |\n");
        });
        Bench.append(file, rows.toString());
    }
}
