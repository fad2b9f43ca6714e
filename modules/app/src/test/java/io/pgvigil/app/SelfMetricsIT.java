package io.pgvigil.app;

import io.pgvigil.testkit.MonitoredServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The image's /metrics, default data source and self-metrics together, read back with a strict parser. */
class SelfMetricsIT {
    private static final String PASSWORD = "Self-M3trics-pw";

    private static double value(Map<String, StrictExposition.Family> families, String family, String sample, Map<String, String> labels) {
        return families.get(family).samples().stream()
                .filter(s -> s.name().equals(sample) && s.labels().equals(labels))
                .findFirst().orElseThrow(() -> new AssertionError("no " + sample + labels)).value();
    }

    @Test
    void metricsParseStrictlyAndCarryTheSelfMetrics(@TempDir Path dir) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), "pgvigil_self", PASSWORD);
        Path config = dir.resolve("postgres_exporter.yml");
        Files.writeString(config, """
                auth_modules:
                  m:
                    type: userpass
                    userpass: {username: pgvigil_self, password: %s}
                    options: {sslmode: disable, dbname: postgres}
                """.formatted(PASSWORD));
        Map<String, String> env = Map.of("DATA_SOURCE_NAME", mon.dsn("postgres"));
        try (ImageProcess image = ImageProcess.start(dir, env, "--config.file=" + config)) {
            String probe = image.get(ImageProcess.probePath(mon.target(), "m")).body();
            assertThat(probe).contains("\npg_up 1\n");
            assertThat(StrictExposition.parse(probe).keySet())
                    .noneMatch(n -> n.startsWith("jvm_") || n.startsWith("process_") || n.startsWith("promhttp_")
                                    || n.startsWith("pgvigil_") || n.startsWith("postgres_exporter_"));
            assertThat(image.get("/-/healthy").statusCode()).isEqualTo(200);
            assertThat(image.get("/no/such/path?x=1").statusCode()).isEqualTo(404);
            assertThat(image.get("/metrics").statusCode()).isEqualTo(200);

            String text = image.get("/metrics").body();
            Map<String, StrictExposition.Family> families = StrictExposition.parse(text);

            assertThat(families.keySet()).contains(
                    "pg_up", "postgres_exporter_build_info", "pgvigil_build_info", "postgres_exporter_config_last_reload_successful",
                    "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds",
                    "jvm_memory_bytes_used", "jvm_memory_bytes_committed", "jvm_memory_bytes_max", "jvm_memory_pool_bytes_used",
                    "jvm_gc_collection_seconds", "jvm_threads_current", "jvm_threads_daemon", "jvm_threads_peak",
                    "jvm_threads_started_total", "promhttp_metric_handler_requests_total",
                    "promhttp_metric_handler_requests_in_flight", "pgvigil_http_requests_total", "pgvigil_probe_duration_seconds");
            assertThat(families.get("jvm_gc_collection_seconds").type()).isEqualTo("summary");
            assertThat(families.get("pgvigil_probe_duration_seconds").type()).isEqualTo("histogram");
            assertThat(families.get("jvm_memory_bytes_used").samples().stream().map(s -> s.labels().get("area"))
                               .collect(Collectors.toSet())).isEqualTo(Set.of("heap", "nonheap"));
            assertThat(value(families, "jvm_memory_bytes_used", "jvm_memory_bytes_used", Map.of("area", "heap"))).isPositive();
            assertThat(value(families, "jvm_threads_current", "jvm_threads_current", Map.of())).isPositive();

            var build = families.get("pgvigil_build_info").samples().getFirst().labels();
            assertThat(build.get("java_version")).startsWith("25");
            assertThat(build).containsKeys("version", "revision", "branch");

            assertThat(value(families, "promhttp_metric_handler_requests_total", "promhttp_metric_handler_requests_total",
                             Map.of("code", "200"))).isEqualTo(1);
            assertThat(value(families, "pgvigil_http_requests_total", "pgvigil_http_requests_total",
                             Map.of("code", "200", "handler", "/probe"))).isEqualTo(1);
            assertThat(value(families, "pgvigil_http_requests_total", "pgvigil_http_requests_total",
                             Map.of("code", "404", "handler", "other"))).isEqualTo(1);
            assertThat(value(families, "pgvigil_http_requests_total", "pgvigil_http_requests_total",
                             Map.of("code", "200", "handler", "/-/healthy"))).isEqualTo(1);
            assertThat(value(families, "pgvigil_probe_duration_seconds", "pgvigil_probe_duration_seconds_count", Map.of())).isEqualTo(1);
            assertThat(value(families, "promhttp_metric_handler_requests_in_flight", "promhttp_metric_handler_requests_in_flight",
                             Map.of())).isEqualTo(1);
        }
    }
}
