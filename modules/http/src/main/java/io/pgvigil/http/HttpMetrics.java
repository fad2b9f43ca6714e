package io.pgvigil.http;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP side of the self-metrics: requests by handler and status code (upstream's
 * {@code promhttp_metric_handler_requests_*} for the telemetry path, and pgvigil's own
 * {@code pgvigil_http_requests_total} for every route) and the duration of {@code /probe} scrapes.
 */
final class HttpMetrics {
    /** client_golang's default buckets, plus a minute for slow targets. */
    private static final double[] PROBE_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
                                                   Double.POSITIVE_INFINITY};

    private record Key(String handler, int code) {
    }

    private final Map<Key, LongAdder> requests = new ConcurrentHashMap<>();
    private final AtomicInteger telemetryInFlight = new AtomicInteger();
    private final LongAdder[] probeBuckets = new LongAdder[PROBE_BUCKETS.length];
    private final DoubleAdder probeSeconds = new DoubleAdder();
    private final String telemetryHandler;

    HttpMetrics(String telemetryPath) {
        this.telemetryHandler = telemetryPath;
        for (int i = 0; i < probeBuckets.length; i++) {
            probeBuckets[i] = new LongAdder();
        }
    }

    /** The handler label of a request: its route, or {@code other} (never the raw path, which anyone can vary). */
    String handlerOf(String path) {
        if (path.equals(telemetryHandler) || path.equals("/probe") || path.equals("/") || path.equals("/discovery")
            || path.equals("/-/healthy") || path.equals("/-/ready") || path.equals("/-/reload")) {
            return path;
        }
        return "other";
    }

    void request(String handler, int code) {
        requests.computeIfAbsent(new Key(handler, code), k -> new LongAdder()).increment();
    }

    AtomicInteger telemetryInFlight() {
        return telemetryInFlight;
    }

    void probeDuration(double seconds) {
        for (int i = 0; i < PROBE_BUCKETS.length; i++) {
            if (seconds <= PROBE_BUCKETS[i]) {
                probeBuckets[i].increment();
                break;
            }
        }
        probeSeconds.add(seconds);
    }

    List<MetricSnapshot> snapshots() {
        List<MetricSnapshot> out = new ArrayList<>(4);
        Map<Key, Long> byKey = new TreeMap<>((a, b) -> a.handler().equals(b.handler()) ? Integer.compare(a.code(), b.code())
                                                                                        : a.handler().compareTo(b.handler()));
        requests.forEach((k, v) -> byKey.put(k, v.sum()));

        CounterSnapshot.Builder promhttp = CounterSnapshot.builder().name("promhttp_metric_handler_requests_total")
                .help("Total number of scrapes by HTTP status code.");
        CounterSnapshot.Builder all = CounterSnapshot.builder().name("pgvigil_http_requests_total")
                .help("Total number of HTTP requests by handler (route) and status code.");
        // The same codes as client_golang always shows, so rate() works from the first scrape.
        Map<Integer, Long> telemetryCodes = new TreeMap<>(Map.of(200, 0L, 500, 0L, 503, 0L));
        byKey.forEach((k, n) -> {
            all.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                                  .labels(Labels.of("code", Integer.toString(k.code()), "handler", k.handler())).value(n).build());
            if (k.handler().equals(telemetryHandler)) {
                telemetryCodes.merge(k.code(), n, Long::sum);
            }
        });
        telemetryCodes.forEach((code, n) -> promhttp.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .labels(Labels.of("code", Integer.toString(code))).value(n).build()));
        out.add(promhttp.build());
        out.add(GaugeSnapshot.builder().name("promhttp_metric_handler_requests_in_flight")
                        .help("Current number of scrapes being served.")
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(telemetryInFlight.get()).build())
                        .build());
        if (!byKey.isEmpty()) {
            out.add(all.build());
        }
        long[] counts = new long[probeBuckets.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = probeBuckets[i].sum();
        }
        out.add(HistogramSnapshot.builder().name("pgvigil_probe_duration_seconds")
                        .help("Duration of /probe scrapes (connection and every collector), in seconds.")
                        .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                                           .classicHistogramBuckets(ClassicHistogramBuckets.of(PROBE_BUCKETS, counts))
                                           .sum(probeSeconds.sum()).build())
                        .build());
        return out;
    }
}
