package io.pgvigil.http;

import io.pgvigil.collectors.Scraper;
import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.dsn.ConnectionSpec;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.pgvigil.testkit.Snapshots.requiredValue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The log line of a scrape that joined a running scrape of the same target and reached its own deadline first: it
 * opened no connection, so it must not say that opening one failed. Here because the HTTP tests run on the class
 * path, where the log records can be captured; no database is involved (the first scrape is held inside its lease).
 */
class JoinedScrapeLogTest {

    @Test
    void aJoinedScrapeAtItsDeadlineSaysSoInsteadOfBlamingTheConnection() throws Exception {
        CountDownLatch leasing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ConnectionSource held = (spec, deadline) -> {
            leasing.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new SQLException("the test's source never connects", "08001");
        };
        Scraper scraper = new Scraper(held, Set.of("database"));
        ConnectionSpec target = ConnectionSpec.parse("postgresql://monitor:s3cret-pw@127.0.0.1:1/app?sslmode=disable");
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<MetricSnapshots> first = threads.submit(() -> scraper.scrape(target, Duration.ofSeconds(50)));
            leasing.await();
            MetricSnapshots joined;
            try (LogCapture logs = new LogCapture()) {
                joined = scraper.scrape(target, Duration.ofMillis(200));
                assertThat(logs.lines()).anyMatch(l -> l.contains("Scrape of the same target still running at the scrape deadline"));
                assertThat(logs.lines()).noneMatch(l -> l.contains("Error opening connection to database"));
                assertThat(logs.lines()).noneMatch(l -> l.contains("s3cret-pw"));
            }
            release.countDown();
            assertThat(requiredValue(joined, "pg_up")).isZero();
            assertThat(requiredValue(first.get(), "pg_up")).isZero();
            assertThat(scraper.stats().coalesced()).isEqualTo(1);
            assertThat(scraper.stats().collections()).isEqualTo(1);
            assertThat(scraper.stats().deadlineHits()).isEqualTo(1);
        }
    }
}
