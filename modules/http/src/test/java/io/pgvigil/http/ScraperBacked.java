package io.pgvigil.http;

import io.pgvigil.collectors.Scraper;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.ServerWide;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.time.Duration;
import java.util.Optional;

/**
 * {@link Scrapes} on the real scraper, for the tests that probe a real PostgreSQL (or a closed port): as the
 * application wires it, with no default data source.
 */
final class ScraperBacked implements Scrapes {
    private final Scraper scraper;

    ScraperBacked(Scraper scraper) {
        this.scraper = scraper;
    }

    @Override
    public MetricSnapshots probe(ConnectionSpec target, Optional<ServerWide> serverWide, Duration budget) {
        return scraper.scrape(target, serverWide, budget);
    }

    @Override
    public MetricSnapshots metrics(Duration budget) {
        return scraper.scrapeDefault(Optional.empty(), budget);
    }
}
