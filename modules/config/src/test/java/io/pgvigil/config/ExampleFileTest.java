package io.pgvigil.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The example in {@code config/} loads, with its variables set, so a copy-paste starts from a valid file. */
class ExampleFileTest {
    @Test
    void theExampleLoads() {
        Path example = Path.of("../../config/postgres_exporter.yml.example");
        LoadResult result = ConfigLoader.load(example, Environment.of(Map.of(
                "PG_MONITOR_USER", "monitor", "PG_MONITOR_PASSWORD", "from-env")));
        assertThat(result).isInstanceOf(LoadResult.Loaded.class);
        assertThat(result.config().modules()).containsOnlyKeys("prod_db", "k8s_db", "rotated_db", "lab_db");

        LoadResult unset = ConfigLoader.load(example, Environment.of(Map.of()));
        assertThat(unset).isInstanceOf(LoadResult.Invalid.class);
        assertThat(((LoadResult.Invalid) unset).errors()).hasSize(2)
                .allMatch(e -> e.contains("auth_modules.k8s_db.userpass."));
    }
}
