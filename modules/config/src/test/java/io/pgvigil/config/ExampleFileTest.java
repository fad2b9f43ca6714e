package io.pgvigil.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example in {@code config/} loads, with its variables set and its certificate files present, so a copy-paste
 * starts from a valid file; and every module in it shows an allow-list, so the example never teaches the WARN case.
 */
class ExampleFileTest {
    private static final Path EXAMPLE = Path.of("../../config/postgres_exporter.yml.example");
    private static final Environment ENV = Environment.of(Map.of(
            "PG_MONITOR_USER", "monitor", "PG_MONITOR_PASSWORD", "from-env"));

    @TempDir
    Path dir;

    /** The example with its {@code /etc/pgvigil/} files replaced by readable files of this test. */
    private Path withFiles() throws IOException {
        for (String name : new String[] {"monitor.crt", "monitor.key", "ca.pem"}) {
            Files.writeString(dir.resolve(name), "not parsed at load\n");
        }
        Path copy = dir.resolve("postgres_exporter.yml");
        Files.writeString(copy, Files.readString(EXAMPLE).replace("/etc/pgvigil/", dir + "/"));
        return copy;
    }

    @Test
    void theExampleLoads() throws IOException {
        Path example = withFiles();
        LoadResult result = ConfigLoader.load(example, ENV);
        assertThat(result).isInstanceOf(LoadResult.Loaded.class);
        assertThat(result.config().modules()).containsOnlyKeys(
                "prod_db", "cert_db", "password_and_cert", "k8s_db", "rotated_db", "fleet_db", "lab_db", "fleet");
        assertThat(result.config().module("fleet_db").orElseThrow().serverWide()).contains(io.pgvigil.dsn.ServerWide.ONCE);
        assertThat(result.config().modules().get("fleet").discovery().databases()).isTrue();
        assertThat(result.config().modules().values()).allSatisfy(m -> assertThat(m.targets()).as(m.name()).isPresent());

        LoadResult unset = ConfigLoader.load(example, Environment.of(Map.of()));
        assertThat(unset).isInstanceOf(LoadResult.Invalid.class);
        assertThat(((LoadResult.Invalid) unset).errors()).hasSize(2)
                .allMatch(e -> e.contains("auth_modules.k8s_db.userpass."));
    }
}
