package io.pgvigil.exposition;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our writer is hand-written only because it was measured faster (docs/performance.md); this keeps it honest.
 * The same snapshots (every type pgvigil emits, with the awkward values and texts) go to client_java's own
 * {@code PrometheusTextFormatWriter} and to ours; both pages are read by {@link StrictTextParser} and must mean
 * the same: the same families, types, help texts, samples, label sets and values.
 */
class ClientJavaAgreementTest {
    /** Values a collector can produce, and those where float formatting goes wrong first. */
    private static final double[] VALUES = {
            0, -0.0, 1, -1, 0.25, 0.1 + 0.2, 999999, 999999.5, 1e6, 4194304, 1.795788133231E9, 1e20, -0.003473, 1.5e-5,
            Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, -Double.MAX_VALUE,
            Double.MIN_VALUE, Double.MIN_NORMAL, 1e-300, 1e300,
            9007199254740992.0, 9007199254740993L, 18014398509481985L, Long.MAX_VALUE, (double) Long.MIN_VALUE,
            123456789012345678.0, 0.000123, 1e-4, 1e-5};
    /** Label values with every character the format escapes, UTF-8 of 2, 3 and 4 bytes, and a lone surrogate. */
    private static final String[] LABEL_VALUES = {
            "", "plain", "say \"hi\"", "back\\slash", "new\nline", "\\n is not a newline", "all \"\\\n\" of them",
            "caf\u00e9", "\u65e5\u672c\u8a9e", "\uD83D\uDE00 emoji", "lone \uD800 surrogate", "{braces},=commas", "  spaces  ",
            "tab\there"};

