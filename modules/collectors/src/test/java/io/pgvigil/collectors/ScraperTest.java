package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.testkit.BlackHoleServer;
import io.pgvigil.testkit.ClosedPort;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import io.pgvigil.testkit.Snapshots;
import io.pgvigil.testkit.Snapshots.Shape;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static io.pgvigil.testkit.Snapshots.count;
import static io.pgvigil.testkit.Snapshots.shapes;
import static io.pgvigil.testkit.Snapshots.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Scrapes real PostgreSQL servers of every major the suite runs. */
class ScraperTest {
    private static ConnectionSpec spec(MonitoredServer mon) {
        return ConnectionSpec.parse(mon.dsn("postgres"));
    }

    private static MetricSnapshots scrapeDefaults(ConnectionSpec spec) {
        return new Scraper(ConnectionSource.fresh(), CollectorCatalog.enabledByDefault()).scrape(spec);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void defaultCollectorsProduceUpstreamFamilies(String major) {
        MonitoredServer mon = MonitoredServer.shared(major);
        PgServer pg = mon.server();
        MetricSnapshots m = scrapeDefaults(spec(mon));

        assertThat(value(m, "pg_up")).contains(1.0);
        assertThat(value(m, "pg_exporter_last_scrape_error")).contains(0.0);
        for (String c : CollectorCatalog.enabledByDefault()) {
            assertThat(value(m, "pg_scrape_collector_success", "collector", c)).as(c).contains(1.0);
        }
        Map<String, Shape> shapes = shapes(m);
        List<String> datLabels = List.of("datid", "datname");
        Map<String, Shape> expected = new TreeMap<>();
        expected.put("pg_up", new Shape("gauge", List.of()));
        expected.put("pg_static", new Shape("untyped", List.of("server", "short_version", "version")));
        expected.put("pg_exporter_scrapes_total", new Shape("counter", List.of()));
        expected.put("pg_exporter_last_scrape_duration_seconds", new Shape("gauge", List.of()));
        expected.put("pg_exporter_last_scrape_error", new Shape("gauge", List.of()));
        expected.put("pg_scrape_collector_success", new Shape("gauge", List.of("collector")));
        expected.put("pg_scrape_collector_duration_seconds", new Shape("gauge", List.of("collector")));
        expected.put("pg_database_size_bytes", new Shape("gauge", List.of("datname")));
        expected.put("pg_database_connection_limit", new Shape("gauge", List.of("datname")));
        expected.put("pg_locks_count", new Shape("gauge", List.of("datname", "mode")));
        List<String> activity = List.of("application_name", "backend_type", "datname", "state", "usename",
                                        "wait_event", "wait_event_type");
        expected.put("pg_stat_activity_count", new Shape("gauge", activity));
        expected.put("pg_stat_activity_max_tx_duration", new Shape("gauge", activity));
        expected.put("pg_stat_database_numbackends", new Shape("gauge", datLabels));
        for (String c : List.of("xact_commit", "xact_rollback", "blks_read", "blks_hit", "tup_returned", "tup_fetched",
                                "tup_inserted", "tup_updated", "tup_deleted", "conflicts", "temp_files", "temp_bytes",
                                "deadlocks", "blk_read_time", "blk_write_time", "stats_reset")) {
            expected.put("pg_stat_database_" + c, new Shape("counter", datLabels));
        }
        if (pg.majorVersion() >= 14) {
            expected.put("pg_stat_database_active_time_seconds_total", new Shape("counter", datLabels));
        }
        List<String> legacyLabels = List.of("datid", "datname", "server");
        for (String c : List.of("confl_tablespace", "confl_lock", "confl_snapshot", "confl_bufferpin", "confl_deadlock")) {
            expected.put("pg_stat_database_conflicts_" + c, new Shape("counter", legacyLabels));
        }
        if (pg.majorVersion() >= 16) {
            expected.put("pg_stat_database_conflicts_confl_active_logicalslot", new Shape("untyped", legacyLabels));
        }
        expected.put("pg_roles_connection_limit", new Shape("gauge", List.of("rolname")));
        expected.put("pg_replication_lag_seconds", new Shape("gauge", List.of()));
        expected.put("pg_replication_is_replica", new Shape("gauge", List.of()));
        expected.put("pg_replication_last_replay_seconds", new Shape("gauge", List.of()));
        expected.put("pg_stat_archiver_archived_count", new Shape("counter", List.of()));
        expected.put("pg_stat_archiver_failed_count", new Shape("counter", List.of()));
        expected.put("pg_wal_segments", new Shape("gauge", List.of()));
        expected.put("pg_wal_size_bytes", new Shape("gauge", List.of()));
        Map<String, Shape> nonSettings = new TreeMap<>(shapes);
        nonSettings.keySet().removeIf(k -> k.startsWith("pg_settings_"));
        // The table collectors' families are pinned by TableCollectorsTest and GoldenFamiliesTest; slots and
        // WAL senders exist only while other tests replicate from this server (ReplicationCollectorsTest);
        // pg_stat_progress_vacuum_* exists only while a vacuum runs (ActivityCollectorsTest).
        nonSettings.keySet().removeIf(k -> k.startsWith("pg_stat_user_tables_") || k.startsWith("pg_statio_user_tables_")
                                           || k.startsWith("pg_stat_bgwriter_") || k.startsWith("pg_stat_progress_vacuum_")
                                           || k.startsWith("pg_replication_slots_") || k.startsWith("pg_stat_replication_"));
        assertThat(nonSettings).isEqualTo(expected);

        assertThat(value(m, "pg_static", "server", "127.0.0.1:" + pg.port(), "short_version",
                         pg.majorVersion() + "." + pg.version().split("\\.")[1] + ".0",
                         "version", staticVersion(m))).contains(1.0);
    }

    private static String staticVersion(MetricSnapshots m) {
        return Snapshots.family(m, "pg_static").map(s -> s.getDataPoints().getFirst().getLabels().get("version")).orElse("");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void settingsAreConvertedToBaseUnits(String major) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(major);
        PgServer pg = mon.server();
        MetricSnapshots m = scrapeDefaults(spec(mon));
        Map<String, Shape> shapes = shapes(m);
        assertThat(shapes.get("pg_settings_shared_buffers_bytes")).isEqualTo(new Shape("gauge", List.of()));
        double blocks = pg.queryDouble("postgres", "SELECT setting::float8 FROM pg_settings WHERE name = 'shared_buffers'");
        assertThat(value(m, "pg_settings_shared_buffers_bytes")).contains(blocks * 8192);
        assertThat(value(m, "pg_settings_fsync")).contains(0.0);              // the test servers run with fsync=off
        assertThat(value(m, "pg_settings_max_connections")).isPresent();
        assertThat(shapes).containsKey("pg_settings_checkpoint_timeout_seconds");
        assertThat(shapes).doesNotContainKey("pg_settings_work_mem");          // memory settings always carry _bytes
        assertThat(shapes.keySet()).noneMatch(k -> k.contains(".") || k.contains("-"));
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void locksAreZeroFilledAndActivityCountsOtherSessions(String major) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(major);
        PgServer pg = mon.server();
        try (Connection other = pg.connectAsSuperuser("postgres")) {
            try (Statement st = other.createStatement()) {
                st.execute("SET application_name = 'pgvigil-test-idle'");
            }
            other.setAutoCommit(false);
            try (Statement st = other.createStatement()) {
                st.execute("CREATE TEMP TABLE IF NOT EXISTS held(x int)");
                st.execute("LOCK TABLE held IN ACCESS EXCLUSIVE MODE");
            }
            MetricSnapshots m = scrapeDefaults(spec(mon));
            long databases = (long) pg.queryDouble("postgres", "SELECT count(*) FROM pg_database");
            assertThat(count(m, "pg_locks_count")).isEqualTo(databases * 9);
            assertThat(value(m, "pg_locks_count", "datname", "postgres", "mode", "accessexclusivelock"))
                    .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1));
            assertThat(value(m, "pg_stat_activity_count",
                             "datname", "postgres", "state", "idle in transaction", "usename", pg.superuser(),
                             "application_name", "pgvigil-test-idle", "backend_type", "client backend",
                             "wait_event_type", "Client", "wait_event", "ClientRead")).contains(1.0);
            // a (database, state) pair without sessions is zero-filled with empty labels
            assertThat(value(m, "pg_stat_activity_count",
                             "datname", "template1", "state", "fastpath function call", "usename", "",
                             "application_name", "", "backend_type", "", "wait_event_type", "", "wait_event", ""))
                    .contains(0.0);
            other.rollback();
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void wrongPasswordGivesPgUpZeroAndEveryCollectorFailed(String major) {
        MonitoredServer mon = MonitoredServer.shared(major);
        MetricSnapshots m = scrapeDefaults(spec(mon.withPassword("not-the-password")));
        assertThat(value(m, "pg_up")).contains(0.0);
        assertThat(value(m, "pg_exporter_last_scrape_error")).contains(1.0);
        assertThat(value(m, "pg_exporter_scrapes_total")).contains(1.0);
        for (String c : CollectorCatalog.enabledByDefault()) {
            assertThat(value(m, "pg_scrape_collector_success", "collector", c)).as(c).contains(0.0);
        }
        assertThat(shapes(m).keySet()).containsExactlyInAnyOrder(
                "pg_up", "pg_exporter_last_scrape_error", "pg_exporter_scrapes_total",
                "pg_exporter_last_scrape_duration_seconds", "pg_scrape_collector_success");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void oneFailingCollectorDoesNotHideTheOthers(String major) {
        MonitoredServer mon = MonitoredServer.shared(major);
        PgServer pg = mon.server();
        // A role without pg_monitor cannot size a database it may not connect to.
        pg.createRole("pgvigil_plain", mon.password());
        pg.createDatabase("pgvigil_private", pg.superuser());
        pg.execute("postgres", "REVOKE CONNECT ON DATABASE pgvigil_private FROM PUBLIC");
        MetricSnapshots m = scrapeDefaults(spec(mon.asRole("pgvigil_plain")));
        assertThat(value(m, "pg_up")).contains(1.0);
        assertThat(value(m, "pg_scrape_collector_success", "collector", "database")).contains(0.0);
        assertThat(value(m, "pg_scrape_collector_success", "collector", "locks")).contains(1.0);
        assertThat(shapes(m)).doesNotContainKey("pg_database_size_bytes").containsKey("pg_locks_count");
        assertThat(value(m, "pg_exporter_last_scrape_error")).contains(1.0);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void scrapeCounterAccumulates(String major) {
        MonitoredServer mon = MonitoredServer.shared(major);
        Scraper scraper = new Scraper(ConnectionSource.fresh(), CollectorCatalog.enabledByDefault());
        Optional<ConnectionSpec> source = Optional.of(spec(mon));
        scraper.scrapeDefault(source, Duration.ofMinutes(1));
        MetricSnapshots second = scraper.scrapeDefault(source, Duration.ofMinutes(1));
        assertThat(value(second, "pg_exporter_scrapes_total")).contains(2.0);
        // A probe reports 1 whatever came before, as upstream builds a new exporter per probe.
        assertThat(value(scraper.scrape(source.get()), "pg_exporter_scrapes_total")).contains(1.0);
        assertThat(value(scraper.scrapeDefault(Optional.empty(), Duration.ofMinutes(1)), "pg_exporter_scrapes_total")).contains(3.0);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void excludedDatabasesAreLeftOutOfTheDatabaseCollector(String major) {
        MonitoredServer mon = MonitoredServer.shared(major);
        CollectorOptions options = new CollectorOptions(CollectorOptions.StatStatements.defaults(), List.of("template0", "template1"));
        MetricSnapshots m = new Scraper(ConnectionSource.fresh(), java.util.Set.of("database"), options)
                .scrape(spec(mon));
        assertThat(value(m, "pg_database_size_bytes", "datname", "postgres")).isPresent();
        assertThat(value(m, "pg_database_size_bytes", "datname", "template1")).isEmpty();
        assertThat(value(m, "pg_database_connection_limit", "datname", "template0")).isEmpty();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void legacyOptionsShapeTheLegacyFamilies(String major) {
        MonitoredServer mon = MonitoredServer.shared(major);
        LegacyOptions legacy = new LegacyOptions(false, java.util.Map.of("env", "prod", "team", "db"), "foo");
        ScrapeOptions options = new ScrapeOptions(CollectorOptions.defaults(), legacy, Duration.ofMinutes(1));
        MetricSnapshots m = new Scraper(ConnectionSource.fresh(), java.util.Set.of("locks"), options)
                .scrape(spec(mon));
        Map<String, Shape> shapes = shapes(m);
        assertThat(shapes.get("pg_up")).isEqualTo(new Shape("gauge", List.of("env", "team")));
        assertThat(value(m, "pg_up", "env", "prod", "team", "db")).contains(1.0);
        assertThat(shapes.get("pg_static").labels()).containsExactly("env", "server", "short_version", "team", "version");
        assertThat(shapes.get("foo_stat_database_conflicts_confl_lock").labels())
                .containsExactly("datid", "datname", "env", "server", "team");
        assertThat(shapes).doesNotContainKey("pg_stat_database_conflicts_confl_lock");
        // collector families and pg_scrape_collector_* never get constant labels, as upstream
        assertThat(shapes.get("pg_locks_count").labels()).containsExactly("datname", "mode");
        assertThat(shapes.get("pg_scrape_collector_success").labels()).containsExactly("collector");

        ScrapeOptions disabled = new ScrapeOptions(CollectorOptions.defaults(),
                                                   new LegacyOptions(true, java.util.Map.of(), "pg"), Duration.ofMinutes(1));
        MetricSnapshots d = new Scraper(ConnectionSource.fresh(), java.util.Set.of("locks"), disabled)
                .scrape(spec(mon));
        assertThat(shapes(d).keySet()).doesNotContain("pg_static", "pg_stat_database_conflicts_confl_lock").contains("pg_locks_count");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void anExhaustedCollectionTimeoutFailsTheRemainingCollectors(String major) {
        MonitoredServer mon = MonitoredServer.shared(major);
        ScrapeOptions options = new ScrapeOptions(CollectorOptions.defaults(), LegacyOptions.defaults(), Duration.ofMillis(1));
        MetricSnapshots m = new Scraper(ConnectionSource.fresh(), CollectorCatalog.enabledByDefault(), options)
                .scrape(spec(mon));
        // opening the connection alone takes longer than 1 ms: no collector may start
        assertThat(value(m, "pg_up")).contains(1.0);
        for (String c : CollectorCatalog.enabledByDefault()) {
            assertThat(value(m, "pg_scrape_collector_success", "collector", c)).as(c).contains(0.0);
        }
        assertThat(value(m, "pg_exporter_last_scrape_error")).contains(1.0);
    }

    @org.junit.jupiter.api.Test
    void closedPortGivesPgUpZero() {
        ConnectionSpec spec = ConnectionSpec.parse("postgresql://u:p@127.0.0.1:" + ClosedPort.find() + "/postgres?sslmode=disable");
        MetricSnapshots m = scrapeDefaults(spec);
        assertThat(value(m, "pg_up")).contains(0.0);
    }

    @org.junit.jupiter.api.Test
    void connectTimeoutBoundsAServerThatNeverAnswers() {
        try (BlackHoleServer hole = BlackHoleServer.start()) {
            ConnectionSpec spec = ConnectionSpec.parse("postgresql://u:p@127.0.0.1:" + hole.port()
                                                       + "/postgres?sslmode=disable&connect_timeout=1");
            // Not a benchmark: without the timeout this would hang (pgjdbc's default login wait is unbounded).
            MetricSnapshots m = assertTimeoutPreemptively(Duration.ofSeconds(8), () -> scrapeDefaults(spec));
            assertThat(value(m, "pg_up")).contains(0.0);
            assertThat(hole.acceptedConnections()).isGreaterThanOrEqualTo(1);
        }
    }

    @org.junit.jupiter.api.Test
    void unknownCollectorIsRejected() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new Scraper(ConnectionSource.fresh(), java.util.Set.of("nope")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    }
}
