package io.pgvigil.app;

import io.pgvigil.collectors.Scraper;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.http.Scrapes;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP layer's {@link Scrapes} on the collectors' {@link Scraper}: a probe counts on its own
 * ({@code pg_exporter_scrapes_total 1}), the telemetry path's scrapes of the default data source are counted
 * together, as upstream does.
 */
final class ScraperScrapes implements Scrapes {
    private final Scraper scraper;
    private final Optional<ConnectionSpec> defaultTarget;
    private final AtomicLong metricsScrapes = new AtomicLong();

    /**
     * @param defaultTarget the data source of {@code /metrics}, empty when none is configured ({@code pg_up 0})
     */
    ScraperScrapes(Scraper scraper, Optional<ConnectionSpec> defaultTarget) {
        this.scraper = scraper;
        this.defaultTarget = defaultTarget;
    }

    @Override
    public MetricSnapshots probe(ConnectionSpec target, Duration budget) {
        return scraper.scrape(target, new AtomicLong(), budget);
    }

    @Override
    public MetricSnapshots metrics(Duration budget) {
        return defaultTarget.map(spec -> scraper.scrape(spec, metricsScrapes, budget))
                .orElseGet(() -> scraper.unconfigured(metricsScrapes));
    }
}
