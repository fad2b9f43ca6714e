package io.pgvigil.app;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.connect.PoolOptions;
import io.pgvigil.connect.PooledSource;
import io.pgvigil.collectors.CollectorCatalog;
import io.pgvigil.collectors.Scraper;
import io.pgvigil.dsn.ConnectionBudget;
import io.pgvigil.dsn.ServerWide;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The connection-reuse and deadline flags, and the self-metrics they feed. */
class ConnectionFlagsTest {
    @Test
    void defaults() {
        Cli.Options o = new Cli().parse();
        assertThat(o.pool()).isEqualTo(new PoolOptions(100, Duration.ofMinutes(2), Duration.ofSeconds(1)));
        assertThat(o.scrapeTimeoutOffset()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.scrape().serverWideTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.pool().serverBudget()).isEqualTo(ConnectionBudget.DEFAULT).hasToString("5%");
        assertThat(o.scrape().serverWide()).isEqualTo(ServerWide.EVERY_TARGET);
    }

    @Test
    void serverBudget() {
        assertThat(new Cli().parse("--connection.server-budget=2.5%").pool().serverBudget()).isEqualTo(new ConnectionBudget.Share(250));
        assertThat(new Cli().parse("--connection.server-budget", "3").pool().serverBudget()).isEqualTo(new ConnectionBudget.Fixed(3));
        assertThat(new Cli().usage()).contains("--connection.server-budget=<SHARE|N>", "Default: 5%");
        for (String bad : new String[] {"0", "0%", "101%", "-2", "five", "", "5 percent"}) {
            assertThatThrownBy(() -> new Cli().parse("--connection.server-budget=" + bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--connection.server-budget: ");
        }
    }

    @Test
    void givenValues() {
        Cli.Options o = new Cli().parse("--connection.max-open=7", "--connection.idle-timeout=45s",
                                        "--connection.lock-timeout", "250ms", "--web.scrape-timeout-offset=1s");
        assertThat(o.pool()).isEqualTo(new PoolOptions(7, Duration.ofSeconds(45), Duration.ofMillis(250)));
        assertThat(o.scrapeTimeoutOffset()).isEqualTo(Duration.ofSeconds(1));
        assertThat(new Cli().parse("--collection.server-wide-ttl=0s").scrape().serverWideTtl()).isZero();
        assertThat(new Cli().parse("--collection.server-wide-ttl", "1m30s").scrape().serverWideTtl()).isEqualTo(Duration.ofSeconds(90));
        assertThat(new Cli().parse("--collection.server-wide=once").scrape().serverWide()).isEqualTo(ServerWide.ONCE);
        assertThat(new Cli().parse("--collection.server-wide", "every-target").scrape().serverWide())
                .isEqualTo(ServerWide.EVERY_TARGET);
        assertThat(new Cli().usage()).contains("--collection.server-wide=<MODE>", "--collection.server-wide-ttl", "--connection.max-open", "--connection.idle-timeout", "--connection.lock-timeout",
                                               "--web.scrape-timeout-offset");
    }

    @Test
    void badValuesFailClearly() {
        assertThatThrownBy(() -> new Cli().parse("--connection.max-open=0")).hasMessageContaining("--connection.max-open");
        assertThatThrownBy(() -> new Cli().parse("--connection.max-open=many")).hasMessageContaining("--connection.max-open");
        assertThatThrownBy(() -> new Cli().parse("--connection.idle-timeout=0")).hasMessageContaining("--connection.idle-timeout");
        assertThatThrownBy(() -> new Cli().parse("--connection.lock-timeout=-1s")).hasMessageContaining("--connection.lock-timeout");
        assertThatThrownBy(() -> new Cli().parse("--web.scrape-timeout-offset=-1s")).hasMessageContaining("--web.scrape-timeout-offset");
        assertThatThrownBy(() -> new Cli().parse("--web.scrape-timeout-offset=soon")).hasMessageContaining("--web.scrape-timeout-offset");
        assertThatThrownBy(() -> new Cli().parse("--collection.server-wide-ttl=-5s")).hasMessageContaining("--collection.server-wide-ttl");
        assertThatThrownBy(() -> new Cli().parse("--collection.server-wide-ttl=often")).hasMessageContaining("--collection.server-wide-ttl");
        assertThatThrownBy(() -> new Cli().parse("--collection.server-wide=twice")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--collection.server-wide: \"twice\" is not every-target or once");
        assertThatThrownBy(() -> new Cli().parse("--collection.server-wide=")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--collection.server-wide: \"\" is not every-target or once");
    }

    @Test
    void selfMetricsNameEveryCounter() {
        try (PooledSource pool = ConnectionSource.pooled(new PoolOptions(3, Duration.ofMinutes(1), Duration.ofSeconds(1)))) {
            Scraper scraper = new Scraper(pool, CollectorCatalog.enabledByDefault());
            List<MetricSnapshot> metrics = new ConnectionMetrics(pool, scraper).get();
            assertThat(metrics).extracting(m -> m.getMetadata().getOriginalName()).containsExactly(
                    "pgvigil_connections_max", "pgvigil_connections_open", "pgvigil_connections_idle",
                    "pgvigil_connections_opened_total", "pgvigil_connection_reuses_total", "pgvigil_connections_closed_total",
                    "pgvigil_connection_cap_waits_total", "pgvigil_connection_cap_timeouts_total",
                    "pgvigil_server_connection_budget", "pgvigil_server_connections_open",
                    "pgvigil_server_connection_rotations_total", "pgvigil_server_connection_waits_total",
                    "pgvigil_server_connection_timeouts_total", "pgvigil_scrapes_coalesced_total",
                    "pgvigil_server_wide_results_total", "pgvigil_scrape_deadline_hits_total");
            assertThat(metrics.getFirst().getDataPoints().getFirst()).extracting("value").isEqualTo(3.0);
            assertThat(metrics.get(5).getDataPoints()).hasSize(4);
            assertThat(metrics.get(14).getDataPoints()).hasSize(4);
            // No server leased yet: the per-server families have no series.
            assertThat(metrics.get(8).getDataPoints()).isEmpty();
        }
    }
}
