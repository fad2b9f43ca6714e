package io.pgvigil.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserQueriesLoaderTest {
    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        Path f = dir.resolve("queries.yaml");
        Files.writeString(f, text);
        return f;
    }

    private UserQueriesFile loaded(String text) throws IOException {
        UserQueriesResult r = UserQueriesLoader.load(write(text));
        assertThat(r).isInstanceOf(UserQueriesResult.Loaded.class);
        return ((UserQueriesResult.Loaded) r).queries();
    }

    private List<String> errors(String text) throws IOException {
        UserQueriesResult r = UserQueriesLoader.load(write(text));
        assertThat(r).isInstanceOf(UserQueriesResult.Failed.class);
        return ((UserQueriesResult.Failed) r).errors();
    }

    @Test
    void readsEveryFieldAsUpstream() throws Exception {
        String text = """
                pg_a:
                  query: "SELECT 1 AS x, 'l' AS lab"
                  master: yes
                  cache_seconds: 30
                  runonserver: ">=14.0.0 <17.0.0"
                  metrics:
                    - lab:
                        usage: "LABEL"
                        description: "A label"
                    - x:
                        usage: "COUNTER"
                        description: "X"
                      y:
                        usage: "DURATION"
                        description: "Y"
                    - z:
                        usage: "WHATEVER"
                    - h:
                        usage: "HISTOGRAM"
                        description: "H"
                        metric_mapping: {a: 1}
                        pg_version: ">=9.0.0"
                  unknown_key: ignored, as upstream
                pg_b:
                """;
        UserQueriesFile f = loaded(text);
        assertThat(f.sha256()).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))));
        assertThat(f.namespaces()).hasSize(2);
        UserQueriesFile.Namespace a = f.namespaces().get(0);
        assertThat(a.name()).isEqualTo("pg_a");
        assertThat(a.query()).isEqualTo("SELECT 1 AS x, 'l' AS lab");
        assertThat(a.master()).isTrue();
        assertThat(a.cacheSeconds()).isEqualTo(30);
        assertThat(a.line()).isEqualTo(1);
        assertThat(a.runOnServer()).map(VersionRange::toString).contains(">=14.0.0 <17.0.0");
        assertThat(a.columns()).extracting(UserQueriesFile.Column::name).containsExactly("lab", "x", "y", "z", "h");
        assertThat(a.columns()).extracting(UserQueriesFile.Column::usage)
                .containsExactly("LABEL", "COUNTER", "DURATION", "DISCARD", "HISTOGRAM");
        assertThat(a.columns().get(1).description()).isEqualTo("X");
        assertThat(f.warnings()).singleElement().asString().contains("pg_a.metrics[2].z.usage", "WHATEVER", "line 17");
        UserQueriesFile.Namespace b = f.namespaces().get(1);
        assertThat(b.query()).isEmpty();
        assertThat(b.master()).isFalse();
        assertThat(b.cacheSeconds()).isZero();
        assertThat(b.runOnServer()).isEmpty();
    }

    @Test
    void anEmptyFileHasNoNamespaces() throws Exception {
        assertThat(loaded("").namespaces()).isEmpty();
        assertThat(loaded("# only a comment\n").namespaces()).isEmpty();
    }

    @Test
    void problemsNameFileKeyAndLine() throws Exception {
        List<String> e = errors("""
                pg_a:
                  query: "SELECT 1"
                  cache_seconds: -5
                  master: maybe
                  metrics:
                    - x:
                        usage: "GAUGE"
                pg_b:
                  runonserver: ">=banana"
                  metrics: {x: 1}
                "bad-name":
                  query: "SELECT 1"
                pg_c:
                  metrics:
                    - "server":
                        usage: "LABEL"
                    - "a-b":
                        usage: "GAUGE"
                """);
        String file = dir.resolve("queries.yaml").toString();
        assertThat(e).allSatisfy(m -> assertThat(m).startsWith(file + ": "));
        assertThat(e).anySatisfy(m -> assertThat(m).contains("pg_a.cache_seconds", "line 3"));
        assertThat(e).anySatisfy(m -> assertThat(m).contains("pg_a.master", "line 4"));
        assertThat(e).anySatisfy(m -> assertThat(m).contains("pg_b.runonserver", ">=banana", "line 9"));
        assertThat(e).anySatisfy(m -> assertThat(m).contains("pg_b.metrics", "list", "line 10"));
        assertThat(e).anySatisfy(m -> assertThat(m).contains("bad-name", "metric name prefix", "line 11"));
        assertThat(e).anySatisfy(m -> assertThat(m).contains("pg_c.metrics[0].server", "label name", "line 15"));
        assertThat(e).anySatisfy(m -> assertThat(m).contains("pg_c.metrics[1].a-b", "pg_c_a-b", "line 17"));
        assertThat(e).hasSize(7);
    }

    @Test
    void syntaxErrorsAndMissingFiles() throws Exception {
        assertThat(errors("pg_a:\n  query: [unclosed\n")).singleElement().asString().contains("YAML syntax error", "line");
        assertThat(errors("- a\n- b\n")).singleElement().asString().contains("top level", "line 1");
        UserQueriesResult missing = UserQueriesLoader.load(dir.resolve("nope.yaml"));
        assertThat(missing).isInstanceOfSatisfying(UserQueriesResult.Failed.class, f -> {
            assertThat(f.sha256()).isEmpty();
            assertThat(f.errors()).singleElement().asString().contains("nope.yaml", "not found");
        });
        Files.writeString(dir.resolve("queries.yaml"), "pg_a:\n  query: 1\n  metrics: 3\n");
        UserQueriesResult bad = UserQueriesLoader.load(dir.resolve("queries.yaml"));
        assertThat(bad).isInstanceOfSatisfying(UserQueriesResult.Failed.class, f -> assertThat(f.sha256()).hasSize(64));
    }

    @Test
    void versionRanges() {
        VersionRange r = VersionRange.parse(">=10.0.0 <13.0.0 || >=15.0.0");
        assertThat(r.includes("12.22.0")).isTrue();
        assertThat(r.includes("13.0.0")).isFalse();
        assertThat(r.includes("14.9.0")).isFalse();
        assertThat(r.includes("15.0.0")).isTrue();
        assertThat(VersionRange.parse("<=13.x").includes("13.99.0")).isTrue();
        assertThat(VersionRange.parse("<=13.x").includes("14.0.0")).isFalse();
        assertThat(VersionRange.parse(">13.x").includes("13.5.0")).isFalse();
        assertThat(VersionRange.parse(">13.x").includes("14.0.0")).isTrue();
        assertThat(VersionRange.parse("16").includes("16.2.0")).isTrue();
        assertThat(VersionRange.parse("=16.1.0").includes("16.2.0")).isFalse();
        assertThat(VersionRange.parse("!=16.x").includes("16.2.0")).isFalse();
        assertThat(VersionRange.parse("!16.x").includes("17.0.0")).isTrue();
        assertThat(VersionRange.parse(">= 14.0.0").includes("14.0.0")).isTrue();
        assertThatThrownBy(() -> VersionRange.parse(">=14.0.0 ||")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VersionRange.parse("~14")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("~14");
        assertThat(Optional.of(VersionRange.parse("<14.0.0"))).contains(VersionRange.parse("<14.0.0"));
    }
}
