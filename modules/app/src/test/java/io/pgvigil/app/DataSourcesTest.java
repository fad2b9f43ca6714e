package io.pgvigil.app;

import io.pgvigil.dsn.ConnectionSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataSourcesTest {
    private static Optional<ConnectionSpec> resolve(Map<String, String> env) {
        return DataSources.fromEnvironment(env::get);
    }

    @Test
    void nothingConfiguredIsProbeOnlyMode() {
        assertThat(resolve(Map.of())).isEmpty();
    }

    @Test
    void dataSourceNameWinsAndOnlyTheFirstIsUsed() {
        Optional<ConnectionSpec> spec = resolve(Map.of(
                "DATA_SOURCE_NAME", "postgresql://a:pw1@db1:5433/one?sslmode=disable,postgresql://b:pw2@db2/two",
                "DATA_SOURCE_URI", "ignored:1/x"));
        assertThat(spec).isPresent();
        assertThat(spec.get().user()).contains("a");
        assertThat(spec.get().endpoints().getFirst().host()).isEqualTo("db1");
        assertThat(spec.get().redacted()).doesNotContain("pw1");
    }

    @Test
    void multiHostUrlsAndHostListsAreNotSplit() {
        assertThat(resolve(Map.of("DATA_SOURCE_NAME", "postgresql://u@h1:5432,h2:5433/app")).orElseThrow().endpoints())
                .hasSize(2);
        assertThat(resolve(Map.of("DATA_SOURCE_NAME", "host=h1,h2 dbname=app user=u")).orElseThrow().endpoints())
                .hasSize(2);
    }

    @Test
    void uriWithUserAndPasswordFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("user"), "monitor\n");
        Files.writeString(dir.resolve("pass"), "s3cr:t@/x\n");
        Map<String, String> env = new HashMap<>();
        env.put("DATA_SOURCE_URI", "db:5432/app?sslmode=disable");
        env.put("DATA_SOURCE_USER", "overridden");
        env.put("DATA_SOURCE_USER_FILE", dir.resolve("user").toString());
        env.put("DATA_SOURCE_PASS_FILE", dir.resolve("pass").toString());
        ConnectionSpec spec = resolve(env).orElseThrow();
        assertThat(spec.user()).contains("monitor");
        assertThat(spec.password().orElseThrow().reveal()).isEqualTo("s3cr:t@/x");
        assertThat(spec.database()).contains("app");
    }

    @Test
    void unreadableFileIsFatalWithoutLeakingContents(@TempDir Path dir) {
        assertThatThrownBy(() -> resolve(Map.of("DATA_SOURCE_URI", "db/x",
                                                "DATA_SOURCE_PASS_FILE", dir.resolve("missing").toString())))
                .isInstanceOf(DataSources.DataSourceException.class)
                .hasMessageContaining("DATA_SOURCE_PASS_FILE");
    }
}
