package io.pgvigil.collectors;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One metric family being filled by a collector: name, help, type and label names fixed up front,
 * samples added row by row. A second sample with the same label values is dropped (and counted), so a
 * scrape never carries duplicate series, which would make Prometheus reject the whole scrape.
 */
final class Family {
    /** The exposition types pgvigil emits. */
    enum Type { GAUGE, COUNTER, UNTYPED }

    private record Sample(List<String> labelValues, double value) {
    }

    private final String name;
    private final String help;
    private final Type type;
    private final List<String> labelNames;
    private final List<Sample> samples = new ArrayList<>();
    private final Set<List<String>> seen = new HashSet<>();
    private int duplicates;

    Family(String name, String help, Type type, List<String> labelNames) {
        this.name = name;
        this.help = help;
        this.type = type;
        this.labelNames = List.copyOf(labelNames);
    }

    String name() {
        return name;
    }

    Type type() {
        return type;
    }

    List<String> labelNames() {
        return labelNames;
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
        if (labelValues.length != labelNames.size()) {
            throw new IllegalArgumentException(name + ": expected " + labelNames.size() + " label values, got " + labelValues.length);
        }
        List<String> values = List.of(labelValues);
        if (!seen.add(values)) {
            duplicates++;
            return;
        }
        samples.add(new Sample(values, value));
    }

    private Labels labels(List<String> values) {
        if (labelNames.isEmpty()) {
            return Labels.EMPTY;
        }
        String[] pairs = new String[labelNames.size() * 2];
        for (int i = 0; i < labelNames.size(); i++) {
            pairs[2 * i] = labelNames.get(i);
            pairs[2 * i + 1] = values.get(i);
        }
        return Labels.of(pairs);
    }

    MetricSnapshot toSnapshot() {
        return switch (type) {
            case GAUGE -> {
                GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
                samples.forEach(s -> b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(labels(s.labelValues())).value(s.value()).build()));
                yield b.build();
            }
            case COUNTER -> {
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
                samples.forEach(s -> b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                        .labels(labels(s.labelValues())).value(s.value()).build()));
                yield b.build();
            }
            case UNTYPED -> {
                UnknownSnapshot.Builder b = UnknownSnapshot.builder().name(name).help(help);
                samples.forEach(s -> b.dataPoint(UnknownSnapshot.UnknownDataPointSnapshot.builder()
                        .labels(labels(s.labelValues())).value(s.value()).build()));
                yield b.build();
            }
        };
    }
}
