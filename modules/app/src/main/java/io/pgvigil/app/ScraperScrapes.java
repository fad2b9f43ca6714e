package io.pgvigil.app;

import io.pgvigil.collectors.AutoDiscovery;
import io.pgvigil.collectors.Scraper;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.ServerWide;
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
    private final AutoDiscovery discovery;

    /**
     * @param defaultTarget the data source of {@code /metrics}, empty when none is configured ({@code pg_up 0})
     */
    ScraperScrapes(Scraper scraper, Optional<ConnectionSpec> defaultTarget) {
        this(scraper, defaultTarget, AutoDiscovery.off());
    }

    /**
     * @param defaultTarget the data source of {@code /metrics}, empty when none is configured ({@code pg_up 0})
     * @param discovery     {@code --auto-discover-databases}: the other databases of the data source's server that
     *                      {@code /metrics} scrapes too (never {@code /probe})
     */
    ScraperScrapes(Scraper scraper, Optional<ConnectionSpec> defaultTarget, AutoDiscovery discovery) {
        this.scraper = scraper;
        this.defaultTarget = defaultTarget;
        this.discovery = discovery;
    }

    @Override
    public MetricSnapshots probe(ConnectionSpec target, Optional<ServerWide> serverWide, Duration budget) {
        return scraper.scrape(target, serverWide, budget);
    }

    @Override
    public MetricSnapshots metrics(Duration budget) {
        return scraper.scrapeDefault(defaultTarget, discovery, budget);
    }
}
