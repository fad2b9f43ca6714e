package io.pgvigil.app;

import io.pgvigil.connect.PooledSource;
import io.pgvigil.collectors.Scraper;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The {@code pgvigil_*} families of {@code /metrics}: what connection reuse, the cap, the per-server budget,
 * single-flight and the deadlines do. Documented in docs/architecture.md ("Connection lifecycle").
 */
final class ConnectionMetrics implements Supplier<List<MetricSnapshot>> {
    private final PooledSource pool;
    private final Scraper scraper;

    ConnectionMetrics(PooledSource pool, Scraper scraper) {
        this.pool = pool;
        this.scraper = scraper;
    }

    @Override
    public List<MetricSnapshot> get() {
        PooledSource.Stats p = pool.stats();
        Scraper.Stats s = scraper.stats();
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(gauge("pgvigil_connections_max", "Most connections pgvigil keeps open at once (--connection.max-open).", p.maxOpen()));
        out.add(gauge("pgvigil_connections_open", "Connections to monitored servers open now (in use, idle or being opened).", p.open()));
        out.add(gauge("pgvigil_connections_idle", "Connections kept open between scrapes and not in use now.", p.idle()));
        out.add(counter("pgvigil_connections_opened_total", "New connections (sessions) opened to monitored servers.",
                        Labels.EMPTY, p.opened()));
        out.add(counter("pgvigil_connection_reuses_total", "Scrapes served by a connection kept from an earlier scrape.",
                        Labels.EMPTY, p.reused()));
        out.add(CounterSnapshot.builder().name("pgvigil_connections_closed_total")
                        .help("Connections closed by pgvigil, by reason: idle (unused for --connection.idle-timeout), "
                              + "lru (least recently used idle one, to make room under the cap), "
                              + "broken (a connection-level error or an unanswered read), "
                              + "reload (opened with auth modules that a reload changed).")
                        .dataPoint(point("reason", "idle", p.evictedIdle()))
                        .dataPoint(point("reason", "lru", p.evictedLru()))
                        .dataPoint(point("reason", "broken", p.retired()))
                        .dataPoint(point("reason", "reload", p.retiredByReload()))
                        .build());
        out.add(counter("pgvigil_connection_cap_waits_total",
                        "Scrapes that waited because --connection.max-open connections were open and none was idle.",
                        Labels.EMPTY, p.capWaits()));
        out.add(counter("pgvigil_connection_cap_timeouts_total",
                        "Scrapes that reached their deadline waiting for a connection under the cap (answered pg_up 0).",
                        Labels.EMPTY, p.capTimeouts()));
        servers(out);
        out.add(counter("pgvigil_scrapes_coalesced_total",
                        "Scrapes that joined a collection already running for the same target and shared its result.",
                        Labels.EMPTY, s.coalesced()));
        out.add(CounterSnapshot.builder().name("pgvigil_server_wide_results_total")
                        .help("Scrapes by where the result of their server-wide collectors came from (--collection.server-wide-ttl): "
                              + "fresh (shared from a scrape of the same server within the TTL), stale (shared, older, while "
                              + "another scrape collected a new one), joined (waited for another scrape's collection, none "
                              + "being kept) or collected (by this scrape).")
                        .dataPoint(point("result", "fresh", s.serverWideFresh()))
                        .dataPoint(point("result", "stale", s.serverWideStale()))
                        .dataPoint(point("result", "joined", s.serverWideJoined()))
                        .dataPoint(point("result", "collected", s.serverWideCollected()))
                        .build());
        out.add(counter("pgvigil_scrape_deadline_hits_total",
                        "Collections that ran out of time: connection set-up or a collector reached the scrape deadline.",
                        Labels.EMPTY, s.deadlineHits()));
        return out;
    }

    /**
     * The per-server budget (--connection.server-budget), one series per server the pool has an account of: servers
     * without a connection that were not leased for --connection.idle-timeout are forgotten, so the series stay bounded.
     * The label is the server's host:port as the targets name it, never a user or a password.
     */
    private void servers(List<MetricSnapshot> out) {
        GaugeSnapshot.Builder budget = GaugeSnapshot.builder().name("pgvigil_server_connection_budget")
                .help("Most connections pgvigil holds open at once to the server (--connection.server-budget or the auth "
                      + "module's connection_budget, from the slots the server reported).");
        GaugeSnapshot.Builder open = GaugeSnapshot.builder().name("pgvigil_server_connections_open")
                .help("Connections to the server open now (in use, idle or being opened).");
        CounterSnapshot.Builder rotations = CounterSnapshot.builder().name("pgvigil_server_connection_rotations_total")
                .help("Idle connections to the server closed to stay within its budget, so that another database "
                      + "could have its turn.");
        CounterSnapshot.Builder waits = CounterSnapshot.builder().name("pgvigil_server_connection_waits_total")
                .help("Scrapes that queued because the server was at its budget and none of its connections was idle.");
        CounterSnapshot.Builder timeouts = CounterSnapshot.builder().name("pgvigil_server_connection_timeouts_total")
                .help("Scrapes that reached their deadline queued for the server (answered pg_up 0).");
        for (PooledSource.ServerStats server : pool.servers()) {
            Labels labels = Labels.of("server", server.server());
            budget.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(server.budget()).build());
            open.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(server.open()).build());
            rotations.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(server.rotations()).build());
            waits.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(server.waits()).build());
            timeouts.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(server.timeouts()).build());
        }
        out.add(budget.build());
        out.add(open.build());
        out.add(rotations.build());
        out.add(waits.build());
        out.add(timeouts.build());
    }

    private static CounterSnapshot.CounterDataPointSnapshot point(String label, String value, double v) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of(label, value)).value(v).build();
    }

    private static CounterSnapshot counter(String name, String help, Labels labels, double value) {
        return CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build()).build();
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build();
    }
}
