package io.pgvigil.collectors;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where a collector puts its families; one sink per collector run, merged only if the run succeeds. */
final class MetricSink {
    private final Map<String, Family> families = new LinkedHashMap<>();

    Family gauge(String name, String help, String... labelNames) {
        return family(name, help, Family.Type.GAUGE, labelNames);
    }

    Family counter(String name, String help, String... labelNames) {
        return family(name, help, Family.Type.COUNTER, labelNames);
    }

    Family untyped(String name, String help, String... labelNames) {
        return family(name, help, Family.Type.UNTYPED, labelNames);
    }

    private Family family(String name, String help, Family.Type type, String... labelNames) {
        Family existing = families.get(name);
        if (existing != null) {
            if (existing.type() != type || !existing.labelNames().equals(List.of(labelNames))) {
                throw new IllegalStateException("family " + name + " declared twice with different type or labels");
            }
            return existing;
        }
        Family f = new Family(name, help, type, List.of(labelNames));
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

    int duplicates() {
        return families.values().stream().mapToInt(Family::duplicates).sum();
    }

    List<MetricSnapshot> snapshots() {
        List<MetricSnapshot> out = new ArrayList<>();
        for (Family f : families.values()) {
            if (!f.isEmpty()) {
                out.add(f.toSnapshot());
            }
        }
        return out;
    }
}
