package io.pgvigil.collectors;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Turns the rows of one custom query into metric snapshots by upstream's legacy mapping: {@code <ns>_<column>}
 * for COUNTER and GAUGE, {@code <ns>_<column>_milliseconds} for DURATION, a histogram for HISTOGRAM, untyped
 * {@code Unknown metric from <ns>} for a result column the file does not name, nothing for DISCARD, LABEL and
 * MAPPEDMETRIC (upstream drops the mapping of custom queries). Labels: the LABEL columns, {@code server} and the
 * constant labels; a LABEL column missing from the result takes the first column's value, as upstream. A value
 * that does not convert leaves its sample out ("non-fatal", logged); an unreadable histogram array fails the
 * whole namespace, as upstream. One instance per query run.
 */
final class UserQueryRows {
    private static final System.Logger LOG = System.getLogger(Scraper.class.getName());

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private enum Kind { COUNTER, GAUGE, UNTYPED, HISTOGRAM }

    private record Point(Labels labels, double value, ClassicHistogramBuckets buckets, double sum) {
    }

    private static final class Built {
        final Kind kind;
        final String help;
        final List<Point> points = new ArrayList<>();
        final Set<Labels> seen = new HashSet<>();

        Built(Kind kind, String help) {
            this.kind = kind;
            this.help = help;
        }
    }

    private final UserQueries.Namespace namespace;
    private final String prefixed;
    private final String server;
    private final Map<String, String> constantLabels;
    private final Map<String, UserQueries.Column> columns = new HashMap<>();
    private final List<String> labelColumns = new ArrayList<>();
    private final Map<String, Built> families = new LinkedHashMap<>();

    /**
     * @param namespace      the namespace
     * @param prefixed       its name after {@code --metric-prefix}
     * @param server         the {@code server} label value ({@code host:port})
     * @param constantLabels {@code --constantLabels}
     */
    UserQueryRows(UserQueries.Namespace namespace, String prefixed, String server, Map<String, String> constantLabels) {
        this.namespace = namespace;
        this.prefixed = prefixed;
        this.server = server;
        this.constantLabels = constantLabels;
        for (UserQueries.Column c : namespace.columns()) {
            columns.put(c.name(), c);
            if (c.usage() == UserQueries.Usage.LABEL) {
                labelColumns.add(c.name());
            }
        }
        for (UserQueries.Column c : namespace.columns()) {
            if (c.usage() == UserQueries.Usage.HISTOGRAM) {
                for (String suffix : List.of("_bucket", "_sum", "_count")) {
                    columns.putIfAbsent(c.name() + suffix, new UserQueries.Column(c.name() + suffix, UserQueries.Usage.DISCARD, ""));
                }
            }
        }
    }

    /**
     * Reads every row.
     *
     * @throws SQLException for a database error, or an unreadable histogram array (then the namespace fails)
     */
    void read(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        String[] names = new String[n + 1];
        String[] types = new String[n + 1];
        Map<String, Integer> index = new HashMap<>();
        for (int i = 1; i <= n; i++) {
            names[i] = md.getColumnLabel(i);
            types[i] = md.getColumnTypeName(i);
            index.put(names[i], i);
        }
        while (rs.next()) {
            Labels labels = labels(rs, index, types);
            for (int i = 1; i <= n; i++) {
                UserQueries.Column c = columns.get(names[i]);
                if (c == null) {
                    OptionalDouble v = UserQueryValues.number(rs, i, types[i]);
                    if (!METRIC_NAME.matcher(prefixed + "_" + names[i]).matches()) {
                        // e.g. ?column? of an unnamed expression: upstream cannot build the metric either
                        nonFatal("Column name gives no valid metric name - discarding", names[i]);
                    } else if (v.isEmpty()) {
                        nonFatal("Unparseable column type - discarding", names[i]);
                    } else {
                        add(prefixed + "_" + names[i], Kind.UNTYPED, "Unknown metric from " + prefixed,
                            new Point(labels, v.getAsDouble(), null, 0));
                    }
                    continue;
                }
                switch (c.usage()) {
                    case DISCARD, LABEL -> { }
                    case MAPPEDMETRIC -> nonFatal("Unexpected error parsing column (custom queries have no mapping)", names[i]);
                    case COUNTER, GAUGE -> {
                        OptionalDouble v = UserQueryValues.number(rs, i, types[i]);
                        if (v.isEmpty()) {
                            nonFatal("Unexpected error parsing column", names[i]);
                        } else {
                            add(prefixed + "_" + names[i], c.usage() == UserQueries.Usage.COUNTER ? Kind.COUNTER : Kind.GAUGE,
                                c.description(), new Point(labels, v.getAsDouble(), null, 0));
                        }
                    }
                    case DURATION -> {
                        String text = rs.getObject(i) instanceof String s ? s : null;
                        OptionalDouble ms = text == null || text.equals("-1") ? OptionalDouble.empty() : UserQueryValues.durationMillis(text);
                        if (ms.isEmpty()) {
                            nonFatal("Unexpected error parsing column (not a Go duration)", names[i]);
                        } else {
                            add(prefixed + "_" + names[i] + "_milliseconds", Kind.GAUGE, c.description(),
                                new Point(labels, ms.getAsDouble(), null, 0));
                        }
                    }
                    case HISTOGRAM -> histogram(rs, c, i, index, types, labels);
                }
            }
        }
    }

