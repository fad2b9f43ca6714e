package io.pgvigil.app;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.collectors.Scraper;
import io.pgvigil.connect.PooledSource;
import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.DiscoveryOptions;
import io.pgvigil.dsn.Secret;
import io.pgvigil.dsn.TargetAllowList;
import io.pgvigil.http.ExporterRoutes;
import io.pgvigil.testkit.ClosedPort;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /discovery} with {@code discovery: {databases: true}} on the application's wiring ({@link PooledDatabases}
 * on the connection pool) against a real server, through a real socket: the databases the module's role sees,
 * filtered by the patterns, a database created or dropped shows after the refresh, and a server that refuses
 * connections is skipped while the other is listed.
 */
class DiscoveryWiringTest {
    private static final String ROLE = "pgvigil_dw_monitor";
    private static final String PASSWORD = "dw-Pa55word";

    private static MonitoredServer mon;
    private static PgServer pg;

    @BeforeAll
    static void server() {
        mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), ROLE, PASSWORD);
        pg = mon.server();
        for (String db : List.of("pgvigil_dw_one", "pgvigil_dw_two", "pgvigil_dw_skip", "pgvigil_dw odd\"name")) {
            pg.createDatabase(db, null);
        }
        pg.execute("postgres", "DROP DATABASE IF EXISTS pgvigil_dw_new");
    }

    private static String get(int port, String module) throws Exception {
        return fetch(port, "/discovery?auth_module=" + module);
    }

    private static String fetch(int port, String pathAndQuery) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + pathAndQuery).toURL()
                .openConnection();
        c.setReadTimeout(30_000);
        try (InputStream in = c.getResponseCode() == 200 ? c.getInputStream() : c.getErrorStream()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(c.getResponseCode()).as(body).isEqualTo(200);
            return body;
        } finally {
            c.disconnect();
        }
    }

    @Test
    void theDatabasesOfEachListedServerAreTargetsAndFollowCreateAndDrop() throws Exception {
        String server = mon.target();
        String closed = "127.0.0.1:" + ClosedPort.find();
        AuthModule module = new AuthModule("dw", new Credentials.UserPass(ROLE, Secret.of(PASSWORD)),
                Map.of("sslmode", "disable"), Optional.of(TargetAllowList.parse(List.of(closed, server))), Optional.empty(), Optional.empty(),
                new DiscoveryOptions(true, List.of("pgvigil_dw.*"), List.of(".*_skip"), Duration.ofSeconds(1)));
        AuthConfig auth = new AuthConfig(Map.of("dw", module));
        Cli.Options options = new Cli(v -> null).parse();
        try (PooledSource pool = ConnectionSource.pooled(options.pool())) {
            ScraperScrapes scrapes = new ScraperScrapes(new Scraper(pool, options.collectors(), options.scrape()),
                                                        Optional.empty());
            ExporterRoutes.Settings settings = ExporterRoutes.Settings.of("/metrics", scrapes, () -> auth, "test")
                    .withDatabases(new PooledDatabases(pool));
            WebServer web = WebServer.builder().port(0).host("127.0.0.1")
                    .routing((HttpRouting.Builder r) -> ExporterRoutes.register(r, settings)).build().start();
            try {
                String body = get(web.port(), "dw");
                assertThat(body).contains("\"__param_target\":\"" + server + "/pgvigil_dw_one\"",
                                          "\"__param_target\":\"" + server + "/pgvigil_dw_two\"",
                                          "\"__param_target\":\"" + server + "/pgvigil_dw%20odd%22name\"",
                                          "\"__meta_pgvigil_database\":\"pgvigil_dw odd\\\"name\"",
                                          "\"targets\":[\"127.0.0.1:" + web.port() + "\"]")
                        .doesNotContain("pgvigil_dw_skip", "/postgres\"", "template", closed + "/");
                // The odd name's target, sent as Prometheus sends __param_target, probes that very database.
                String probed = fetch(web.port(), "/probe?auth_module=dw&target=" + URLEncoder.encode(
                        server + "/pgvigil_dw%20odd%22name", StandardCharsets.UTF_8));
                assertThat(probed).contains("pg_up 1", "datname=\"pgvigil_dw odd\\\"name\"");
                pg.createDatabase("pgvigil_dw_new", null);
                Thread.sleep(1100); // the refresh
                assertThat(get(web.port(), "dw")).contains(server + "/pgvigil_dw_new\"");
                pg.execute("postgres", "DROP DATABASE pgvigil_dw_new WITH (FORCE)");
                Thread.sleep(1100);
                assertThat(get(web.port(), "dw")).doesNotContain("pgvigil_dw_new").contains("pgvigil_dw_one");
            } finally {
                web.stop();
            }
        }
    }
}
