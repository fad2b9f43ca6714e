package io.pgvigil.exposition;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes metric snapshots in the Prometheus text exposition format 0.0.4.
 *
 * <p>Why not the client library's {@code PrometheusTextFormatWriter}: it follows the OpenMetrics data
 * model and appends {@code _total} to every counter, which would rename upstream's counters such as
 * {@code pg_stat_database_xact_commit} and break existing dashboards. Names are written exactly as the
 * snapshot was built (see docs/architecture.md). {@code ClientJavaAgreementTest} checks that, but for that
 * suffix, both writers produce the same families, samples and values.
 */
public final class TextFormat {
    /** The content type Prometheus expects for this format; the same as the reference exporter's. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores";

    private TextFormat() {
    }

    /**
     * Writes the snapshots to {@code out}.
     *
     * @param snapshots the metric families, in the order they are written
     * @param out       where the page goes
     * @throws IOException when {@code out} fails
     */
    public static void write(MetricSnapshots snapshots, OutputStream out) throws IOException {
        render(snapshots).writeTo(out);
    }

    /**
     * Renders the snapshots into one page of bytes. The page is built in memory anyway (its length is known before
     * the first byte is sent), so it is written as bytes directly: going through a {@code Writer} a character
     * at a time cost more CPU than the collectors' queries (measured with JFR, docs/performance.md). Large
     * snapshots come from the {@linkplain RenderCache render cache}.
     *
     * @param snapshots the metric families, in the order they are written
     * @return the page
     */
    public static Page render(MetricSnapshots snapshots) {
        Page page = new Page(32 * 1024);
        for (MetricSnapshot snapshot : snapshots) {
            if (RenderCache.worthCaching(snapshot)) {
                page.cached(RenderCache.rendered(snapshot));
            } else {
                family(page, snapshot);
            }
        }
        return page;
    }

    /** Writes one family: its HELP and TYPE lines and every sample; nothing for a family without samples. */
    static void family(Page w, MetricSnapshot snapshot) {
        if (snapshot.getDataPoints().isEmpty()) {
            return;
        }
        String name = snapshot.getMetadata().getOriginalName();
        w.ascii("# HELP ").text(name).ascii(" ");
        w.escaped(snapshot.getMetadata().getHelp() == null ? "" : snapshot.getMetadata().getHelp(), false);
        w.ascii("\n# TYPE ").text(name).ascii(" ").ascii(typeOf(snapshot)).ascii("\n");
        switch (snapshot) {
            case CounterSnapshot c -> c.getDataPoints().forEach(p -> sample(w, name, p.getLabels(), null, null, p.getValue()));
            case GaugeSnapshot g -> g.getDataPoints().forEach(p -> sample(w, name, p.getLabels(), null, null, p.getValue()));
            case UnknownSnapshot u -> u.getDataPoints().forEach(p -> sample(w, name, p.getLabels(), null, null, p.getValue()));
            case HistogramSnapshot h -> h.getDataPoints().forEach(p -> histogram(w, name, p));
            case SummarySnapshot sm -> sm.getDataPoints().forEach(p -> summary(w, name, p));
            default -> throw new IllegalArgumentException("unsupported metric type " + snapshot.getClass().getSimpleName());
        }
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

    private static void histogram(Page w, String name, HistogramSnapshot.HistogramDataPointSnapshot p) {
        var buckets = p.getClassicBuckets();
        long cumulative = 0;
        for (int i = 0; i < buckets.size(); i++) {
            cumulative += buckets.getCount(i);
            sample(w, name + "_bucket", p.getLabels(), "le", GoFloat.format(buckets.getUpperBound(i)), cumulative);
        }
        sample(w, name + "_sum", p.getLabels(), null, null, p.hasSum() ? p.getSum() : 0);
        sample(w, name + "_count", p.getLabels(), null, null, cumulative);
    }

    private static void summary(Page w, String name, SummarySnapshot.SummaryDataPointSnapshot p) {
        for (var q : p.getQuantiles()) {
            sample(w, name, p.getLabels(), "quantile", GoFloat.format(q.getQuantile()), q.getValue());
        }
        sample(w, name + "_sum", p.getLabels(), null, null, p.hasSum() ? p.getSum() : 0);
        sample(w, name + "_count", p.getLabels(), null, null, p.hasCount() ? p.getCount() : 0);
    }

    /** One sample line; {@code extraName} ({@code le}, {@code quantile}) is null for plain samples. */
    private static void sample(Page w, String name, Labels labels, String extraName, String extraValue, double value) {
        w.text(name);
        if (!labels.isEmpty() || extraName != null) {
            w.ascii("{");
            boolean first = true;
            for (int i = 0; i < labels.size(); i++) {
                if (!first) {
                    w.ascii(",");
                }
                first = false;
                w.text(labels.getName(i)).ascii("=\"");
                w.escaped(labels.getValue(i), true);
                w.ascii("\"");
            }
            if (extraName != null) {
                if (!first) {
                    w.ascii(",");
                }
                w.text(extraName).ascii("=\"").text(extraValue).ascii("\"");
            }
            w.ascii("}");
        }
        w.ascii(" ");
        w.value(value);
        w.ascii("\n");
    }
}
