package io.pgvigil.testkit;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads what a scrape produced ({@link MetricSnapshots}) the way tests ask about it: the shape of every family (type
 * and label names, what dashboards depend on), the value of one series, the number of series, a histogram's point.
 * Families are found by their original name ({@code MetricMetadata.getOriginalName()}), e.g. {@code pg_up} or a
 * counter without {@code _total}, as pgvigil writes them.
 *
 * <pre>{@code
 * MetricSnapshots m = scraper.scrape(spec);
 * Snapshots.value(m, "pg_up");                                                   // Optional[1.0]
 * Snapshots.value(m, "pg_scrape_collector_success", "collector", "locks");      // label name, value, ...
 * Snapshots.shapes(m).get("pg_locks_count");          // Shape[type=gauge, labels=[datname, mode]]
 * Snapshots.collectorShapes(m);                       // the same without the exporter's own families
 * }</pre>
 */
public final class Snapshots {

    private Snapshots() {
    }

    /**
     * The shape of a family: its type as the text format names it and its label names in the order of the first data
     * point (sorted by name, as the model keeps them).
     *
     * @param type   {@code gauge}, {@code counter}, {@code untyped}, {@code histogram}, or the snapshot's class name
     *               for any other kind
     * @param labels the label names; empty for a family without data points
     */
    public record Shape(String type, List<String> labels) {
        /** Checks that no component is null and copies the labels. */
        public Shape {
            Objects.requireNonNull(type, "type");
            labels = List.copyOf(labels);
        }
    }

    /** {@return every family by name with its shape, sorted by name} */
    public static Map<String, Shape> shapes(MetricSnapshots snapshots) {
        Map<String, Shape> out = new TreeMap<>();
        for (MetricSnapshot s : snapshots) {
            out.put(s.getMetadata().getOriginalName(), new Shape(type(s), labelNames(s)));
        }
        return out;
    }

    /**
     * {@return the shapes of the families collectors produced: {@link #shapes(MetricSnapshots)} without those the
     * exporter adds to every scrape, see {@link #isExporterFamily(String)}}
     */
    public static Map<String, Shape> collectorShapes(MetricSnapshots snapshots) {
        Map<String, Shape> out = shapes(snapshots);
        out.keySet().removeIf(Snapshots::isExporterFamily);
        return out;
    }

    /**
     * {@return whether the exporter adds this family to a scrape whatever collectors run: {@code pg_up},
     * {@code pg_static}, {@code pg_exporter_*}, {@code pg_scrape_collector_*} and the legacy
     * {@code pg_stat_database_conflicts_*}}
     */
    public static boolean isExporterFamily(String family) {
        return family.equals("pg_up") || family.equals("pg_static") || family.startsWith("pg_exporter_")
                || family.startsWith("pg_scrape_collector_") || family.startsWith("pg_stat_database_conflicts_");
    }

    /** {@return the type of a family as the text format names it, or the snapshot's class name for another kind} */
    public static String type(MetricSnapshot snapshot) {
        return switch (snapshot) {
            case GaugeSnapshot g -> "gauge";
            case CounterSnapshot c -> "counter";
            case UnknownSnapshot u -> "untyped";
            case HistogramSnapshot h -> "histogram";
            default -> snapshot.getClass().getSimpleName();
        };
    }

    /** {@return the label names of a family's first data point; empty if it has none} */
    public static List<String> labelNames(MetricSnapshot snapshot) {
        List<String> names = new ArrayList<>();
        if (!snapshot.getDataPoints().isEmpty()) {
            Labels l = snapshot.getDataPoints().getFirst().getLabels();
            for (int i = 0; i < l.size(); i++) {
                names.add(l.getName(i));
            }
        }
        return names;
    }

