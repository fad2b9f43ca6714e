package io.pgvigil.http;

import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.ServerWide;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.time.Duration;
import java.util.Optional;

/**
 * What the HTTP layer asks of the scraper: the metrics of a probed target and those of the default data source.
 * The application implements it with the collectors; HTTP tests answer with canned snapshots.
 */
public interface Scrapes {

    /**
     * Scrapes a target named in a {@code /probe} request; each probe counts on its own
     * ({@code pg_exporter_scrapes_total 1}).
     *
     * @param target     the target, with the auth module's credentials and options merged
     * @param serverWide the auth module's {@code server_wide}, empty when it has none (or there is no module): the
     *                   scraper's default ({@code --collection.server-wide}) applies
     * @param budget     how long the scrape may take: Prometheus' scrape timeout minus the offset, or
     *                   {@link java.time.temporal.ChronoUnit#FOREVER} without one (the scraper bounds it by
     *                   {@code --collection-timeout} in every case)
     * @return the metrics, {@code pg_up 0} when the target cannot be reached
     */
    MetricSnapshots probe(ConnectionSpec target, Optional<ServerWide> serverWide, Duration budget);

    /** {@return a probe without an auth module's {@code server_wide}, see {@link #probe(ConnectionSpec, Optional, Duration)}} */
    default MetricSnapshots probe(ConnectionSpec target, Duration budget) {
        return probe(target, Optional.empty(), budget);
    }

    /**
     * Scrapes the default data source for the telemetry path ({@code /metrics}); its scrapes are counted together.
     *
     * @param budget as for {@link #probe}
     * @return the metrics, {@code pg_up 0} when no default data source is configured or it cannot be reached
     */
    MetricSnapshots metrics(Duration budget);
}
