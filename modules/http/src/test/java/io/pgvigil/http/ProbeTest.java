package io.pgvigil.http;

import io.pgvigil.connect.ConnectionSource;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.pgvigil.collectors.CollectorCatalog;
import io.pgvigil.collectors.Scraper;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;
import io.pgvigil.exposition.TextFormat;
import io.pgvigil.testkit.ClosedPort;
import io.pgvigil.testkit.MonitoredServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * /probe and /metrics on the real scraper, against real PostgreSQL servers and a closed port, through Helidon's test
 * server (real sockets) and the JDK HTTP client. What needs no database is in {@link RoutesTest}.
 */
@ServerTest
class ProbeTest {
    static final String ROLE = "pgvigil_probe";
    static final String MONITOR_PASSWORD = "Pr0be-S3cret!pw";
    static final String WRONG_PASSWORD = "Wr0ng-S3cret!pw";

    private final Http1Client client;
    private final WebServer server;

    ProbeTest(Http1Client client, WebServer server) {
        this.client = client;
        this.server = server;
    }

    private static MonitoredServer monitored(String major) {
        return MonitoredServer.shared(major, ROLE, MONITOR_PASSWORD);
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        AuthConfig auth = new AuthConfig(Map.of(
                "good", new AuthModule("good", new Credentials.UserPass(ROLE, Secret.of(MONITOR_PASSWORD)),
                                       Map.of("sslmode", "disable")),
                "bad", new AuthModule("bad", new Credentials.UserPass(ROLE, Secret.of(WRONG_PASSWORD)),
                                      Map.of("sslmode", "disable", "dbname", "postgres"))));
        Scraper scraper = new Scraper(ConnectionSource.fresh(), CollectorCatalog.enabledByDefault());
        ExporterRoutes.register(routing, ExporterRoutes.Settings.of("/metrics", new ScraperBacked(scraper), () -> auth, "test"));
    }

    private String probe(String target, String module) {
        var req = client.get("/probe");
        if (target != null) {
            req.queryParam("target", target);
        }
        if (module != null) {
            req.queryParam("auth_module", module);
        }
        try (HttpClientResponse res = req.request()) {
            assertThat(res.status()).isEqualTo(Status.OK_200);
            assertThat(res.headers().first(HeaderNames.CONTENT_TYPE))
                    .contains("text/plain; version=0.0.4; charset=utf-8; escaping=underscores");
            return res.as(String.class);
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void goodTargetAndModuleGivesTheMetrics(String major) {
        String body = probe(monitored(major).target("postgres"), "good");
        assertThat(body).contains("\npg_up 1\n", "# TYPE pg_stat_database_xact_commit counter\n",
                                  "pg_scrape_collector_success{collector=\"locks\"} 1\n",
                                  "# TYPE pg_static untyped\n", "pg_exporter_scrapes_total 1\n");
        assertThat(body).doesNotContain("pg_stat_database_xact_commit_total");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void everyTargetFormReachesTheServer(String major) {
        MonitoredServer mon = monitored(major);
        int port = mon.server().port();
        for (String target : List.of(mon.target("postgres"),
                                     "postgres://127.0.0.1:" + port + "/postgres",
                                     "postgresql://someone:else@127.0.0.1:" + port + "/postgres?sslmode=disable",
                                     "host=127.0.0.1 port=" + port + " dbname=postgres")) {
            assertThat(probe(target, "good")).as(target).contains("\npg_up 1\n");
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void wrongPasswordIs200WithPgUpZeroAndNoLeak(String major) {
        MonitoredServer mon = monitored(major);
        try (LogCapture logs = new LogCapture()) {
            // the right password in the target, unencoded: the module's wrong one must win, and neither may leak
            String body = probe("postgresql://" + ROLE + ":" + MONITOR_PASSWORD + "@" + mon.target("postgres"), "bad");
            assertThat(body).contains("\npg_up 0\n", "\npg_exporter_last_scrape_error 1\n",
                                      "pg_scrape_collector_success{collector=\"database\"} 0\n");
            assertThat(body).doesNotContain(MONITOR_PASSWORD, WRONG_PASSWORD);
            assertThat(logs.lines()).isNotEmpty();
            assertThat(logs.lines()).noneMatch(l -> l.contains(MONITOR_PASSWORD) || l.contains(WRONG_PASSWORD));
        }
    }

    @Test
    void closedPortIs200WithPgUpZero() {
        String body = probe("127.0.0.1:" + ClosedPort.find() + "/postgres", "good");
        assertThat(body).contains("\npg_up 0\n");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void urlEncodedTargetFromPrometheusOverARealSocketWithGzip(String major) throws Exception {
        String target = URLEncoder.encode(monitored(major).target("postgres"), StandardCharsets.UTF_8);
        HttpResponse<byte[]> res = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/probe?target=" + target + "&auth_module=good"))
                        .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
                        .header("Accept-Encoding", "gzip")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Encoding")).contains("gzip");
        assertThat(res.headers().firstValue("Content-Type")).contains(TextFormat.CONTENT_TYPE);
        assertThat(gunzip(res.body())).contains("\npg_up 1\n");
    }

    @Test
    void metricsWithoutDataSourceIsPgUpZero() {
        try (HttpClientResponse res = client.get("/metrics").request()) {
            assertThat(res.status()).isEqualTo(Status.OK_200);
            String body = res.as(String.class);
            assertThat(body).contains("\npg_up 0\n", "pg_exporter_scrapes_total ");
        }
    }

    private static String gunzip(byte[] bytes) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
