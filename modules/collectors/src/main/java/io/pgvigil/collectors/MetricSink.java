package io.pgvigil.collectors;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where a collector puts its families; one sink per collector run, merged only if the run succeeds. */
final class MetricSink {
    private final Map<String, Family> families = new LinkedHashMap<>();
    /** Finished snapshots taken over from elsewhere (results shared between targets), emitted as they are. */
    private final List<MetricSnapshot> finished = new ArrayList<>();

    Family gauge(String name, String help, String... labelNames) {
        return family(name, help, Family.Type.GAUGE, labelNames);
    }

    Family counter(String name, String help, String... labelNames) {
        return family(name, help, Family.Type.COUNTER, labelNames);
    }

    Family untyped(String name, String help, String... labelNames) {
        return family(name, help, Family.Type.UNTYPED, new double[0], labelNames);
    }

    /**
     * A histogram family with classic buckets; fill it with {@link Family#addHistogram}.
     *
     * @param upperBounds the finite bucket upper bounds, strictly ascending ({@code +Inf} is added)
     */
    Family histogram(String name, String help, double[] upperBounds, String... labelNames) {
        return family(name, help, Family.Type.HISTOGRAM, upperBounds, labelNames);
    }

    private Family family(String name, String help, Family.Type type, String... labelNames) {
        return family(name, help, type, new double[0], labelNames);
    }

    private Family family(String name, String help, Family.Type type, double[] upperBounds, String... labelNames) {
        Family existing = families.get(name);
        if (existing != null) {
            if (existing.type() != type || !existing.labelNames().equals(List.of(labelNames))
                || !Arrays.equals(existing.upperBounds(), upperBounds)) {
                throw new IllegalStateException("family " + name + " declared twice with different type, labels or buckets");
            }
            return existing;
        }
        Family f = new Family(name, help, type, List.of(labelNames), upperBounds);
        families.put(name, f);
        return f;
    }

    Iterable<Family> families() {
        return families.values();
    }

    void addAll(MetricSink other) {
        for (Family f : other.families.values()) {
            if (families.putIfAbsent(f.name(), f) != null) {
                throw new IllegalStateException("family " + f.name() + " is produced by two collectors");
            }
        }
    }

    /** Adds snapshots that were built before, e.g. by a scrape of another database of the same server. */
    void addFinished(List<MetricSnapshot> snapshots) {
        finished.addAll(snapshots);
    }

    /** @return whether a family of this name is in the sink, being filled or finished */
    boolean has(String name) {
        return families.containsKey(name) || finished.stream().anyMatch(s -> s.getMetadata().getName().equals(name));
    }

    int duplicates() {
        return families.values().stream().mapToInt(Family::duplicates).sum();
    }

    List<MetricSnapshot> snapshots() {
        List<MetricSnapshot> out = new ArrayList<>(finished);
        for (Family f : families.values()) {
            if (!f.isEmpty()) {
                out.add(f.toSnapshot());
            }
        }
        return out;
    }
}
