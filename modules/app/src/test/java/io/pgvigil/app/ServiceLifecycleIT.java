package io.pgvigil.app;

import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image as a service: real signals to the launched process (SIGTERM during a slow scrape, a second
 * SIGTERM, SIGHUP), {@code POST /-/reload} with a good and a broken file, and the health endpoints.
 */
class ServiceLifecycleIT {
    private static final String PASSWORD = "Svc-L1fecycle-pw";
    private static final String NEW_PASSWORD = "Svc-N3w-Module-pw";
    private static final String APP = "pgvigil_svc_it";
    private static MonitoredServer mon;
    private static PgServer pg;

    @BeforeAll
    static void roles() {
        mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), "pgvigil_svc", PASSWORD);
        MonitoredServer.shared(MonitoredServer.majors().getLast(), "pgvigil_svc2", NEW_PASSWORD);
        pg = mon.server();
        pg.execute("postgres", "CREATE TABLE IF NOT EXISTS svc_slow (id int)");
    }

    private static String module(String name, String user, String password) {
        return """
                  %s:
                    type: userpass
                    userpass:
                      username: %s
                      password: %s
                    options:
                      sslmode: disable
                      dbname: postgres
                      application_name: %s
                      lock_timeout: "0"  # only the grace period or the deadline may end a wait on svc_slow
                """.formatted(name, user, password, APP);
    }

    private static String probePath(String module) {
        return ImageProcess.probePath(mon.target(), module);
    }

    /** Backends of this test's exporter on the server, the given one waiting for a lock or all. */
    private static int backends(boolean waitingForLock) {
        return (int) pg.queryDouble("postgres", "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?"
                                                + (waitingForLock ? " AND wait_event_type = 'Lock'" : ""), APP);
    }

    private static void awaitBackends(boolean waitingForLock, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int n;
        while ((n = backends(waitingForLock)) != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(n).as("backends of " + APP + (waitingForLock ? " waiting for a lock" : "")).isEqualTo(expected);
    }

    private static void awaitRefused(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            } catch (ConnectException e) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("port " + port + " still accepts connections");
    }

    /**
     * Holds svc_slow in ACCESS EXCLUSIVE on {@code locker} (its transaction stays open until the test rolls it back)
     * and starts a probe that waits behind it: stat_user_tables waits for pg_table_size(svc_slow).
     */
    private static CompletableFuture<HttpResponse<String>> scrapeBehindLock(ImageProcess image, Connection locker) throws Exception {
        locker.setAutoCommit(false);
        try (Statement st = locker.createStatement()) {
            st.execute("LOCK TABLE svc_slow IN ACCESS EXCLUSIVE MODE");
        }
        CompletableFuture<HttpResponse<String>> scrape = probeAsync(image, "monitor");
        awaitBackends(true, 1);
        return scrape;
    }

    private static CompletableFuture<HttpResponse<String>> probeAsync(ImageProcess image, String module) {
        return HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + image.port() + probePath(module)))
                        .timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private ImageProcess start(Path dir, String... flags) throws Exception {
        Path config = dir.resolve("postgres_exporter.yml");
        Files.writeString(config, "auth_modules:\n" + module("monitor", "pgvigil_svc", PASSWORD));
        String[] all = new String[flags.length + 2];
        all[0] = "--config.file=" + config;
        all[1] = "--collector.stat_user_tables";
        System.arraycopy(flags, 0, all, 2, flags.length);
        return ImageProcess.start(dir, Map.of(), all);
    }

    @Test
    void sigtermLetsTheSlowScrapeFinishThenClosesEveryConnectionAndExitsZero(@TempDir Path dir) throws Exception {
        try (ImageProcess image = start(dir); Connection locker = pg.connectAsSuperuser("postgres")) {
            assertThat(image.get("/-/ready").statusCode()).isEqualTo(200);
            CompletableFuture<HttpResponse<String>> scrape = scrapeBehindLock(image, locker);

            image.signal("TERM");
            image.awaitLog("msg=\"Shutdown requested", 30);
            awaitRefused(image.port()); // no new connections while the scrape is still running
            assertThat(scrape).isNotDone();
            assertThat(image.process().isAlive()).isTrue();

            locker.commit();
            HttpResponse<String> res;
            try {
                res = scrape.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError("the scrape in flight failed: " + e.getCause() + "\n" + image.log(), e);
            }
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).contains("\npg_up 1\n", "pg_scrape_collector_success{collector=\"stat_user_tables\"} 1");
            assertThat(image.process().waitFor(60, TimeUnit.SECONDS)).as("exits after the scrape").isTrue();
            assertThat(image.process().exitValue()).isZero();
            assertThat(image.log()).contains("msg=\"Shutdown finished\"").doesNotContain(PASSWORD);
            awaitBackends(false, 0);
        }
    }

    @Test
    void aScrapeLongerThanTheGracePeriodIsCutAndTheProcessStillExits(@TempDir Path dir) throws Exception {
        try (ImageProcess image = start(dir, "--web.shutdown-grace-period=1s");
             Connection locker = pg.connectAsSuperuser("postgres")) {
            CompletableFuture<HttpResponse<String>> scrape = scrapeBehindLock(image, locker);
            image.signal("TERM");
            // the lock is never released while pgvigil runs: only the grace period can end the wait
            assertThat(image.process().waitFor(60, TimeUnit.SECONDS)).as("exits after the grace period").isTrue();
            assertThat(image.process().exitValue()).isZero();
            assertThat(image.log()).contains("msg=\"Shutdown finished\"");
            assertThat(scrape).failsWithin(Duration.ofSeconds(30));
            locker.rollback();
        }
    }

    @Test
    void aSecondSigtermStopsAtOnce(@TempDir Path dir) throws Exception {
        try (ImageProcess image = start(dir); Connection locker = pg.connectAsSuperuser("postgres")) {
            CompletableFuture<HttpResponse<String>> scrape = scrapeBehindLock(image, locker);
            image.signal("TERM");
            image.awaitLog("msg=\"Shutdown requested", 30);
            image.signal("TERM");
            assertThat(image.process().waitFor(30, TimeUnit.SECONDS)).as("exits on the second signal").isTrue();
            assertThat(image.process().exitValue()).isEqualTo(143);
            assertThat(image.log()).contains("Second signal");
            locker.rollback();
            assertThat(scrape).failsWithin(Duration.ofSeconds(30));
        }
    }

    @Test
    void aReloadDoesNotDisturbAScrapeInFlight(@TempDir Path dir) throws Exception {
        try (ImageProcess image = start(dir); Connection locker = pg.connectAsSuperuser("postgres")) {
            CompletableFuture<HttpResponse<String>> scrape = scrapeBehindLock(image, locker);

            // the module of the scrape in flight goes away, another one comes
            Files.writeString(dir.resolve("postgres_exporter.yml"), "auth_modules:\n" + module("second", "pgvigil_svc2", NEW_PASSWORD));
            assertThat(image.post("/-/reload").statusCode()).isEqualTo(200);
            assertThat(image.get(probePath("monitor")).statusCode()).isEqualTo(400);
            assertThat(scrape).isNotDone();

            locker.commit();
            HttpResponse<String> res = scrape.get(60, TimeUnit.SECONDS);
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).contains("\npg_up 1\n", "pg_scrape_collector_success{collector=\"stat_user_tables\"} 1");
            assertThat(image.get(probePath("second")).body()).contains("\npg_up 1\n");
        }
    }

    @Test
    void sighupAndPostReloadSwapModulesAndKeepTheLastGoodOnError(@TempDir Path dir) throws Exception {
        try (ImageProcess image = start(dir)) {
            Path config = dir.resolve("postgres_exporter.yml");
            assertThat(image.get("/-/healthy").statusCode()).isEqualTo(200);
            assertThat(image.get("/-/ready").statusCode()).isEqualTo(200);
            assertThat(image.get(probePath("second")).statusCode()).isEqualTo(400);

            // SIGHUP: a module is added, the next probe uses it
            Files.writeString(config, "auth_modules:\n" + module("monitor", "pgvigil_svc", PASSWORD)
                                      + module("second", "pgvigil_svc2", NEW_PASSWORD));
            image.signal("HUP");
            image.awaitLog("msg=\"Completed loading of configuration file\"", 30);
            HttpResponse<String> second = image.get(probePath("second"));
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(second.body()).contains("\npg_up 1\n");

            // a broken file: 500 with the reason, the old modules keep working, the gauge says 0
            Files.writeString(config, "auth_modules:\n" + module("monitor", "pgvigil_svc", PASSWORD) + "    bogus: " + PASSWORD + "\n");
            HttpResponse<String> failed = image.post("/-/reload");
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(failed.body()).startsWith("failed to reload config: config file " + config + " is invalid: ")
                    .contains("unknown key \"bogus\"").doesNotContain(PASSWORD);
            assertThat(image.get(probePath("second")).body()).contains("\npg_up 1\n");
            assertThat(image.get("/metrics").body()).contains("\npostgres_exporter_config_last_reload_successful 0\n");

            // a SIGHUP with the broken file changes nothing either
            image.signal("HUP");
            image.awaitLog("msg=\"Error reloading config; keeping the last good configuration\"", 30);
            assertThat(image.get(probePath("second")).body()).contains("\npg_up 1\n");

            // fixed again: 200, the module is gone, the gauge is back to 1
            Files.writeString(config, "auth_modules:\n" + module("monitor", "pgvigil_svc", PASSWORD));
            HttpResponse<String> ok = image.post("/-/reload");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains("1 auth module (monitor)");
            assertThat(image.get(probePath("second")).statusCode()).isEqualTo(400);
            assertThat(image.get("/metrics").body()).contains("\npostgres_exporter_config_last_reload_successful 1\n");
            assertThat(image.log()).doesNotContain(PASSWORD).doesNotContain(NEW_PASSWORD);
        }
    }

    @Test
    void customQueriesOnProbeAndMetricsReloadedBySighupAndPost(@TempDir Path dir) throws Exception {
        Path queries = dir.resolve("queries.yaml");
        String good = "pg_it:\n  query: \"SELECT 'a' AS kind, 7 AS seven\"\n  metrics:\n    - kind:\n        usage: LABEL\n"
                      + "        description: Kind\n    - seven:\n        usage: GAUGE\n        description: Seven\n";
        Files.writeString(queries, good);
        Path config = dir.resolve("postgres_exporter.yml");
        Files.writeString(config, "auth_modules:\n" + module("monitor", "pgvigil_svc", PASSWORD));
        String server = pg.host() + ":" + pg.port();
        String sample = "\npg_it_seven{kind=\"a\",server=\"" + server + "\"} 7\n";
        try (ImageProcess image = ImageProcess.start(dir, Map.of("DATA_SOURCE_NAME", mon.dsn("postgres")),
                                                     "--config.file=" + config, "--extend.query-path=" + queries)) {
            assertThat(image.get(probePath("monitor")).body()).contains("# TYPE pg_it_seven gauge\n", sample,
                    "\npg_exporter_user_queries_load_error{filename=\"" + queries + "\",hashsum=\"");
            assertThat(image.get("/metrics").body()).contains(sample, "\npg_exporter_last_scrape_error 0\n");

            // SIGHUP with a malformed file: logged with file, key and line; the last good queries stay
            Files.writeString(queries, "pg_it:\n  query: \"SELECT 8 AS eight\"\n  cache_seconds: soon\n");
            image.signal("HUP");
            image.awaitLog("msg=\"Failed to reload user queries\"", 30);
            assertThat(image.log()).contains(queries + ": pg_it.cache_seconds", "line 3");
            assertThat(image.get(probePath("monitor")).body()).contains(sample)
                    .containsPattern("\npg_exporter_user_queries_load_error\\{[^}]*} 1\n");
            HttpResponse<String> failed = image.post("/-/reload");
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(failed.body()).contains("custom queries file " + queries + " is invalid", "pg_it.cache_seconds", "line 3");

            // fixed: the new query runs at once
            Files.writeString(queries, good.replace("7 AS seven", "9 AS seven"));
            assertThat(image.post("/-/reload").statusCode()).isEqualTo(200);
            assertThat(image.get("/metrics").body()).contains(sample.replace("} 7", "} 9"))
                    .containsPattern("\npg_exporter_user_queries_load_error\\{[^}]*} 0\n");
        }
    }
}
