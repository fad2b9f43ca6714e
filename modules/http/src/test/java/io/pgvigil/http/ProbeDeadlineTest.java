package io.pgvigil.http;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.connect.PoolOptions;
import io.pgvigil.connect.PooledSource;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.pgvigil.collectors.CollectorCatalog;
import io.pgvigil.collectors.Scraper;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * /probe with a kept connection per target and the scrape deadline from Prometheus' header, against the newest
 * server of the matrix.
 */
@ServerTest
class ProbeDeadlineTest {
    private static final String ROLE = "pgvigil_http_deadline";
    private static final String PASSWORD = "Dead1ine-Pa55word";
    private static final String DB = "pgvigil_http_deadline";
    /** Bounds what must end; the collection timeout (1m) is longer, so only the header can end the slow probe within it. */
    private static final Duration BOUND = Duration.ofSeconds(40);
    private static final PooledSource POOL = ConnectionSource.pooled(PoolOptions.defaults());

    private final Http1Client client;

    ProbeDeadlineTest(Http1Client client) {
        this.client = client;
    }

    private static MonitoredServer monitored() {
        MonitoredServer mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), ROLE, PASSWORD);
        mon.server().createDatabase(DB, null);
        mon.server().execute(DB, "CREATE TABLE IF NOT EXISTS locked_table (id int)");
        return mon;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        AuthConfig auth = new AuthConfig(Map.of(
                "reuse", new AuthModule("reuse", new Credentials.UserPass(ROLE, Secret.of(PASSWORD)),
                                        Map.of("sslmode", "disable", "application_name", "pgvigil_http_reuse")),
                // lock_timeout=0 (wait for locks forever): only the deadline can end a scrape stuck behind a lock.
                "patient", new AuthModule("patient", new Credentials.UserPass(ROLE, Secret.of(PASSWORD)),
                                          Map.of("sslmode", "disable", "lock_timeout", "0",
                                                 "application_name", "pgvigil_http_patient"))));
        Scraper scraper = new Scraper(POOL, CollectorCatalog.enabledByDefault());
        ExporterRoutes.register(routing, ExporterRoutes.Settings.of("/metrics", new ScraperBacked(scraper), () -> auth, "test")
                .withScrapeTimeoutOffset(Duration.ofMillis(500)));
    }

    private String probe(String target, String module, String scrapeTimeout) {
        var req = client.get("/probe").queryParam("target", target).queryParam("auth_module", module);
        if (scrapeTimeout != null) {
            req.header(ScrapeBudget.SCRAPE_TIMEOUT, scrapeTimeout);
        }
        try (HttpClientResponse res = req.request()) {
            assertThat(res.status()).isEqualTo(Status.OK_200);
            return res.as(String.class);
        }
    }

    @Test
    void aSecondProbeOpensNoNewSession() throws Exception {
        MonitoredServer mon = monitored();
        PgServer pg = mon.server();
        String target = mon.target("postgres");
        assertThat(probe(target, "reuse", "10")).contains("\npg_up 1\n", "\npg_exporter_last_scrape_error 0\n");
        List<Integer> first = pg.backendPids("pgvigil_http_reuse");
        assertThat(probe(target, "reuse", "10")).contains("\npg_up 1\n", "\npg_exporter_last_scrape_error 0\n");
        assertThat(first).hasSize(1);
        assertThat(pg.backendPids("pgvigil_http_reuse")).isEqualTo(first);
    }

    @Test
    void anUnusableHeaderLeavesTheCollectionTimeout() {
        MonitoredServer mon = monitored();
        String target = mon.target("postgres");
        for (String header : List.of("soon", "-3", "NaN", "Infinity", "")) {
            assertThat(probe(target, "reuse", header)).as(header).contains("\npg_up 1\n", "\npg_exporter_last_scrape_error 0\n");
        }
    }

    @Test
    void theScrapeTimeoutHeaderEndsACollectorStuckBehindALock() throws Exception {
        MonitoredServer mon = monitored();
        PgServer pg = mon.server();
        String target = mon.target(DB);
        try (Connection holder = pg.connectAsSuperuser(DB)) {
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                // pg_table_size() in stat_user_tables takes ACCESS SHARE on every user table: it queues behind this.
                st.execute("LOCK TABLE locked_table IN ACCESS EXCLUSIVE MODE");
            }
            String body = assertTimeoutPreemptively(BOUND, () -> probe(target, "patient", "2.5"));
            holder.rollback();
            assertThat(body).contains("\npg_up 1\n", "\npg_exporter_last_scrape_error 1\n",
                                      "pg_scrape_collector_success{collector=\"stat_user_tables\"} 0\n",
                                      "pg_scrape_collector_success{collector=\"database\"} 1\n");
        }
        // The statement was cancelled by the server's statement_timeout: the session is fine and is kept.
        assertThat(probe(target, "patient", "10")).contains("pg_scrape_collector_success{collector=\"stat_user_tables\"} 1\n");
        assertThat(POOL.stats().retired()).isZero();
    }
}
