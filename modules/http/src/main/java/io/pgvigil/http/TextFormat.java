package io.pgvigil.http;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * Writes metric snapshots in the Prometheus text exposition format 0.0.4.
 *
 * <p>Why not the client library's {@code PrometheusTextFormatWriter}: it follows the OpenMetrics data
 * model and appends {@code _total} to every counter, which would rename upstream's counters such as
 * {@code pg_stat_database_xact_commit} and break existing dashboards. Names are written exactly as the
 * snapshot was built (see docs/architecture.md).
 */
final class TextFormat {
    /** The content type Prometheus expects for this format; the same as the reference exporter's. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores";

    private TextFormat() {
    }

    static void write(MetricSnapshots snapshots, OutputStream out) throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        for (MetricSnapshot snapshot : snapshots) {
            if (snapshot.getDataPoints().isEmpty()) {
                continue;
            }
            String name = snapshot.getMetadata().getOriginalName();
            w.write("# HELP ");
            w.write(name);
            w.write(' ');
            writeEscaped(w, snapshot.getMetadata().getHelp() == null ? "" : snapshot.getMetadata().getHelp(), false);
            w.write("\n# TYPE ");
            w.write(name);
            w.write(' ');
            w.write(typeOf(snapshot));
            w.write('\n');
            switch (snapshot) {
                case CounterSnapshot c -> c.getDataPoints().forEach(p -> sample(w, name, p.getLabels(), null, null, p.getValue()));
                case GaugeSnapshot g -> g.getDataPoints().forEach(p -> sample(w, name, p.getLabels(), null, null, p.getValue()));
                case UnknownSnapshot u -> u.getDataPoints().forEach(p -> sample(w, name, p.getLabels(), null, null, p.getValue()));
                case HistogramSnapshot h -> h.getDataPoints().forEach(p -> histogram(w, name, p));
                case SummarySnapshot sm -> sm.getDataPoints().forEach(p -> summary(w, name, p));
                default -> throw new IllegalArgumentException("unsupported metric type " + snapshot.getClass().getSimpleName());
            }
        }
        w.flush();
    }

    private static String typeOf(MetricSnapshot s) {
        return switch (s) {
            case CounterSnapshot c -> "counter";
            case GaugeSnapshot g -> "gauge";
            case HistogramSnapshot h -> "histogram";
            case SummarySnapshot sm -> "summary";
            default -> "untyped";
        };
    }

    private static void histogram(Writer w, String name, HistogramSnapshot.HistogramDataPointSnapshot p) {
        var buckets = p.getClassicBuckets();
        long cumulative = 0;
        for (int i = 0; i < buckets.size(); i++) {
            cumulative += buckets.getCount(i);
            sample(w, name + "_bucket", p.getLabels(), "le", formatValue(buckets.getUpperBound(i)), cumulative);
        }
        sample(w, name + "_sum", p.getLabels(), null, null, p.hasSum() ? p.getSum() : 0);
        sample(w, name + "_count", p.getLabels(), null, null, cumulative);
    }

    private static void summary(Writer w, String name, SummarySnapshot.SummaryDataPointSnapshot p) {
        for (var q : p.getQuantiles()) {
            sample(w, name, p.getLabels(), "quantile", formatValue(q.getQuantile()), q.getValue());
        }
        sample(w, name + "_sum", p.getLabels(), null, null, p.hasSum() ? p.getSum() : 0);
        sample(w, name + "_count", p.getLabels(), null, null, p.hasCount() ? p.getCount() : 0);
    }

    private static void sample(Writer w, String name, Labels labels, String extraName, String extraValue, double value) {
        try {
            w.write(name);
            if (!labels.isEmpty() || extraName != null) {
                w.write('{');
                boolean first = true;
                for (int i = 0; i < labels.size(); i++) {
                    if (!first) {
                        w.write(',');
                    }
                    first = false;
                    w.write(labels.getName(i));
                    w.write("=\"");
                    writeEscaped(w, labels.getValue(i), true);
                    w.write('"');
                }
                if (extraName != null) {
                    if (!first) {
                        w.write(',');
                    }
                    w.write(extraName);
                    w.write("=\"");
                    w.write(extraValue);
                    w.write('"');
                }
                w.write('}');
            }
            w.write(' ');
            w.write(formatValue(value));
            w.write('\n');
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Formats a value as the reference exporter does (Go's {@code strconv.FormatFloat(v, 'g', -1, 64)}): the
     * shortest digits that read back to the same double, in exponent form when the decimal exponent is
     * below -4 or at least 6 ({@code 4.194304e+06}, {@code 1.5e-05}, but {@code 524288} and {@code 0.25}).
     */
    static String formatValue(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return (1 / v < 0) ? "-0" : "0";
        }
        // Double.toString yields the shortest round-tripping digits (JDK 19+).
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale();
        StringBuilder sb = new StringBuilder(24);
        if (v < 0) {
            sb.append('-');
        }
        if (exponent < -4 || exponent >= 6) {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exponent < 0 ? '-' : '+');
            int abs = Math.abs(exponent);
            if (abs < 10) {
                sb.append('0');
            }
            sb.append(abs);
        } else {
            sb.append(d.abs().toPlainString());
        }
        return sb.toString();
    }

    private static void writeEscaped(Writer w, String s, boolean quote) throws IOException {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> w.write("\\\\");
                case '\n' -> w.write("\\n");
                case '"' -> w.write(quote ? "\\\"" : "\"");
                default -> w.write(c);
            }
        }
    }

}
