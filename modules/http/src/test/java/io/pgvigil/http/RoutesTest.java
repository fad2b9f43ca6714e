package io.pgvigil.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Endpoint;
import io.pgvigil.dsn.Secret;
import io.pgvigil.exposition.TextFormat;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routes through Helidon's routing without a socket ({@link DirectClient}), with canned snapshots behind
 * {@link Scrapes}: what each route asks the scraper, and what it answers. Real servers are in {@link ProbeTest}.
 */
@RoutingTest
class RoutesTest {
    static final String MONITOR_PASSWORD = "Pr0be-S3cret!pw";
    static final CannedScrapes SCRAPES = new CannedScrapes(CannedScrapes.down());
    private static final MetricSnapshot SELF = GaugeSnapshot.builder().name("pgvigil_self_test").help("A self-metric.")
            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(42).build()).build();

    private final DirectClient client;

    RoutesTest(DirectClient client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        AuthConfig auth = new AuthConfig(Map.of(
                "good", new AuthModule("good", new Credentials.UserPass("pgvigil_probe", Secret.of(MONITOR_PASSWORD)),
                                       Map.of("sslmode", "disable"))));
        ExporterRoutes.register(routing, ExporterRoutes.Settings.of("/metrics", SCRAPES, () -> auth, "test <&>")
                .withSelfMetrics(() -> List.of(SELF)));
    }

    @BeforeEach
    void reset() {
        SCRAPES.reset();
    }

    private static String canned() {
        return new String(TextFormat.render(CannedScrapes.down()).toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void missingOrEmptyTargetIs400() {
        for (var req : List.of(client.get("/probe").queryParam("auth_module", "good"),
                               client.get("/probe").queryParam("target", "").queryParam("auth_module", "good"))) {
            try (HttpClientResponse res = req.request()) {
                assertThat(res.status()).isEqualTo(Status.BAD_REQUEST_400);
                assertThat(res.as(String.class)).isEqualTo("target is required\n");
            }
        }
        assertThat(SCRAPES.calls()).isEmpty();
    }

    @Test
    void unknownModuleIs400() {
        try (HttpClientResponse res = client.get("/probe").queryParam("target", "db:5432/x")
                .queryParam("auth_module", "no_such_module").request()) {
            assertThat(res.status()).isEqualTo(Status.BAD_REQUEST_400);
            assertThat(res.as(String.class)).isEqualTo("auth_module no_such_module not found\n");
        }
        try (HttpClientResponse res = client.get("/probe").queryParam("target", "db:5432/x")
                .queryParam("auth_module", "bad\nline").request()) {
            assertThat(res.as(String.class)).isEqualTo("auth_module bad?line not found\n");
        }
        assertThat(SCRAPES.calls()).isEmpty();
    }

    @Test
    void unsupportedTargetIs400WithoutEchoingSecrets() {
        for (String target : List.of("host=/var/run/postgresql password=" + MONITOR_PASSWORD,
                                     "postgresql://u:" + MONITOR_PASSWORD + "@db:5432/x?nosuchparam=1",
                                     "postgresql://u:" + MONITOR_PASSWORD + "@db:notaport/x",
                                     "db:5432/x?options=-c%20search_path%3Devil,pg_catalog")) {
            try (HttpClientResponse res = client.get("/probe").queryParam("target", target)
                    .queryParam("auth_module", "good").request()) {
                assertThat(res.status()).as(target).isEqualTo(Status.BAD_REQUEST_400);
                String body = res.as(String.class);
                assertThat(body).startsWith("could not configure dsn for target: ").doesNotContain(MONITOR_PASSWORD);
                if (target.contains("options")) {
                    assertThat(body).contains("\"options\" is only accepted in an auth module's options");
                }
            }
        }
        assertThat(SCRAPES.calls()).isEmpty();
    }

    @Test
    void landingPageAndNotFound() {
        Answer landing = Answer.send(client, "GET", "/");
        assertThat(landing.statusCode()).isEqualTo(200);
        assertThat(landing.body()).contains("<title>Postgres Exporter</title>", "href=\"metrics\"", "/probe");
        assertThat(landing.body()).contains("<p>pgvigil test &lt;&amp;&gt;</p>");
        assertThat(landing.headers().firstValue("Content-Type")).contains("text/html; charset=UTF-8");
        Answer missing = Answer.send(client, "GET", "/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("404 page not found\n");
        assertThat(SCRAPES.calls()).isEmpty();
    }

    @Test
    void aProbeScrapesTheTargetWithTheModuleMergedAndSendsItsSnapshots() {
        Answer res = Answer.send(client, "GET", "/probe?target=postgresql%3A%2F%2Fother%3Apw%40db1%3A5433%2Fapp%3Fsslmode%3Drequire"
                                                + "&auth_module=good");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type")).contains(TextFormat.CONTENT_TYPE);
        assertThat(res.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(res.body()).isEqualTo(canned());
        assertThat(SCRAPES.calls()).hasSize(1);
        ConnectionSpec target = SCRAPES.calls().getFirst().target().orElseThrow();
        assertThat(target.endpoints()).containsExactly(new Endpoint("db1", 5433));
        assertThat(target.database()).contains("app");
        assertThat(target.user()).contains("pgvigil_probe");
        assertThat(target.password()).contains(Secret.of(MONITOR_PASSWORD));
        assertThat(target.parameters()).containsEntry("sslmode", "disable");
    }

    @Test
    void theBudgetIsPrometheusTimeoutLessTheOffset() {
        Map<String, Duration> expected = Map.of("10", Duration.ofMillis(9500), "0.75", Duration.ofMillis(250),
                                                "0.2", Duration.ofMillis(1), "soon", ChronoUnit.FOREVER.getDuration(),
                                                "-3", ChronoUnit.FOREVER.getDuration(), "Infinity", ChronoUnit.FOREVER.getDuration());
        expected.forEach((header, budget) -> {
            for (String path : List.of("/probe?target=db1&auth_module=good", "/metrics")) {
                SCRAPES.reset();
                assertThat(Answer.send(client, "GET", path, "X-Prometheus-Scrape-Timeout-Seconds", header).statusCode()).isEqualTo(200);
                assertThat(SCRAPES.calls()).as(path + " " + header).singleElement()
                        .extracting(CannedScrapes.Call::budget).isEqualTo(budget);
            }
        });
        SCRAPES.reset();
        Answer.send(client, "GET", "/metrics");
        assertThat(SCRAPES.calls()).singleElement().extracting(CannedScrapes.Call::budget).isEqualTo(ChronoUnit.FOREVER.getDuration());
    }

    @Test
    void metricsHasTheDefaultSourceSelfMetricsAndTheHttpLayersOwn() {
        Answer.send(client, "GET", "/probe?target=db1&auth_module=good");
        Answer.send(client, "GET", "/nope-4711");
        Answer res = Answer.send(client, "GET", "/metrics");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type")).contains(TextFormat.CONTENT_TYPE);
        assertThat(SCRAPES.calls()).hasSize(2);
        assertThat(SCRAPES.calls().get(0).target()).isPresent();
        assertThat(SCRAPES.calls().get(1).target()).isEmpty();
        String body = res.body();
        assertThat(body).contains("\npg_up 0\n", "\npgvigil_self_test 42\n",
                                  "\npromhttp_metric_handler_requests_in_flight 1\n",
                                  "\npgvigil_probe_duration_seconds_count ",
                                  "pgvigil_http_requests_total{code=\"200\",handler=\"/probe\"} ",
                                  "pgvigil_http_requests_total{code=\"404\",handler=\"other\"} ");
        assertThat(body).doesNotContain("nope-4711");
    }

    @Test
    void gzipWhenAcceptedAndNotWhenRefused() throws IOException {
        String plain = Answer.send(client, "GET", "/probe?target=db1&auth_module=good").body();
        for (String accept : List.of("gzip", "deflate, gzip;q=0.5", "GZIP")) {
            Answer gz = Answer.send(client, "GET", "/probe?target=db1&auth_module=good", "Accept-Encoding", accept);
            assertThat(gz.headers().firstValue(HeaderNames.CONTENT_ENCODING.defaultCase())).as(accept).contains("gzip");
            assertThat(gunzip(gz.bytes())).as(accept).isEqualTo(plain);
        }
        for (String refuse : List.of("gzip;q=0", "gzip; q=0.0", "deflate", "identity")) {
            Answer res = Answer.send(client, "GET", "/probe?target=db1&auth_module=good", "Accept-Encoding", refuse);
            assertThat(res.headers().firstValue(HeaderNames.CONTENT_ENCODING.defaultCase())).as(refuse).isEmpty();
            assertThat(res.body()).as(refuse).isEqualTo(plain);
        }
    }

    private static String gunzip(byte[] bytes) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
