package io.pgvigil.app;

import io.pgvigil.collectors.CollectorCatalog;
import io.pgvigil.collectors.Scraper;
import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.connect.PoolOptions;
import io.pgvigil.connect.PooledSource;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.testkit.MonitoredServer;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.pgvigil.testkit.Snapshots.value;
import static org.assertj.core.api.Assertions.assertThat;

/** The per-server self-metrics after real scrapes: one series per server, labelled host:port, never a user or password. */
class ServerBudgetMetricsTest {
    private static final String ROLE = "pgvigil_budget_metrics";
    private static final String PASSWORD = "m3trics-Pa55word";

    @Test
    void everyServerFamilyHasOneSeriesLabelledByHostAndPort() {
        MonitoredServer mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), ROLE, PASSWORD);
        try (PooledSource pool = ConnectionSource.pooled(PoolOptions.defaults())) {
            Scraper scraper = new Scraper(pool, CollectorCatalog.enabledByDefault());
            assertThat(value(scraper.scrape(ConnectionSpec.parse(mon.dsn("postgres"))), "pg_up")).contains(1.0);
            List<MetricSnapshot> metrics = new ConnectionMetrics(pool, scraper).get();
            assertThat(point(metrics, "pgvigil_server_connection_budget").getLabels().get("server")).isEqualTo(mon.target());
            assertThat(gauge(metrics, "pgvigil_server_connection_budget")).as("5% of 97").isEqualTo(4.0);
            assertThat(gauge(metrics, "pgvigil_server_connections_open")).isEqualTo(1.0);
            for (String family : List.of("pgvigil_server_connection_rotations_total", "pgvigil_server_connection_waits_total",
                                         "pgvigil_server_connection_timeouts_total")) {
                assertThat(point(metrics, family).getLabels().size()).isEqualTo(1);
                assertThat(point(metrics, family).getLabels().toString()).doesNotContain(ROLE).doesNotContain(PASSWORD);
            }
        }
    }

    private static DataPointSnapshot point(List<MetricSnapshot> metrics, String name) {
        MetricSnapshot family = metrics.stream().filter(m -> m.getMetadata().getOriginalName().equals(name)).findFirst().orElseThrow();
        assertThat(family.getDataPoints()).hasSize(1);
        return family.getDataPoints().getFirst();
    }

    private static double gauge(List<MetricSnapshot> metrics, String name) {
        return ((io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot) point(metrics, name)).getValue();
    }
}