    private static MetricSnapshots everyKind() {
        GaugeSnapshot.Builder values = GaugeSnapshot.builder().name("pg_values").help("Every awkward value.");
        for (int i = 0; i < VALUES.length; i++) {
            values.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("i", Integer.toString(i))).value(VALUES[i]).build());
        }
        UnknownSnapshot.Builder texts = UnknownSnapshot.builder().name("pg_static")
                .help("Help with \\ backslash, \"quotes\", a\nnewline and UTF-8 \u00e9\u2713\uD83D\uDE00.");
        for (int i = 0; i < LABEL_VALUES.length; i++) {
            texts.dataPoint(UnknownDataPointSnapshot.builder()
                                    .labels(Labels.of("version", LABEL_VALUES[i], "server", "127.0.0.1:" + i)).value(i).build());
        }
        // Upstream's counters have no _total (client_java appends one); ours that have it keep it.
        CounterSnapshot xactCommit = CounterSnapshot.builder().name("pg_stat_database_xact_commit").help("Number of transactions")
                .dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("datname", "app", "datid", "5")).value(42).build())
                .dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("datname", "big", "datid", "6"))
                                   .value(9007199254740993L).build())
                .build();
        CounterSnapshot scrapes = CounterSnapshot.builder().name("pg_exporter_scrapes_total").help("Total number of times PostgreSQL was scraped for metrics.")
                .dataPoint(CounterDataPointSnapshot.builder().value(3).build()).build();
        double[] bounds = {1, 2.5, 5, 300, 4194304, Double.POSITIVE_INFINITY};
        HistogramSnapshot idle = HistogramSnapshot.builder().name("pg_process_idle_seconds").help("Idle time of server processes")
                .dataPoint(HistogramDataPointSnapshot.builder().labels(Labels.of("state", "idle", "application_name", "psql \"x\""))
                                   .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, new long[] {0, 1, 0, 1, 1, 2})).sum(1203.5).build())
                .dataPoint(HistogramDataPointSnapshot.builder().labels(Labels.of("state", "idle in transaction", "application_name", ""))
                                   .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, new long[] {0, 0, 0, 0, 0, 0})).sum(0).build())
                .build();
        HistogramSnapshot unlabelled = HistogramSnapshot.builder().name("pgvigil_probe_duration_seconds").help("Duration of /probe scrapes.")
                .dataPoint(HistogramDataPointSnapshot.builder()
                                   .classicHistogramBuckets(ClassicHistogramBuckets.of(new double[] {0.005, 0.1, Double.POSITIVE_INFINITY},
                                                                                       new long[] {3, 0, 1}))
                                   .sum(61.125).build())
                .build();
        SummarySnapshot gc = SummarySnapshot.builder().name("jvm_gc_collection_seconds").help("Time spent in a given JVM garbage collector in seconds.")
                .dataPoint(SummaryDataPointSnapshot.builder().labels(Labels.of("gc", "Copy")).count(12).sum(0.25).build())
                .dataPoint(SummaryDataPointSnapshot.builder().labels(Labels.of("gc", "MarkSweepCompact \u00e9"))
                                   .quantiles(Quantiles.of(new Quantile(0.5, 0.001), new Quantile(0.99, 1e-7), new Quantile(1, Double.NaN)))
                                   .count(1).sum(0.001).build())
                .build();
        GaugeSnapshot noHelp = GaugeSnapshot.builder().name("pg_without_help").help("")
                .dataPoint(GaugeDataPointSnapshot.builder().value(7).build()).build();
        return new MetricSnapshots(values.build(), texts.build(), xactCommit, scrapes, idle, unlabelled, gc, noHelp, large("pg_locks_count", 200),
                                   GaugeSnapshot.builder().name("pg_empty_gauge").help("nothing").build(),
                                   CounterSnapshot.builder().name("pg_empty_counter").help("nothing").build(),
                                   UnknownSnapshot.builder().name("pg_empty_untyped").help("nothing").build(),
                                   HistogramSnapshot.builder().name("pg_empty_histogram").help("nothing").build(),
                                   SummarySnapshot.builder().name("pg_empty_summary").help("nothing").build());
    }

    /** Large enough to come from the render cache (and its compressed form), as shared server-wide families do. */
    private static GaugeSnapshot large(String name, int points) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help("Number of locks \\ per \"mode\"");
        for (int i = 0; i < points; i++) {
            b.dataPoint(GaugeDataPointSnapshot.builder()
                                .labels(Labels.of("datname", "database_" + i + "_\u00e9\"\\", "mode", "accessexclusivelock"))
                                .value(i * 1.5 - 3).build());
        }
        return b.build();
    }

    private static byte[] clientJava(MetricSnapshots snapshots) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    /**
     * The one known, documented difference (docs/architecture.md, "Decisions"): client_java follows the
     * OpenMetrics data model and appends {@code _total} to the name of a counter that does not end in it, in
     * {@code # HELP}, {@code # TYPE} and the samples; ours writes upstream's names as built. This undoes exactly
     * that, for those counters, and nothing else.
     */
    private static Map<String, StrictTextParser.Family> withoutAppendedTotal(Map<String, StrictTextParser.Family> read,
                                                                            MetricSnapshots fed) {
        Map<String, StrictTextParser.Family> out = new LinkedHashMap<>(read);
        for (MetricSnapshot s : fed) {
            String name = s.getMetadata().getOriginalName();
            if (!(s instanceof CounterSnapshot) || name.endsWith("_total") || s.getDataPoints().isEmpty()) {
                continue;
            }
            StrictTextParser.Family suffixed = out.remove(name + "_total");
            assertThat(suffixed).as("client_java's %s_total", name).isNotNull();
            assertThat(suffixed.type()).isEqualTo("counter");
            Map<StrictTextParser.SampleKey, Double> samples = new LinkedHashMap<>();
            suffixed.samples().forEach((key, value) -> {
                assertThat(key.name()).isEqualTo(name + "_total");
                samples.put(new StrictTextParser.SampleKey(name, key.labels()), value);
            });
            out.put(name, new StrictTextParser.Family(name, suffixed.type(), suffixed.help(), samples));
        }
        return out;
    }

    /** {@return the number of samples each non-empty family must have, counted from the snapshots themselves} */
    private static Map<String, Integer> expectedSampleCounts(MetricSnapshots fed) {
        Map<String, Integer> counts = new TreeMap<>();
        for (MetricSnapshot s : fed) {
            int n = switch (s) {
                case HistogramSnapshot h -> h.getDataPoints().stream().mapToInt(p -> p.getClassicBuckets().size() + 2).sum();
                case SummarySnapshot sm -> sm.getDataPoints().stream().mapToInt(p -> p.getQuantiles().size() + 2).sum();
                default -> s.getDataPoints().size();
            };
            if (n > 0) {
                counts.put(s.getMetadata().getOriginalName(), n);
            }
        }
        return counts;
    }

    @Test
    void bothWritersMeanTheSame() throws IOException {
        MetricSnapshots fed = everyKind();
        for (int round = 0; round < 2; round++) { // the second round takes the large family from the render cache
            Map<String, StrictTextParser.Family> ours = StrictTextParser.parse(TextFormat.render(fed).toByteArray());
            Map<String, StrictTextParser.Family> theirs = withoutAppendedTotal(StrictTextParser.parse(clientJava(fed)), fed);

            // Not vacuous: every family with data is there with all its samples, and nothing else is.
            Map<String, Integer> counts = new TreeMap<>();
            ours.forEach((name, family) -> counts.put(name, family.samples().size()));
            assertThat(counts).isEqualTo(expectedSampleCounts(fed));
            assertThat(ours.get("pg_values").samples()).hasSize(VALUES.length);

            assertThat(new TreeMap<>(ours).keySet()).isEqualTo(new TreeMap<>(theirs).keySet());
            for (String name : ours.keySet()) {
                StrictTextParser.Family o = ours.get(name);
                StrictTextParser.Family t = theirs.get(name);
                assertThat(o.type()).as(name).isEqualTo(t.type());
                assertThat(o.help()).as(name).isEqualTo(t.help());
                assertThat(o.samples().keySet()).as(name).isEqualTo(t.samples().keySet());
                o.samples().forEach((key, value) -> assertThat(value).as("%s", key).isEqualTo(t.samples().get(key)));
            }
            assertThat(theirs).isEqualTo(ours);
            // The gzip page is the same page.
            assertThat(StrictTextParser.parse(gunzip(TextFormat.render(fed).gzipped()))).isEqualTo(ours);
        }
    }

    /** What the values and texts read back as: the parser itself must not hide a difference. */
    @Test
    void valuesAndTextsReadBackExactly() {
        Map<String, StrictTextParser.Family> ours = StrictTextParser.parse(TextFormat.render(everyKind()).toByteArray());
        Map<StrictTextParser.SampleKey, Double> values = ours.get("pg_values").samples();
        for (int i = 0; i < VALUES.length; i++) {
            double read = values.get(new StrictTextParser.SampleKey("pg_values", new TreeMap<>(Map.of("i", Integer.toString(i)))));
            // Double.compare: NaN is NaN, and -0 is not 0
            assertThat(Double.compare(read, VALUES[i])).as("value %d: %s read as %s", i, VALUES[i], read).isZero();
        }
        StrictTextParser.Family texts = ours.get("pg_static");
        assertThat(texts.help()).isEqualTo("Help with \\ backslash, \"quotes\", a\nnewline and UTF-8 \u00e9\u2713\uD83D\uDE00.");
        assertThat(texts.samples().keySet().stream().map(k -> k.labels().get("version")))
                .containsExactlyInAnyOrder(java.util.Arrays.stream(LABEL_VALUES).map(v -> v.replace('\uD800', '?')).toArray(String[]::new));
        assertThat(ours.get("pg_without_help").help()).isEmpty();
    }
}
