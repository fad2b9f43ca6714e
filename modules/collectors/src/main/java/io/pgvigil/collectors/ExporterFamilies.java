package io.pgvigil.collectors;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The families every answer carries besides the collectors' own, as upstream's "exporter" subsystem produces
 * them: {@code pg_scrape_collector_success} and {@code pg_scrape_collector_duration_seconds} per collector,
 * {@code pg_up}, the {@code pg_exporter_*} families, and the legacy {@code pg_static} and
 * {@code pg_stat_database_conflicts_*} ({@link DatabaseConflicts}). The legacy ones and {@code pg_up} and
 * {@code pg_exporter_*} carry the {@code --constantLabels}; the legacy ones are left out with
 * {@code --disable-default-metrics}.
 *
 * <p>Also the whole answer when there is nothing to scrape: {@link #down} (no connection, every collector failed)
 * and {@link #unconfigured} ({@code /metrics} without a data source). Immutable, thread-safe.
 */
final class ExporterFamilies {
    private static final System.Logger LOG = System.getLogger(Scraper.class.getName());

    private final LegacyOptions legacy;

    ExporterFamilies(LegacyOptions legacy) {
        this.legacy = legacy;
    }

    /** The two per-collector families of one answer, declared first so they come first. */
    record PerCollector(Family success, Family duration) {

        /** Adds one collector's outcome. */
        void add(Collector collector, ScrapeRun.Outcome outcome) {
            duration.add(outcome.seconds(), collector.name());
            success.add(outcome.ok() ? 1 : 0, collector.name());
        }
    }

    /** Declares {@code pg_scrape_collector_success} and {@code pg_scrape_collector_duration_seconds}. */
    PerCollector perCollector(MetricSink out) {
        return new PerCollector(
                out.gauge("pg_scrape_collector_success", "postgres_exporter: Whether a collector succeeded.", "collector"),
                out.gauge("pg_scrape_collector_duration_seconds", "postgres_exporter: Duration of a collector scrape.", "collector"));
    }

    /** Reports every collector of {@code collectors} as failed (success 0, no duration). */
    void allFailed(PerCollector families, List<Collector> collectors) {
        collectors.forEach(c -> families.success().add(0, c.name()));
    }

    /** Adds {@code pg_static} (the server's version strings), unless default metrics are disabled. */
    void staticFamily(MetricSink out, ScrapeRun run) {
        if (legacy.disableDefaultMetrics()) {
            return;
        }
        Session session = run.session();
        add(out.untyped("pg_static", "Version string as reported by postgres", withConstant("version", "short_version", "server")),
            1, run.lease().server().text(), session.version().semver(), session.server());
    }

    /**
     * Adds the legacy {@code pg_stat_database_conflicts_*} families, unless default metrics are disabled.
     *
     * @return false when the query failed (the scrape then reports an error); true when it succeeded or is disabled
     */
    boolean conflicts(ScrapeRun run, MetricSink out) {
        if (legacy.disableDefaultMetrics()) {
            return true;
        }
        MetricSink own = new MetricSink();
        try {
            DatabaseConflicts.collect(run.lease().connection(), run.session().server(), legacy, own);
            out.addAll(own);
            return true;
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.ERROR, "error scraping dsn", "namespace", "pg_stat_database_conflicts", "dsn", run.spec().redacted(),
                    "err", ScrapeRun.message(e));
            if (e instanceof SQLException sql) {
                run.lease().retireIfConnectionLost(sql);
            }
            return false;
        }
    }

    /** Adds {@code pg_up} and the {@code pg_exporter_*} families and returns the finished answer. */
    MetricSnapshots finish(MetricSink out, boolean up, boolean error, double seconds, long scrapes) {
        add(out.gauge("pg_up", "Whether the last scrape of metrics from PostgreSQL was able to connect to the server (1 for yes, 0 for no).",
                      withConstant()), up ? 1 : 0);
        add(out.gauge("pg_exporter_last_scrape_duration_seconds", "Duration of the last scrape of metrics from PostgreSQL.",
                      withConstant()), seconds);
        add(out.counter("pg_exporter_scrapes_total", "Total number of times PostgreSQL was scraped for metrics.",
                        withConstant()), scrapes);
        add(out.gauge("pg_exporter_last_scrape_error", "Whether the last scrape of metrics from PostgreSQL resulted in an error (1 for error, 0 for success).",
                      withConstant()), error ? 1 : 0);
        return new MetricSnapshots(out.snapshots());
    }

    /** The answer without a connection: {@code pg_up 0}, every collector of {@code collectors} failed, an error. */
    MetricSnapshots down(List<Collector> collectors, double seconds, long scrapes) {
        MetricSink out = new MetricSink();
        allFailed(perCollector(out), collectors);
        return finish(out, false, true, seconds, scrapes);
    }

    /** The answer when no data source is configured: {@code pg_up 0} and the exporter's own families. */
    MetricSnapshots unconfigured(long scrapes) {
        return finish(new MetricSink(), false, true, 0, scrapes);
    }

    private String[] withConstant(String... labelNames) {
        List<String> names = new ArrayList<>(List.of(labelNames));
        names.addAll(legacy.constantLabels().keySet());
        return names.toArray(String[]::new);
    }

    private void add(Family family, double value, String... labelValues) {
        List<String> values = new ArrayList<>(List.of(labelValues));
        values.addAll(legacy.constantLabels().values());
        family.add(value, values.toArray(String[]::new));
    }
}
