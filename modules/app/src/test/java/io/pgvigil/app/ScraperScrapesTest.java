package io.pgvigil.app;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.collectors.Scraper;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.testkit.ClosedPort;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import static io.pgvigil.testkit.Snapshots.requiredValue;
import static org.assertj.core.api.Assertions.assertThat;

/** How the HTTP layer's scrapes count: each probe on its own, the telemetry path's together (as upstream). */
class ScraperScrapesTest {
    /** Nothing listens there: every scrape that tries to connect fails at once. */
    private static final ConnectionSpec CLOSED = ConnectionSpec.parse("127.0.0.1:" + ClosedPort.find() + "/postgres");

    @Test
    void everyProbeCountsOnceAndTheDefaultSourceCountsOn() {
        ScraperScrapes scrapes = new ScraperScrapes(new Scraper(ConnectionSource.fresh(), Set.of()), Optional.of(CLOSED));
        for (int i = 0; i < 3; i++) {
            MetricSnapshots probed = scrapes.probe(CLOSED, Duration.ofSeconds(5));
            assertThat(requiredValue(probed, "pg_exporter_scrapes_total")).isEqualTo(1);
            assertThat(requiredValue(probed, "pg_up")).isZero();
        }
        for (int i = 1; i <= 3; i++) {
            assertThat(requiredValue(scrapes.metrics(Duration.ofSeconds(5)), "pg_exporter_scrapes_total")).isEqualTo(i);
        }
    }

    @Test
    void withoutADefaultSourceMetricsIsPgUpZero() {
        ScraperScrapes scrapes = new ScraperScrapes(new Scraper(ConnectionSource.fresh(), Set.of()), Optional.empty());
        for (int i = 1; i <= 2; i++) {
            MetricSnapshots metrics = scrapes.metrics(Duration.ofSeconds(5));
            assertThat(requiredValue(metrics, "pg_up")).isZero();
            assertThat(requiredValue(metrics, "pg_exporter_scrapes_total")).isEqualTo(i);
        }
    }
}
