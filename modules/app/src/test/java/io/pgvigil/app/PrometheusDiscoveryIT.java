package io.pgvigil.app;

import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Prometheus finds its targets through the image's {@code /discovery} ({@code http_sd_configs}, refreshed
 * every 2 s) with an auth module that lists every database of its server: the job is only {@code metrics_path} and
 * the URL. A database created while it runs is scraped ({@code pg_up 1} with that instance) soon after; a dropped
 * one leaves Prometheus' active targets. How soon is printed: Prometheus hands discovered targets to its scrape
 * manager at most every 5 s, so the bound is the SD refresh + those 5 s + pgvigil's refresh + a scrape interval.
 */
class PrometheusDiscoveryIT {
    private static final String PASSWORD = "Pa55-sd-prom";
    /** SD refresh 2 s + Prometheus' 5 s hand-over + pgvigil's 1 s cache + 2 s scrape interval, with slack for 2 cores. */
    private static final long BOUND_SECONDS = 20;

    @Test
    void aCreatedDatabaseIsScrapedAndADroppedOneLeavesTheTargets(@TempDir Path dir) throws Exception {
        Optional<Path> binary = PrometheusProcess.binary();
        assumeTrue(binary.isPresent(), "no prometheus binary on the PATH or in .tools/");
        MonitoredServer mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), "prom_sd", PASSWORD);
        PgServer pg = mon.server();
        pg.createDatabase("prom_sd_1", null);
        pg.createDatabase("prom_sd_2", null);
        pg.execute("postgres", "DROP DATABASE IF EXISTS prom_sd_new WITH (FORCE)");
        Path config = dir.resolve("postgres_exporter.yml");
        Files.writeString(config, """
                auth_modules:
                  mod_sd:
                    type: userpass
                    userpass: {username: prom_sd, password: %s}
                    options: {sslmode: disable}
                    targets: ["%s"]
                    discovery:
                      databases: true
                      include: ["prom_sd_.*"]
                      refresh: 1s
                """.formatted(PASSWORD, mon.target()));
        try (ImageProcess image = ImageProcess.start(dir, Map.of(), "--config.file=" + config);
             PrometheusProcess prom = PrometheusProcess.start(binary.get(), dir,
                     PrometheusProcess.discoveryJob("pg_sd", image.port(), "mod_sd"))) {
            String one = mon.target("prom_sd_1");
            String added = mon.target("prom_sd_new");
            awaitValue(prom, "pg_up{job=\"pg_sd\",instance=\"" + one + "\"}", "1", 60);
            // Each target has its own offset in the scrape interval: wait for the other one's first scrape too.
            awaitValue(prom, "pg_up{job=\"pg_sd\",instance=\"" + mon.target("prom_sd_2") + "\"}", "1", 10);
            assertThat(prom.query("count(pg_up{job=\"pg_sd\"})")).as("only the included databases").contains("2");

            long created = System.nanoTime();
            pg.createDatabase("prom_sd_new", null);
            awaitValue(prom, "pg_up{job=\"pg_sd\",instance=\"" + added + "\"}", "1", BOUND_SECONDS);
            System.out.printf("PrometheusDiscoveryIT: a created database was scraped (pg_up 1) after %.1f s%n",
                              (System.nanoTime() - created) / 1e9);

            long dropped = System.nanoTime();
            pg.execute("postgres", "DROP DATABASE prom_sd_new WITH (FORCE)");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
            String targets = prom.api("/api/v1/targets?state=active");
            while (targets.contains("\"" + added + "\"") && System.nanoTime() < deadline) {
                Thread.sleep(250);
                targets = prom.api("/api/v1/targets?state=active");
            }
            assertThat(targets).as("active targets").doesNotContain("\"" + added + "\"").contains("\"" + one + "\"");
            System.out.printf("PrometheusDiscoveryIT: a dropped database left the active targets after %.1f s%n",
                              (System.nanoTime() - dropped) / 1e9);
            assertThat(image.log()).doesNotContain(PASSWORD);
        }
    }

    /** Polls an instant query until it has {@code value}, at most {@code seconds}. */
    static void awaitValue(PrometheusProcess prom, String promql, String value, long seconds)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Optional<String> seen = Optional.empty();
        while (System.nanoTime() < deadline) {
            try {
                seen = prom.query(promql);
            } catch (IOException e) {
                seen = Optional.empty(); // still starting
            }
            if (seen.equals(Optional.of(value))) {
                return;
            }
            Thread.sleep(250);
        }
        assertThat(seen).as(promql + " within " + seconds + " s; Prometheus log:\n" + prom.log()).contains(value);
    }
}
