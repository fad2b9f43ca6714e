package io.pgvigil.app;

import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts the jlinked image itself ({@code bin/pgvigil}) and scrapes it: a missing {@code requires},
 * {@code uses} or jlink module only shows up here, because the HTTP tests run on the class path.
 */
class ImageSmokeIT {
    private static final String PASSWORD = "Im4ge-Smoke-pw";

    @Test
    void probesEveryMajorAndServesMetricsThenStopsOnSigterm(@TempDir Path dir) throws Exception {
        for (String major : PgServer.majors()) {
            PgServer.shared(major).createRole("pgvigil_image", PASSWORD, "IN ROLE pg_monitor");
        }
        PgServer newest = PgServer.shared(PgServer.majors().getLast());
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
        Map<String, String> env = Map.of("DATA_SOURCE_NAME", "postgresql://pgvigil_image:" + PASSWORD + "@127.0.0.1:"
                                                             + newest.port() + "/postgres?sslmode=disable");
        try (ImageProcess image = ImageProcess.start(dir, env, "--config.file=" + config)) {
            for (String major : PgServer.majors()) {
                PgServer pg = PgServer.shared(major);
                HttpResponse<String> res = image.get("/probe?target=127.0.0.1%3A" + pg.port() + "&auth_module=monitor");
                assertThat(res.statusCode()).isEqualTo(200);
                assertThat(res.body()).as("PG " + major)
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
                                                "\npgvigil_connections_opened_total " + PgServer.majors().size() + "\n",
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
