package io.pgvigil.app;

import io.pgvigil.collectors.Scraper;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.http.Scrapes;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.time.Duration;
import java.util.Optional;

/**
 * The HTTP layer's {@link Scrapes} on the collectors' {@link Scraper}: a probe counts on its own
 * ({@code pg_exporter_scrapes_total 1}), the telemetry path's scrapes of the default data source are counted
 * together by the scraper, as upstream does.
 */
final class ScraperScrapes implements Scrapes {
    private final Scraper scraper;
    private final Optional<ConnectionSpec> defaultTarget;

    /**
     * @param defaultTarget the data source of {@code /metrics}, empty when none is configured ({@code pg_up 0})
     */
    ScraperScrapes(Scraper scraper, Optional<ConnectionSpec> defaultTarget) {
        this.scraper = scraper;
        this.defaultTarget = defaultTarget;
    }

    @Override
    public MetricSnapshots probe(ConnectionSpec target, Duration budget) {
        return scraper.scrape(target, budget);
    }

    @Override
    public MetricSnapshots metrics(Duration budget) {
        return scraper.scrapeDefault(defaultTarget, budget);
    }
}
