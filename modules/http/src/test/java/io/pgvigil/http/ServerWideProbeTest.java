package io.pgvigil.http;

import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.pgvigil.collectors.CollectorCatalog;
import io.pgvigil.collectors.CollectorOptions;
import io.pgvigil.collectors.LegacyOptions;
import io.pgvigil.collectors.ScrapeOptions;
import io.pgvigil.collectors.Scraper;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;
import io.pgvigil.dsn.ServerWide;
import io.pgvigil.testkit.MonitoredServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * /probe with {@code --collection.server-wide=once} on a real PostgreSQL: a module without {@code server_wide}
 * follows the option, one with {@code server_wide: every-target} gets the server-wide families on every target.
 */
@ServerTest
class ServerWideProbeTest {
    private static final String ROLE = "pgvigil_wide_probe";
    private static final String PASSWORD = "W1de-Pr0be!pw";
    private static final String DATABASE = "wide_probe_app";

    private final Http1Client client;

    ServerWideProbeTest(Http1Client client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        Credentials credentials = new Credentials.UserPass(ROLE, Secret.of(PASSWORD));
        Map<String, String> options = Map.of("sslmode", "disable");
        AuthConfig auth = new AuthConfig(Map.of(
                "plain", new AuthModule("plain", credentials, options),
                "every", new AuthModule("every", credentials, options, Optional.empty(), Optional.empty(), Optional.of(ServerWide.EVERY_TARGET), io.pgvigil.dsn.DiscoveryOptions.SERVERS_ONLY)));
        ScrapeOptions once = new ScrapeOptions(CollectorOptions.defaults(), LegacyOptions.defaults(), Duration.ofMinutes(1),
                                               Duration.ZERO, ServerWide.ONCE);
        Scraper scraper = new Scraper(ConnectionSource.fresh(), CollectorCatalog.enabledByDefault(), once);
        ExporterRoutes.register(routing, ExporterRoutes.Settings.of("/metrics", new ScraperBacked(scraper), () -> auth, "test"));
    }

    private String probe(String target, String module) {
        try (HttpClientResponse res = client.get("/probe").queryParam("target", target).queryParam("auth_module", module)
                .request()) {
            assertThat(res.status()).isEqualTo(Status.OK_200);
            return res.as(String.class);
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void theModuleDecidesOverTheOption(String major) {
        MonitoredServer mon = MonitoredServer.shared(major, ROLE, PASSWORD);
        mon.server().createDatabase(DATABASE, null);

        String byOption = probe(mon.target(DATABASE), "plain");
        assertThat(byOption).contains("\npg_up 1\n", "pg_scrape_collector_success{collector=\"stat_user_tables\"} 1\n")
                .doesNotContain("pg_database_size_bytes", "pg_stat_database_xact_commit", "pg_static",
                                "pg_settings_max_connections", "collector=\"locks\"");
        String server = probe(mon.target("postgres"), "plain");
        assertThat(server).contains("\npg_up 1\n", "# TYPE pg_database_size_bytes gauge\n", "# TYPE pg_static untyped\n",
                                    "pg_scrape_collector_success{collector=\"locks\"} 1\n");

        String byModule = probe(mon.target(DATABASE), "every");
        assertThat(byModule).contains("\npg_up 1\n", "# TYPE pg_database_size_bytes gauge\n", "# TYPE pg_static untyped\n",
                                      "pg_scrape_collector_success{collector=\"locks\"} 1\n");
    }
}