    /** {@return the first family named {@code family}, if there is one} */
    public static Optional<MetricSnapshot> family(MetricSnapshots snapshots, String family) {
        for (MetricSnapshot s : snapshots) {
            if (s.getMetadata().getOriginalName().equals(family)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * {@return the value of the gauge, counter or untyped series of {@code family} whose labels are exactly
     * {@code labelPairs} (name, value, name, value...; none for a series without labels); {@code NaN} for a series of
     * another kind; empty if there is no such series}
     */
    public static Optional<Double> value(MetricSnapshots snapshots, String family, String... labelPairs) {
        Labels wanted = Labels.of(labelPairs);
        for (DataPointSnapshot p : points(snapshots, family)) {
            if (p.getLabels().equals(wanted)) {
                return Optional.of(switch (p) {
                    case GaugeSnapshot.GaugeDataPointSnapshot g -> g.getValue();
                    case CounterSnapshot.CounterDataPointSnapshot c -> c.getValue();
                    case UnknownSnapshot.UnknownDataPointSnapshot u -> u.getValue();
                    default -> Double.NaN;
                });
            }
        }
        return Optional.empty();
    }

    /**
     * {@return {@link #value(MetricSnapshots, String, String...)} of a series that must exist}
     *
     * @throws AssertionError naming the family and the labels if there is no such series
     */
    public static double requiredValue(MetricSnapshots snapshots, String family, String... labelPairs) {
        return value(snapshots, family, labelPairs)
                .orElseThrow(() -> new AssertionError(family + " has no series " + List.of(labelPairs)));
    }

    /** {@return the number of series (data points) of the first family named {@code family}; 0 if there is none} */
    public static long count(MetricSnapshots snapshots, String family) {
        return family(snapshots, family).map(s -> (long) s.getDataPoints().size()).orElse(0L);
    }

    /**
     * {@return the number of samples the text format writes for {@code snapshots}: one per gauge, counter or untyped
     * series, and per histogram series one per bucket plus {@code _sum} and {@code _count}}
     */
    public static long samples(MetricSnapshots snapshots) {
        long n = 0;
        for (MetricSnapshot s : snapshots) {
            for (DataPointSnapshot p : s.getDataPoints()) {
                n += p instanceof HistogramDataPointSnapshot h ? h.getClassicBuckets().size() + 2 : 1;
            }
        }
        return n;
    }

    /** {@return the label sets of every series of {@code family}, each as a map sorted by label name} */
    public static List<Map<String, String>> series(MetricSnapshots snapshots, String family) {
        List<Map<String, String>> out = new ArrayList<>();
        for (DataPointSnapshot p : points(snapshots, family)) {
            Map<String, String> labels = new TreeMap<>();
            p.getLabels().forEach(l -> labels.put(l.getName(), l.getValue()));
            out.add(labels);
        }
        return out;
    }

    /**
     * {@return the value of label {@code label} in every series of {@code family}, in the family's order}
     *
     * @throws AssertionError if a series of the family has no such label
     */
    public static List<String> labelValues(MetricSnapshots snapshots, String family, String label) {
        List<String> out = new ArrayList<>();
        for (DataPointSnapshot p : points(snapshots, family)) {
            String value = p.getLabels().get(label);
            if (value == null) {
                throw new AssertionError(family + "{" + p.getLabels() + "} has no label " + label);
            }
            out.add(value);
        }
        return out;
    }

    /** {@return the point of the histogram {@code family} whose labels are exactly {@code labelPairs}, if any} */
    public static Optional<HistogramDataPointSnapshot> histogram(MetricSnapshots snapshots, String family,
                                                                 String... labelPairs) {
        Labels wanted = Labels.of(labelPairs);
        for (MetricSnapshot s : snapshots) {
            if (s instanceof HistogramSnapshot h && s.getMetadata().getOriginalName().equals(family)) {
                return h.getDataPoints().stream().filter(p -> p.getLabels().equals(wanted)).findFirst();
            }
        }
        return Optional.empty();
    }

    /**
     * {@return the number of observations at most {@code le}, as the text format's {@code _bucket} line shows it
     * (cumulative)}
     *
     * @throws AssertionError if the point has no bucket with exactly this upper bound
     */
    public static long bucket(HistogramDataPointSnapshot point, double le) {
        ClassicHistogramBuckets b = point.getClassicBuckets();
        long cumulative = 0;
        for (int i = 0; i < b.size(); i++) {
            cumulative += b.getCount(i);
            if (b.getUpperBound(i) == le) {
                return cumulative;
            }
        }
        throw new AssertionError("no bucket le=" + le);
    }

    /** Every data point of every family named {@code family}, in order. */
    private static List<DataPointSnapshot> points(MetricSnapshots snapshots, String family) {
        List<DataPointSnapshot> out = new ArrayList<>();
        for (MetricSnapshot s : snapshots) {
            if (s.getMetadata().getOriginalName().equals(family)) {
                out.addAll(s.getDataPoints());
            }
        }
        return out;
    }
}
