package io.pgvigil.app;

import io.pgvigil.testkit.MonitoredServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts the jlinked image itself ({@code bin/pgvigil}) and scrapes it: a missing {@code requires},
 * {@code uses} or jlink module only shows up here, because the HTTP tests run on the class path.
 */
class ImageSmokeIT {
    private static final String ROLE = "pgvigil_image";
    private static final String PASSWORD = "Im4ge-Smoke-pw";

    @Test
    void probesEveryMajorAndServesMetricsThenStopsOnSigterm(@TempDir Path dir) throws Exception {
        List<MonitoredServer> servers = MonitoredServer.majors().stream()
                .map(major -> MonitoredServer.shared(major, ROLE, PASSWORD)).toList();
        Path config = dir.resolve("postgres_exporter.yml");
        Files.writeString(config, """
                auth_modules:
                  monitor:
                    type: userpass
                    userpass:
                      username: pgvigil_image
                      password: %s
                    options:
                      sslmode: disable
                      dbname: postgres
                """.formatted(PASSWORD));
        Map<String, String> env = Map.of("DATA_SOURCE_NAME", servers.getLast().dsn("postgres"));
        try (ImageProcess image = ImageProcess.start(dir, env, "--config.file=" + config)) {
            for (MonitoredServer mon : servers) {
                HttpResponse<String> res = image.get(ImageProcess.probePath(mon.target(), "monitor"));
                assertThat(res.statusCode()).isEqualTo(200);
                assertThat(res.body()).as("PG " + mon.server().majorVersion())
                        .contains("\npg_up 1\n", "pg_scrape_collector_success{collector=\"stat_database\"} 1");
            }
            HttpResponse<String> metrics = image.get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("\npg_up 1\n", "process_resident_memory_bytes ",
                                                "postgres_exporter_config_last_reload_successful 1",
                                                "postgres_exporter_build_info{");
            // One session per target, kept: /metrics' default data source equals the newest probe's target and
            // reuses its connection, and no other session is opened.
            assertThat(metrics.body()).contains("\npgvigil_connections_max 100\n",
                                                "\npgvigil_connections_opened_total " + servers.size() + "\n",
                                                "\npgvigil_connection_reuses_total 1\n",
                                                "pgvigil_connections_closed_total{reason=\"broken\"} 0\n");
            assertThat(image.get("/probe?auth_module=monitor").statusCode()).isEqualTo(400);

            image.process().destroy(); // SIGTERM to the launcher, which exec'd java: the JVM itself gets it
            assertThat(image.process().waitFor(20, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
            assertThat(image.process().exitValue()).isIn(0, 143);
            String output = image.log();
            assertThat(output).contains("msg=\"Configured auth module\" module=monitor");
            assertThat(output).doesNotContain(PASSWORD);
        }
    }
}
