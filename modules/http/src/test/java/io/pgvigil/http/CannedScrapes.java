package io.pgvigil.http;

import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.ServerWide;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@link Scrapes} answering with canned snapshots and noting what it was asked: HTTP tests without a database. */
final class CannedScrapes implements Scrapes {
    /**
     * One call: the target of a probe (empty for the telemetry path), the budget it was given and the auth module's
     * {@code server_wide} (empty for the telemetry path and a module without one).
     */
    record Call(Optional<ConnectionSpec> target, Duration budget, Optional<ServerWide> serverWide) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final MetricSnapshots answer;

    CannedScrapes(MetricSnapshots answer) {
        this.answer = answer;
    }

    /** {@return what a scrape of a server that is down looks like: pg_up 0 and one scrape counted} */
    static MetricSnapshots down() {
        return new MetricSnapshots(
                GaugeSnapshot.builder().name("pg_up").help("Whether the last scrape of metrics from PostgreSQL was able to connect to the server (1 for yes, 0 for no).")
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(0).build()).build(),
                CounterSnapshot.builder().name("pg_exporter_scrapes_total").help("Total number of times PostgreSQL was scraped for metrics.")
                        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(1).build()).build());
    }

    @Override
    public MetricSnapshots probe(ConnectionSpec target, Optional<ServerWide> serverWide, Duration budget) {
        calls.add(new Call(Optional.of(target), budget, serverWide));
        return answer;
    }

    @Override
    public MetricSnapshots metrics(Duration budget) {
        calls.add(new Call(Optional.empty(), budget, Optional.empty()));
        return answer;
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    void reset() {
        calls.clear();
    }
}
