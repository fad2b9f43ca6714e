package io.pgvigil.collectors;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Where a collector puts its families; one sink per collector run, merged only if the run succeeds. */
final class MetricSink {
    private final Map<String, Family> families = new LinkedHashMap<>();
    /** Finished snapshots taken over from elsewhere (results shared between targets), emitted as they are. */
    private final List<MetricSnapshot> finished = new ArrayList<>();
    /** Names among {@link #finished} that came from custom queries: another database's rows may join them. */
    private final Set<String> mergeable = new HashSet<>();
    /**
     * Custom-query points that join a collector's family of the same name, type and help text, as upstream's
     * registry merges its legacy and collector families (Debian's example file repeats {@code pg_stat_user_tables_*}
     * with a {@code server} label); emitted with that family's own points.
     */
    private final Map<String, MetricSnapshot> joining = new HashMap<>();

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

    /**
     * Adds finished snapshots of custom queries. A family that an earlier {@code addMergeable} put here (the same
     * namespace read from another database of the answer) takes the new points, except a point whose labels it has
     * already (a series is never reported twice). A family of any other origin with the same type and help text
     * takes the new points the same way (upstream reports both in one family); one that differs keeps its name, and
     * the new one is left out (upstream fails the whole answer then).
     *
     * @return the names of the families left out because the name is taken
     */
    List<String> addMergeable(List<MetricSnapshot> snapshots) {
        List<String> leftOut = new ArrayList<>();
        for (MetricSnapshot s : snapshots) {
            String name = s.getMetadata().getName();
            int at = mergeable.contains(name) ? indexOfFinished(name) : -1;
            if (at >= 0 && finished.get(at).getClass() == s.getClass()) {
                finished.set(at, merged(finished.get(at), s));
            } else if (families.containsKey(name) && sameKind(families.get(name), s)) {
                joining.merge(name, s, MetricSink::merged);
            } else if ((at = indexOfFinished(name)) >= 0 && sameKind(finished.get(at), s)) {
                finished.set(at, merged(finished.get(at), s));
            } else if (has(name)) {
                leftOut.add(name);
            } else {
                finished.add(s);
                mergeable.add(name);
            }
        }
        return leftOut;
    }

    private static boolean sameKind(Family f, MetricSnapshot s) {
        Class<?> kind = switch (f.type()) {
            case GAUGE -> GaugeSnapshot.class;
            case COUNTER -> CounterSnapshot.class;
            case UNTYPED -> UnknownSnapshot.class;
            case HISTOGRAM -> HistogramSnapshot.class;
        };
        return kind == s.getClass() && Objects.equals(f.help(), s.getMetadata().getHelp());
    }

    private static boolean sameKind(MetricSnapshot a, MetricSnapshot b) {
        return a.getClass() == b.getClass() && Objects.equals(a.getMetadata().getHelp(), b.getMetadata().getHelp());
    }

    private int indexOfFinished(String name) {
        for (int i = 0; i < finished.size(); i++) {
            if (finished.get(i).getMetadata().getName().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** {@code a} with the points of {@code b} whose labels it does not have yet; both of the same type. */
    private static MetricSnapshot merged(MetricSnapshot a, MetricSnapshot b) {
        Set<Labels> seen = new HashSet<>();
        a.getDataPoints().forEach(p -> seen.add(p.getLabels()));
        List<DataPointSnapshot> points = new ArrayList<>(a.getDataPoints());
        for (DataPointSnapshot p : b.getDataPoints()) {
            if (seen.add(p.getLabels())) {
                points.add(p);
            }
        }
        return switch (a) {
            case GaugeSnapshot g -> new GaugeSnapshot(g.getMetadata(), cast(points, GaugeSnapshot.GaugeDataPointSnapshot.class));
            case CounterSnapshot c -> new CounterSnapshot(c.getMetadata(), cast(points, CounterSnapshot.CounterDataPointSnapshot.class));
            case UnknownSnapshot u -> new UnknownSnapshot(u.getMetadata(), cast(points, UnknownSnapshot.UnknownDataPointSnapshot.class));
            case HistogramSnapshot h -> new HistogramSnapshot(h.isGaugeHistogram(), h.getMetadata(),
                                                              cast(points, HistogramSnapshot.HistogramDataPointSnapshot.class));
            default -> a; // custom queries make no other type
        };
    }

    private static <T> List<T> cast(List<DataPointSnapshot> points, Class<T> type) {
        return points.stream().map(type::cast).toList();
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
            MetricSnapshot joined = joining.get(f.name());
            if (!f.isEmpty()) {
                out.add(joined == null ? f.toSnapshot() : merged(f.toSnapshot(), joined));
            } else if (joined != null) {
                out.add(joined);
            }
        }
        return out;
    }
}
