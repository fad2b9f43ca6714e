package io.pgvigil.collectors;

import io.pgvigil.config.UserQueriesFile;
import io.pgvigil.config.UserQueriesLoader;
import io.pgvigil.config.UserQueriesResult;
import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import io.pgvigil.testkit.Snapshots.Shape;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URISyntaxException;
import java.sql.Connection;
import java.sql.SQLException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.pgvigil.testkit.Snapshots.bucket;
import static io.pgvigil.testkit.Snapshots.family;
import static io.pgvigil.testkit.Snapshots.histogram;
import static io.pgvigil.testkit.Snapshots.labelValues;
import static io.pgvigil.testkit.Snapshots.shapes;
import static io.pgvigil.testkit.Snapshots.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Custom queries ({@code --extend.query-path}) on every major: every usage, the Debian example file, caching, errors. */
class UserQueriesTest {
    private static final String HELP_UNKNOWN = "Unknown metric from pg_custom";

    /** The same mapping the application does from the config module's file to the scraper's queries. */
    static UserQueries fromFile(String resource) {
        Path file;
        try {
            file = Path.of(UserQueriesTest.class.getResource(resource).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        UserQueriesResult r = UserQueriesLoader.load(file);
        assertThat(r).as("%s", r).isInstanceOf(UserQueriesResult.Loaded.class);
        UserQueriesFile f = ((UserQueriesResult.Loaded) r).queries();
        return new UserQueries(f.namespaces().stream().map(ns -> new UserQueries.Namespace(
                ns.name(), ns.query(), ns.master(), Duration.ofSeconds(ns.cacheSeconds()),
                v -> ns.runOnServer().map(range -> range.includes(v)).orElse(true),
                ns.columns().stream().map(c -> new UserQueries.Column(c.name(), UserQueries.Usage.valueOf(c.usage()), c.description()))
                        .toList())).toList(),
                Optional.of(new UserQueries.Status(file.toString(), f.sha256(), false)));
    }

    private static Scraper scraper(ConnectionSource source, LegacyOptions legacy, UserQueries queries) {
        Scraper s = new Scraper(source, Set.of(), new ScrapeOptions(CollectorOptions.defaults(), legacy, Duration.ofSeconds(30)));
        s.userQueries(queries);
        return s;
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void everyUsageAsUpstream(String major) {
        MonitoredServer mon = MonitoredServer.shared(major);
        PgServer pg = mon.server();
        ConnectionSpec spec = ConnectionSpec.parse(mon.dsn("postgres"));
        String server = pg.host() + ":" + pg.port();
        UserQueries queries = fromFile("all-usages.yaml");
        MetricSnapshots m = scraper(ConnectionSource.fresh(), LegacyOptions.defaults(), queries).scrape(spec);

        assertThat(value(m, "pg_up")).contains(1.0);
        // pg_broken and pg_write fail; everything else still reports.
        assertThat(value(m, "pg_exporter_last_scrape_error")).contains(1.0);
        assertThat(value(m, "pg_exporter_user_queries_load_error", "filename", queries.status().orElseThrow().filename(),
                         "hashsum", queries.status().orElseThrow().hashsum())).contains(0.0);
        Map<String, Shape> shapes = shapes(m);
        List<String> labels = List.of("kind", "server");
        assertThat(shapes).containsEntry("pg_custom_counted", new Shape("counter", labels))
                .containsEntry("pg_custom_level", new Shape("gauge", labels))
                .containsEntry("pg_custom_took_milliseconds", new Shape("gauge", labels))
                .containsEntry("pg_custom_latency", new Shape("histogram", labels))
                .containsEntry("pg_custom_stamp", new Shape("gauge", labels))
                .containsEntry("pg_custom_extra", new Shape("untyped", labels))
                .containsEntry("pg_custom_missing", new Shape("untyped", labels))
                .containsEntry("pg_custom_flag", new Shape("untyped", labels))
                .containsEntry("pg_cached_value", new Shape("gauge", List.of("server")));
        assertThat(shapes).doesNotContainKeys("pg_custom_kind", "pg_custom_ignored", "pg_custom_mapped", "pg_custom_chatter",
                "pg_custom_latency_bucket", "pg_custom_latency_sum", "pg_custom_latency_count",
                "pg_custom_took", "pg_broken_x", "pg_write_a");
        assertThat(family(m, "pg_custom_counted").orElseThrow().getMetadata().getHelp()).isEqualTo("A counter");
        assertThat(family(m, "pg_custom_extra").orElseThrow().getMetadata().getHelp()).isEqualTo(HELP_UNKNOWN);

        assertThat(value(m, "pg_custom_counted", "kind", "alpha", "server", server)).contains(42.0);
        assertThat(value(m, "pg_custom_counted", "kind", "beta", "server", server)).contains(1.0);
        assertThat(value(m, "pg_custom_level", "kind", "beta", "server", server)).contains(-1.0);
        assertThat(value(m, "pg_custom_took_milliseconds", "kind", "alpha", "server", server)).contains(90_500.0);
        // "-1" is no sample, as upstream
        assertThat(value(m, "pg_custom_took_milliseconds", "kind", "beta", "server", server)).isEmpty();
        assertThat(value(m, "pg_custom_stamp", "kind", "alpha", "server", server)).contains(1704164645.0);
        assertThat(value(m, "pg_custom_stamp", "kind", "beta", "server", server)).contains(Double.NaN);
        assertThat(value(m, "pg_custom_missing", "kind", "alpha", "server", server)).contains(Double.NaN);
        assertThat(value(m, "pg_custom_missing", "kind", "beta", "server", server)).contains(1.5);
        // text is parsed as a number where it is one, as Go's ParseFloat; otherwise no sample
        assertThat(value(m, "pg_custom_odd", "kind", "alpha", "server", server)).isEmpty();
        assertThat(value(m, "pg_custom_odd", "kind", "beta", "server", server)).contains(1000.0);
        assertThat(value(m, "pg_custom_flag", "kind", "alpha", "server", server)).contains(1.0);
        assertThat(value(m, "pg_custom_flag", "kind", "beta", "server", server)).contains(0.0);
        HistogramDataPointSnapshot h = histogram(m, "pg_custom_latency", "kind", "alpha", "server", server).orElseThrow();
        assertThat(bucket(h, 1)).isEqualTo(1);
        assertThat(bucket(h, 5)).isEqualTo(3);
        assertThat(bucket(h, 10)).isEqualTo(4);
        assertThat(bucket(h, Double.POSITIVE_INFINITY)).isEqualTo(5);
        assertThat(h.getSum()).isEqualTo(12.5);
        // NULL bounds: a histogram with only +Inf, as lib/pq scans a NULL array as an empty one
        assertThat(bucket(histogram(m, "pg_custom_latency", "kind", "beta", "server", server).orElseThrow(),
                          Double.POSITIVE_INFINITY)).isZero();

        boolean since16 = pg.majorVersion() >= 16;
        assertThat(value(m, "pg_since16_one", "server", server).isPresent()).isEqualTo(since16);
        assertThat(value(m, "pg_before16_one", "server", server).isPresent()).isEqualTo(!since16);
        assertThat(pg.queryDouble("postgres", "SELECT count(*) FROM pg_class WHERE relname = 'pgvigil_must_not_exist'")).isZero();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void cacheSecondsPerTargetAndMetricPrefix(String major) {
        MonitoredServer mon = MonitoredServer.shared(major);
        PgServer pg = mon.server();
        pg.createDatabase("pgvigil_uq_other", null);
        ConnectionSpec one = ConnectionSpec.parse(mon.dsn("postgres"));
        ConnectionSpec other = ConnectionSpec.parse(mon.dsn("pgvigil_uq_other"));
        LegacyOptions legacy = new LegacyOptions(false, Map.of("env", "test"), "acme");
        try (var pool = ConnectionSource.pooled(new io.pgvigil.connect.PoolOptions(4, Duration.ofMinutes(1), Duration.ofSeconds(1)))) {
            Scraper s = scraper(pool, legacy, fromFile("all-usages.yaml"));
            MetricSnapshots first = s.scrape(one);
            MetricSnapshots second = s.scrape(one);
            MetricSnapshots otherTarget = s.scrape(other);
            String server = pg.host() + ":" + pg.port();
            double cached = value(first, "acme_cached_value", "env", "test", "server", server).orElseThrow();
            assertThat(value(second, "acme_cached_value", "env", "test", "server", server)).contains(cached);
            assertThat(value(otherTarget, "acme_cached_value", "env", "test", "server", server)).isNotEqualTo(Optional.of(cached));
            assertThat(value(second, "acme_uncached_value", "env", "test", "server", server))
                    .isNotEqualTo(value(first, "acme_uncached_value", "env", "test", "server", server));
            assertThat(shapes(first)).containsEntry("acme_custom_counted", new Shape("counter", List.of("env", "kind", "server")))
                    .doesNotContainKey("pg_custom_counted");
            assertThat(family(first, "acme_custom_extra").orElseThrow().getMetadata().getHelp()).isEqualTo("Unknown metric from acme_custom");

            // A reload drops what was cached under the old set.
            s.userQueries(fromFile("all-usages.yaml"));
            assertThat(value(s.scrape(one), "acme_cached_value", "env", "test", "server", server)).isNotEqualTo(Optional.of(cached));
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void debianExampleFile(String major) {
        MonitoredServer mon = MonitoredServer.shared(major);
        PgServer pg = mon.server();
        pg.createDatabase("pgvigil_uq_debian", null);
        pg.execute("pgvigil_uq_debian", "CREATE TABLE IF NOT EXISTS uq_t (a int); INSERT INTO uq_t VALUES (1); ANALYZE uq_t");
        ConnectionSpec spec = ConnectionSpec.parse(mon.dsn("pgvigil_uq_debian"));
        String server = pg.host() + ":" + pg.port();
        MetricSnapshots m;
        // pg_process_idle reports idle sessions only: hold one open while scraping
        try (Connection idle = pg.connectAsSuperuser("postgres")) {
            m = scraper(ConnectionSource.fresh(), LegacyOptions.defaults(), fromFile("debian-queries.yaml")).scrape(spec);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }

        assertThat(value(m, "pg_up")).contains(1.0);
        // pg_stat_statements: the extension is not installed (and the file uses pre-13 column names)
        assertThat(value(m, "pg_exporter_last_scrape_error")).contains(1.0);
        Map<String, Shape> shapes = shapes(m);
        assertThat(shapes).containsEntry("pg_replication_lag", new Shape("gauge", List.of("server")))
                .containsEntry("pg_postmaster_start_time_seconds", new Shape("gauge", List.of("server")))
                .containsEntry("pg_stat_user_tables_n_live_tup", new Shape("gauge", List.of("datname", "relname", "schemaname", "server")))
                .containsEntry("pg_stat_user_tables_seq_scan", new Shape("counter", List.of("datname", "relname", "schemaname", "server")))
                .containsEntry("pg_statio_user_tables_heap_blks_read", new Shape("counter", List.of("datname", "relname", "schemaname", "server")))
                .containsEntry("pg_process_idle_seconds", new Shape("histogram", List.of("application_name", "server")));
        assertThat(shapes.keySet()).noneMatch(name -> name.startsWith("pg_stat_statements"));
        assertThat(value(m, "pg_replication_lag", "server", server)).contains(0.0);
        assertThat(value(m, "pg_postmaster_start_time_seconds", "server", server).orElseThrow())
                .isEqualTo(pg.queryDouble("postgres", "SELECT floor(extract(epoch FROM pg_postmaster_start_time()))"));
        // the table's series (its value may lag: before 15 the statistics collector reports asynchronously)
        assertThat(value(m, "pg_stat_user_tables_n_live_tup", "datname", "pgvigil_uq_debian", "schemaname", "public",
                         "relname", "uq_t", "server", server)).isPresent();
        List<String> apps = labelValues(m, "pg_process_idle_seconds", "application_name");
        assertThat(apps).isNotEmpty();
        HistogramDataPointSnapshot idle = histogram(m, "pg_process_idle_seconds", "application_name", apps.getFirst(),
                                                    "server", server).orElseThrow();
        assertThat(bucket(idle, 300)).isPositive();
        assertThat(family(m, "pg_process_idle_seconds").orElseThrow().getMetadata().getHelp()).isEqualTo("Idle time of server processes");
        assertThat(family(m, "pg_stat_user_tables_seq_scan").orElseThrow().getMetadata().getHelp())
                .isEqualTo("Number of sequential scans initiated on this table");

        // with the stat_user_tables collector on, the file's families of the same name, type and help join the
        // collector's, with their server label (as upstream's registry merges them)
        Scraper both = new Scraper(ConnectionSource.fresh(), Set.of("stat_user_tables"),
                                   new ScrapeOptions(CollectorOptions.defaults(), LegacyOptions.defaults(), Duration.ofSeconds(30)));
        both.userQueries(fromFile("debian-queries.yaml"));
        MetricSnapshots withCollector = both.scrape(spec);
        assertThat(withCollector.stream().filter(f -> f.getMetadata().getName().equals("pg_stat_user_tables_seq_scan"))).hasSize(1);
        assertThat(shapes(withCollector)).containsEntry("pg_stat_user_tables_seq_scan",
                        new Shape("counter", List.of("datname", "relname", "schemaname")))
                .containsEntry("pg_statio_user_tables_heap_blks_read",
                        new Shape("counter", List.of("datname", "relname", "schemaname", "server")));
        assertThat(value(withCollector, "pg_stat_user_tables_seq_scan", "datname", "pgvigil_uq_debian", "schemaname", "public",
                         "relname", "uq_t")).isPresent();
        assertThat(value(withCollector, "pg_stat_user_tables_seq_scan", "datname", "pgvigil_uq_debian", "schemaname", "public",
                         "relname", "uq_t", "server", server)).isPresent();
        assertThat(value(withCollector, "pg_scrape_collector_success", "collector", "stat_user_tables")).contains(1.0);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void aQueryRunsInsideTheScrapeDeadline(String major) {
        MonitoredServer mon = MonitoredServer.shared(major);
        ConnectionSpec spec = ConnectionSpec.parse(mon.dsn("postgres"));
        UserQueries slow = new UserQueries(List.of(
                new UserQueries.Namespace("pg_slow", "SELECT 1 AS one FROM pg_sleep(600)", false, Duration.ZERO, v -> true,
                                          List.of(new UserQueries.Column("one", UserQueries.Usage.GAUGE, "Never"))),
                new UserQueries.Namespace("pg_after", "SELECT 1 AS one", false, Duration.ZERO, v -> true, List.of())),
                Optional.empty());
        Scraper s = scraper(ConnectionSource.fresh(), LegacyOptions.defaults(), slow);
        // the statement timeout ends the sleep at the one-second deadline; without it this would take ten minutes
        MetricSnapshots m = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> s.scrape(spec, Duration.ofSeconds(1)));
        assertThat(value(m, "pg_up")).contains(1.0);
        assertThat(value(m, "pg_exporter_last_scrape_error")).contains(1.0);
        assertThat(shapes(m)).doesNotContainKeys("pg_slow_one", "pg_exporter_user_queries_load_error");
    }
}
