package io.pgvigil.app;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Filter;
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
import io.pgvigil.http.ServerDatabases;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /discovery} with {@code discovery: {databases: true}} on the application's wiring ({@link PooledDatabases}
 * on the connection pool) against a real server, through a real socket: the databases the module's role sees,
 * filtered by the patterns, a database created or dropped shows after the refresh, a server that refuses
 * connections is skipped while the other is listed, and concurrent requests share one listing per server.
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

    /** The module {@code name}: the closed port and the real server, the test's databases, listed every {@code refresh}. */
    private static AuthConfig auth(String name, String closed, Duration refresh) {
        AuthModule module = new AuthModule(name, new Credentials.UserPass(ROLE, Secret.of(PASSWORD)),
                Map.of("sslmode", "disable"), Optional.of(TargetAllowList.parse(List.of(closed, mon.target()))),
                Optional.empty(), Optional.empty(),
                new DiscoveryOptions(true, List.of("pgvigil_dw.*"), List.of(".*_skip"), refresh));
        return new AuthConfig(Map.of(name, module));
    }

    /** The application's routes on a real socket, {@code /discovery} answered by {@code databases}, after {@code first}. */
    private static WebServer start(PooledSource pool, Cli.Options options, AuthConfig auth, ServerDatabases databases,
                                   Filter first) {
        ScraperScrapes scrapes = new ScraperScrapes(new Scraper(pool, options.collectors(), options.scrape()),
                                                    Optional.empty());
        ExporterRoutes.Settings settings = ExporterRoutes.Settings.of("/metrics", scrapes, () -> auth, "test")
                .withDatabases(databases);
        return WebServer.builder().port(0).host("127.0.0.1").routing((HttpRouting.Builder r) -> {
            r.addFilter(first);
            ExporterRoutes.register(r, settings);
        }).build().start();
    }

    @Test
    void theDatabasesOfEachListedServerAreTargetsAndFollowCreateAndDrop() throws Exception {
        String server = mon.target();
        String closed = "127.0.0.1:" + ClosedPort.find();
        AuthConfig auth = auth("dw", closed, Duration.ofSeconds(1));
        Cli.Options options = new Cli(v -> null).parse();
        try (PooledSource pool = ConnectionSource.pooled(options.pool())) {
            WebServer web = start(pool, options, auth, new PooledDatabases(pool), (chain, req, res) -> chain.proceed());
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

    /**
     * Single flight: 16 requests at once on a cold cache list each server once (the listings counted around the
     * real {@link PooledDatabases}; each listing waits until all 16 requests have reached the exporter, so without the
     * single flight every request would find the cache cold and list for itself). The closed port's failure is shared
     * by the 16 but not kept: the next request asks it again while the real server's list comes from the cache.
     * After the refresh, another 16 at once list each server once more.
     */
    @Test
    void concurrentRequestsOnAColdCacheShareOneListingPerServer() throws Exception {
        String server = mon.target();
        String closed = "127.0.0.1:" + ClosedPort.find();
        Duration refresh = Duration.ofSeconds(3);
        AuthConfig auth = auth("dw_flight", closed, refresh);
        Cli.Options options = new Cli(v -> null).parse();
        int requests = 16;
        AtomicReference<CountDownLatch> arrived = new AtomicReference<>(new CountDownLatch(requests));
        Map<String, AtomicInteger> listings = new ConcurrentHashMap<>();
        try (PooledSource pool = ConnectionSource.pooled(options.pool())) {
            ServerDatabases real = new PooledDatabases(pool);
            ServerDatabases counting = (spec, timeout) -> {
                listings.computeIfAbsent(spec.server(), k -> new AtomicInteger()).incrementAndGet();
                try {
                    arrived.get().await(4, TimeUnit.SECONDS); // below DiscoveryService.TIMEOUT (5 s)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return real.list(spec, timeout);
            };
            WebServer web = start(pool, options, auth, counting, (chain, req, res) -> {
                if (req.path().path().equals("/discovery")) {
                    arrived.get().countDown();
                }
                chain.proceed();
            });
            try {
                List<String> bodies = concurrently(web.port(), "dw_flight", requests);
                assertThat(bodies).hasSize(requests).allSatisfy(body -> assertThat(body)
                        .contains("\"__param_target\":\"" + server + "/pgvigil_dw_one\"").doesNotContain(closed + "/"));
                assertThat(listings.get(server)).as("listings of the real server").hasValue(1);
                assertThat(listings.get(closed)).as("listings of the closed port").hasValue(1);

                assertThat(get(web.port(), "dw_flight")).contains(server + "/pgvigil_dw_one\"");
                assertThat(listings.get(server)).as("the real server's list is kept for the refresh").hasValue(1);
                assertThat(listings.get(closed)).as("a failure is not kept").hasValue(2);

                Thread.sleep(refresh.toMillis() + 100);
                arrived.set(new CountDownLatch(requests));
                assertThat(concurrently(web.port(), "dw_flight", requests)).hasSize(requests)
                        .allSatisfy(body -> assertThat(body).contains(server + "/pgvigil_dw_one\""));
                assertThat(listings.get(server)).as("listings of the real server after the refresh").hasValue(2);
                assertThat(listings.get(closed)).as("listings of the closed port after the refresh").hasValue(3);
            } finally {
                web.stop();
            }
        }
    }

    /** {@code n} GETs of {@code /discovery?auth_module=module} at once; their bodies. */
    private static List<String> concurrently(int port, String module, int n) throws Exception {
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                answers.add(clients.submit(() -> get(port, module)));
            }
            List<String> bodies = new ArrayList<>();
            for (Future<String> answer : answers) {
                bodies.add(answer.get(30, TimeUnit.SECONDS));
            }
            return bodies;
        }
    }
}
