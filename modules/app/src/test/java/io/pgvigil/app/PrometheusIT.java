package io.pgvigil.app;

import io.pgvigil.testkit.MonitoredServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Prometheus (Debian's package) scrapes the jlinked image with the upstream relabelling example:
 * two targets through two auth modules record {@code pg_up 1}; a wrong password records {@code up 1},
 * {@code pg_up 0}. Runs when a {@code prometheus} binary is on the PATH or fetched by {@code scripts/bootstrap}.
 */
class PrometheusIT {

    /** A sample of pgvigil's own /metrics, 0 when absent. */
    private static double selfMetric(int port, String series) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        return r.body().lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1))).orElse(0.0);
    }

    private static String job(String name, String module, String target, int exporterPort) {
        return """
                  - job_name: %s
                    metrics_path: /probe
                    params:
                      auth_module: [%s]
                    static_configs:
                      - targets: ['%s']
                    relabel_configs:
                      - source_labels: [__address__]
                        target_label: __param_target
                      - source_labels: [__param_target]
                        target_label: instance
                      - target_label: __address__
                        replacement: 127.0.0.1:%d
                """.formatted(name, module, target, exporterPort);
    }

    @Test
    void prometheusScrapesTwoTargetsThroughTwoModulesAndSeesTheWrongPassword(@TempDir Path dir) throws Exception {
        Optional<Path> binary = PrometheusProcess.binary();
        assumeTrue(binary.isPresent(), "no prometheus binary on the PATH or in .tools/");
        MonitoredServer oldest = MonitoredServer.shared(MonitoredServer.majors().getFirst(), "prom_a", "Pa55-a-prom");
        MonitoredServer newest = MonitoredServer.shared(MonitoredServer.majors().getLast(), "prom_b", "Pa55-b-prom");
        // Enough databases that pg_locks_count (9 modes a database) is large enough for the render cache.
        for (int i = 1; i <= 3; i++) {
            newest.server().createDatabase("prom_extra_" + i, null);
        }
        Path config = dir.resolve("postgres_exporter.yml");
        Files.writeString(config, """
                auth_modules:
                  mod_a:
                    type: userpass
                    userpass: {username: prom_a, password: Pa55-a-prom}
                    options: {sslmode: disable}
                  mod_b:
                    type: userpass
                    userpass: {username: prom_b, password: Pa55-b-prom}
                    options: {sslmode: disable}
                  mod_wrong:
                    type: userpass
                    userpass: {username: prom_b, password: not-the-password}
                    options: {sslmode: disable}
                """);
        try (ImageProcess image = ImageProcess.start(dir, Map.of(), "--config.file=" + config)) {
            PrometheusProcess prom = PrometheusProcess.start(binary.get(), dir,
                    "global:\n  scrape_interval: 2s\n  scrape_timeout: 2s\nscrape_configs:\n"
                    + job("pg_a", "mod_a", oldest.target("postgres"), image.port())
                    + job("pg_b", "mod_b", newest.target("postgres"), image.port())
                    + job("pg_wrong", "mod_wrong", newest.target("postgres"), image.port())
                    // Same server and module as pg_b, another database: shares pg_b's server-wide
                    // part, so its gzip pages are spliced from cached pieces (exposition.Page, SplicedGzip).
                    + job("pg_b2", "mod_b", newest.target("template1"), image.port()));
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                Map<String, Optional<String>> seen = Map.of();
                while (System.nanoTime() < deadline) {
                    Thread.sleep(1000);
                    try {
                        seen = Map.of("a", prom.query("pg_up{job=\"pg_a\"}"),
                                      "b", prom.query("pg_up{job=\"pg_b\"}"),
                                      "wrong", prom.query("pg_up{job=\"pg_wrong\"}"),
                                      "wrong_up", prom.query("up{job=\"pg_wrong\"}"));
                    } catch (IOException e) {
                        continue; // Prometheus still starting
                    }
                    if (seen.values().stream().allMatch(Optional::isPresent)) {
                        break;
                    }
                }
                assertThat(seen).as("Prometheus log:\n" + prom.log())
                        .containsEntry("a", Optional.of("1"))
                        .containsEntry("b", Optional.of("1"))
                        .containsEntry("wrong", Optional.of("0"))
                        .containsEntry("wrong_up", Optional.of("1"));
                assertThat(prom.query("count(pg_stat_database_xact_commit{job=\"pg_b\"})")).isPresent();

                // Go's gzip reader (Prometheus') takes the spliced pages: scrapes that shared go on being ingested.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                double fresh = 0;
                while (fresh < 3 && System.nanoTime() < until) {
                    Thread.sleep(500);
                    fresh = selfMetric(image.port(), "pgvigil_server_wide_results_total{result=\"fresh\"}");
                }
                assertThat(fresh).as("scrapes that took a shared server-wide part").isGreaterThanOrEqualTo(3);
                Thread.sleep(2500); // one more scrape interval, all of it with shared parts
                assertThat(prom.query("up{job=\"pg_b2\"}")).contains("1");
                assertThat(prom.query("up{job=\"pg_b\"}")).contains("1");
                assertThat(prom.query("pg_up{job=\"pg_b2\"}")).contains("1");
                assertThat(prom.query("count(pg_locks_count{job=\"pg_b2\"})")).isPresent();
            } finally {
                prom.close();
            }
            assertThat(image.log()).doesNotContain("Pa55-a-prom", "Pa55-b-prom", "not-the-password");
        }
    }
}
