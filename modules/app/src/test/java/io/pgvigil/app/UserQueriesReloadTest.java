package io.pgvigil.app;

import io.pgvigil.collectors.Scraper;
import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.http.Lifecycle.ReloadOutcome;
import io.pgvigil.testkit.MonitoredServer;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

import static io.pgvigil.testkit.Snapshots.value;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code --extend.query-path} reloaded with the config (SIGHUP, POST /-/reload): a bad file keeps the last good queries. */
class UserQueriesReloadTest {
    @TempDir
    Path dir;

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void aMalformedFileKeepsTheLastGoodQueriesAndIsReported(String major) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(major);
        ConnectionSpec spec = ConnectionSpec.parse(mon.dsn("postgres"));
        Path config = dir.resolve("postgres_exporter.yml");
        Files.writeString(config, "auth_modules:\n");
        Path file = dir.resolve("queries.yaml");
        String name = file.toString();
        String good = "pg_app:\n  query: \"SELECT 7 AS seven\"\n  metrics:\n    - seven:\n        usage: GAUGE\n        description: Seven\n";
        Files.writeString(file, good);

        Scraper scraper = new Scraper(ConnectionSource.fresh(), Set.of());
        UserQueriesState queries = new UserQueriesState(Optional.of(file), scraper);
        Service service = new Service(config, new ConfigState(), new WebConfigFile(Optional.empty()));
        service.onReload(queries::load);
        assertThat(queries.load()).isEmpty();
        MetricSnapshots m = scraper.scrape(spec);
        assertThat(value(m, "pg_app_seven", "server", mon.server().host() + ":" + mon.server().port())).contains(7.0);
        assertThat(value(m, "pg_exporter_user_queries_load_error", "filename", name, "hashsum", sha256(good))).contains(0.0);

        String bad = "pg_app:\n  query: \"SELECT 8 AS eight\"\n  cache_seconds: soon\n";
        Files.writeString(file, bad);
        ReloadOutcome failed = service.reload();
        assertThat(failed.successful()).isFalse();
        assertThat(failed.message()).contains(name + ": pg_app.cache_seconds", "line 3");
        m = scraper.scrape(spec);
        assertThat(value(m, "pg_app_seven", "server", mon.server().host() + ":" + mon.server().port())).contains(7.0);
        assertThat(value(m, "pg_exporter_user_queries_load_error", "filename", name, "hashsum", sha256(bad))).contains(1.0);
        assertThat(value(m, "pg_exporter_user_queries_load_error", "filename", name, "hashsum", sha256(good))).isEmpty();

        String fixed = "pg_app:\n  query: \"SELECT 8 AS eight\"\n  metrics:\n    - eight:\n        usage: COUNTER\n        description: Eight\n";
        Files.writeString(file, fixed);
        ReloadOutcome ok = service.reload();
        assertThat(ok.successful()).as(ok.message()).isTrue();
        m = scraper.scrape(spec);
        assertThat(value(m, "pg_app_seven", "server", mon.server().host() + ":" + mon.server().port())).isEmpty();
        assertThat(value(m, "pg_app_eight", "server", mon.server().host() + ":" + mon.server().port())).contains(8.0);
        assertThat(value(m, "pg_exporter_user_queries_load_error", "filename", name, "hashsum", sha256(fixed))).contains(0.0);
    }
}