    private void histogram(ResultSet rs, UserQueries.Column c, int column, Map<String, Integer> index, String[] types,
                           Labels labels) throws SQLException {
        List<Double> bounds = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        try {
            for (String e : UserQueryValues.arrayElements(rs.getString(column))) {
                bounds.add(UserQueryValues.parseFloat(e).orElseThrow(() -> new IllegalArgumentException("not a number")));
            }
        } catch (IllegalArgumentException e) {
            throw new SQLException("Error retrieving " + c.name() + " buckets: " + namespace.name() + " " + e.getMessage());
        }
        Integer bucketIdx = index.get(c.name() + "_bucket");
        if (bucketIdx == null) {
            nonFatal("Missing column", c.name() + "_bucket");
            return;
        }
        try {
            for (String e : UserQueryValues.arrayElements(rs.getString(bucketIdx))) {
                counts.add(Long.parseLong(e));
            }
        } catch (IllegalArgumentException e) {
            throw new SQLException("Error retrieving " + c.name() + " bucket values: " + namespace.name() + " " + e.getMessage());
        }
        Integer sumIdx = index.get(c.name() + "_sum");
        if (sumIdx == null) {
            nonFatal("Missing column", c.name() + "_sum");
            return;
        }
        OptionalDouble sum = UserQueryValues.number(rs, sumIdx, types[sumIdx]);
        if (sum.isEmpty()) {
            nonFatal("Unexpected error parsing column", c.name() + "_sum");
            return;
        }
        Integer countIdx = index.get(c.name() + "_count");
        if (countIdx == null) {
            nonFatal("Missing column", c.name() + "_count");
            return;
        }
        OptionalDouble count = UserQueryValues.number(rs, countIdx, types[countIdx]);
        if (count.isEmpty() || Double.isNaN(count.getAsDouble()) || count.getAsDouble() < 0) {
            nonFatal("Unexpected error parsing column", c.name() + "_count");
            return;
        }
        // Upstream keys the buckets by bound (a later equal bound wins) and extra bounds without a count are dropped.
        TreeMap<Double, Long> cumulative = new TreeMap<>();
        for (int i = 0; i < bounds.size() && i < counts.size(); i++) {
            cumulative.put(bounds.get(i), counts.get(i));
        }
        long total = (long) count.getAsDouble();
        cumulative.remove(Double.POSITIVE_INFINITY);
        double[] upper = new double[cumulative.size() + 1];
        long[] perBucket = new long[cumulative.size() + 1];
        long below = 0;
        int k = 0;
        for (Map.Entry<Double, Long> e : cumulative.entrySet()) {
            if (e.getKey().isNaN() || e.getValue() < below) {
                nonFatal("Histogram buckets are not cumulative counts", c.name() + "_bucket");
                return;
            }
            upper[k] = e.getKey();
            perBucket[k++] = e.getValue() - below;
            below = e.getValue();
        }
        upper[k] = Double.POSITIVE_INFINITY;
        // Upstream writes the counts as given; the snapshot model holds per-bucket counts, so a count below the
        // last bucket (Debian's example counts idle sessions but buckets all of them) comes out as that bucket.
        perBucket[k] = Math.max(0, total - below);
        add(prefixed + "_" + c.name(), Kind.HISTOGRAM, c.description(),
            new Point(labels, Double.NaN, ClassicHistogramBuckets.of(upper, perBucket), sum.getAsDouble()));
    }

    private Labels labels(ResultSet rs, Map<String, Integer> index, String[] types) throws SQLException {
        List<String> names = new ArrayList<>(labelColumns.size() + 1 + constantLabels.size());
        List<String> values = new ArrayList<>(names.size());
        for (String label : labelColumns) {
            int i = index.getOrDefault(label, 1);
            names.add(label);
            values.add(UserQueryValues.label(rs, i, types[i]));
        }
        names.add("server");
        values.add(server);
        constantLabels.forEach((k, v) -> {
            if (!names.contains(k)) {
                names.add(k);
                values.add(v);
            }
        });
        return Labels.of(names, values);
    }

    private void add(String name, Kind kind, String help, Point point) {
        Built f = families.computeIfAbsent(name, k -> new Built(kind, help));
        if (f.kind != kind) {
            nonFatal("Metric name produced by two columns of different types", name);
            return;
        }
        if (!f.seen.add(point.labels())) {
            nonFatal("Duplicate series dropped", name);
            return;
        }
        f.points.add(point);
    }

    private void nonFatal(String what, String column) {
        LOG.log(System.Logger.Level.INFO, what, "namespace", namespace.name(), "column", column);
    }

    /** @return one snapshot per family that has samples, in the order they first appeared */
    List<MetricSnapshot> snapshots() {
        List<MetricSnapshot> out = new ArrayList<>();
        families.forEach((name, f) -> {
            MetricMetadata meta = new MetricMetadata(name, f.help);
            out.add(switch (f.kind) {
                case COUNTER -> new CounterSnapshot(meta, f.points.stream()
                        .map(p -> new CounterSnapshot.CounterDataPointSnapshot(p.value(), p.labels(), null, 0)).toList());
                case GAUGE -> new GaugeSnapshot(meta, f.points.stream()
                        .map(p -> new GaugeSnapshot.GaugeDataPointSnapshot(p.value(), p.labels(), null)).toList());
                case UNTYPED -> new UnknownSnapshot(meta, f.points.stream()
                        .map(p -> new UnknownSnapshot.UnknownDataPointSnapshot(p.value(), p.labels(), null)).toList());
                case HISTOGRAM -> {
                    HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(name).help(f.help);
                    f.points.forEach(p -> b.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                            .labels(p.labels()).classicHistogramBuckets(p.buckets()).sum(p.sum()).build()));
                    yield b.build();
                }
            });
        });
        return out;
    }
}
