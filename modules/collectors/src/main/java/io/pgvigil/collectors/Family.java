package io.pgvigil.collectors;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One metric family being filled by a collector: name, help, type and label names fixed up front,
 * samples added row by row. A second sample with the same label values is dropped (and counted), so a
 * scrape never carries duplicate series, which would make Prometheus reject the whole scrape.
 *
 * <p>A {@link Type#HISTOGRAM} family also fixes its bucket upper bounds up front and takes whole
 * histograms ({@link #addHistogram}), the way upstream's constant histograms are built from SQL.
 */
final class Family {
    /** The exposition types pgvigil emits. */
    enum Type { GAUGE, COUNTER, UNTYPED, HISTOGRAM }

    /**
     * @param value     the value of a gauge, counter or untyped sample
     * @param histogram the value of a histogram sample, null for the other types
     */
    private record Sample(List<String> labelValues, double value, Histogram histogram) {
    }

    /** A histogram sample: its count, sum and per-bucket (not cumulative) counts, the last one for +Inf. */
    private record Histogram(long count, double sum, long[] perBucket) {
    }

    private final String name;
    private final String help;
    private final Type type;
    private final List<String> labelNames;
    private final double[] upperBounds;
    private final List<Sample> samples = new ArrayList<>();
    private final Set<List<String>> seen = new HashSet<>();
    private int duplicates;

    Family(String name, String help, Type type, List<String> labelNames) {
        this(name, help, type, labelNames, new double[0]);
    }

    /**
     * @param upperBounds for a histogram: the finite bucket upper bounds, strictly ascending; the +Inf
     *                    bucket is always added. Must be empty for the other types.
     */
    Family(String name, String help, Type type, List<String> labelNames, double[] upperBounds) {
        this.name = name;
        this.help = help;
        this.type = type;
        this.labelNames = List.copyOf(labelNames);
        this.upperBounds = upperBounds.clone();
        if (type != Type.HISTOGRAM && upperBounds.length > 0) {
            throw new IllegalArgumentException(name + ": only a histogram has bucket bounds");
        }
        for (int i = 0; i < upperBounds.length; i++) {
            if (!Double.isFinite(upperBounds[i]) || (i > 0 && upperBounds[i] <= upperBounds[i - 1])) {
                throw new IllegalArgumentException(name + ": bucket bounds must be finite and strictly ascending: "
                                                   + Arrays.toString(upperBounds));
            }
        }
    }

    String name() {
        return name;
    }

    Type type() {
        return type;
    }

    String help() {
        return help;
    }

    List<String> labelNames() {
        return labelNames;
    }

    /** @return the finite bucket upper bounds of a histogram (empty for the other types) */
    double[] upperBounds() {
        return upperBounds.clone();
    }

    int duplicates() {
        return duplicates;
    }

    boolean isEmpty() {
        return samples.isEmpty();
    }

    /**
     * Adds a sample.
     *
     * @param value       the value
     * @param labelValues one value per label name, in the order the family declared them
     */
    void add(double value, String... labelValues) {
        if (type == Type.HISTOGRAM) {
            throw new IllegalStateException(name + " is a histogram: use addHistogram");
        }
        put(new Sample(labelValues(labelValues), value, null));
    }

    /**
     * Adds one histogram, given as Prometheus counts buckets: {@code cumulativeCounts[i]} is the number of
     * observations at most {@code upperBounds[i]}; the +Inf bucket is {@code count}.
     *
     * @param count            the number of observations
     * @param sum              the sum of the observations
     * @param cumulativeCounts one count per finite upper bound, never decreasing, none above {@code count}
     * @param labelValues      one value per label name, in the order the family declared them
     */
    void addHistogram(long count, double sum, long[] cumulativeCounts, String... labelValues) {
        if (type != Type.HISTOGRAM) {
            throw new IllegalStateException(name + " is not a histogram");
        }
        if (cumulativeCounts.length != upperBounds.length) {
            throw new IllegalArgumentException(name + ": expected " + upperBounds.length + " bucket counts, got "
                                               + cumulativeCounts.length);
        }
        long[] perBucket = new long[upperBounds.length + 1];
        long below = 0;
        for (int i = 0; i <= upperBounds.length; i++) {
            long cumulative = i < upperBounds.length ? cumulativeCounts[i] : count;
            if (cumulative < below) {
                throw new IllegalArgumentException(name + ": bucket counts must not decrease and must not exceed the count: "
                                                   + Arrays.toString(cumulativeCounts) + ", count " + count);
            }
            perBucket[i] = cumulative - below;
            below = cumulative;
        }
        put(new Sample(labelValues(labelValues), Double.NaN, new Histogram(count, sum, perBucket)));
    }

    private List<String> labelValues(String... labelValues) {
        if (labelValues.length != labelNames.size()) {
            throw new IllegalArgumentException(name + ": expected " + labelNames.size() + " label values, got " + labelValues.length);
        }
        return List.of(labelValues);
    }

    private void put(Sample sample) {
        if (!seen.add(sample.labelValues())) {
            duplicates++;
            return;
        }
        samples.add(sample);
    }

    /**
     * The client library validates every label name (allocating a charset encoder per name) each time a
     * {@link Labels} or {@link MetricMetadata} is built: that was a fifth of a probe's exporter CPU (JFR,
     * docs/performance.md). Both are immutable, and a server's label sets hardly change between scrapes, so they
     * are built once and shared. The caches are bounded: when one is full it is emptied and refilled.
     */
    private static final int CACHE_LIMIT = 50_000;
    private static final Map<List<String>, Labels> LABELS = new ConcurrentHashMap<>();
    private static final Map<List<String>, MetricMetadata> METADATA = new ConcurrentHashMap<>();

    private static <V> V cached(Map<List<String>, V> cache, List<String> key, Function<List<String>, V> make) {
        V v = cache.get(key);
        if (v == null) {
            v = make.apply(key);
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(key, v);
        }
        return v;
    }

    private Labels labels(List<String> values) {
        if (labelNames.isEmpty()) {
            return Labels.EMPTY;
        }
        int n = labelNames.size();
        String[] key = new String[n * 2];
        for (int i = 0; i < n; i++) {
            key[i] = labelNames.get(i);
            key[n + i] = values.get(i);
        }
        return cached(LABELS, Arrays.asList(key), k -> Labels.of(k.subList(0, n), k.subList(n, 2 * n)));
    }

    private MetricMetadata metadata() {
        return cached(METADATA, List.of(name, help), k -> new MetricMetadata(k.get(0), k.get(1)));
    }

    MetricSnapshot toSnapshot() {
        return switch (type) {
            case GAUGE -> new GaugeSnapshot(metadata(), samples.stream()
                    .map(s -> new GaugeSnapshot.GaugeDataPointSnapshot(s.value(), labels(s.labelValues()), null)).toList());
            case COUNTER -> new CounterSnapshot(metadata(), samples.stream()
                    .map(s -> new CounterSnapshot.CounterDataPointSnapshot(s.value(), labels(s.labelValues()), null, 0)).toList());
            case UNTYPED -> new UnknownSnapshot(metadata(), samples.stream()
                    .map(s -> new UnknownSnapshot.UnknownDataPointSnapshot(s.value(), labels(s.labelValues()), null)).toList());
            case HISTOGRAM -> {
                double[] bounds = Arrays.copyOf(upperBounds, upperBounds.length + 1);
                bounds[upperBounds.length] = Double.POSITIVE_INFINITY;
                HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(name).help(help);
                samples.forEach(s -> b.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .labels(labels(s.labelValues()))
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, s.histogram().perBucket()))
                        .sum(s.histogram().sum()).build()));
                yield b.build();
            }
        };
    }
}
