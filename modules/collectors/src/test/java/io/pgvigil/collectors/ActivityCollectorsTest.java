package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import io.pgvigil.testkit.Snapshots.Shape;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.pgvigil.testkit.Snapshots.bucket;
import static io.pgvigil.testkit.Snapshots.collectorShapes;
import static io.pgvigil.testkit.Snapshots.histogram;
import static io.pgvigil.testkit.Snapshots.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The collectors of {@link ActivityCollectors} against real servers of every major, scraped as a
 * {@code pg_monitor} member that is not a superuser, with real sessions, transactions and vacuums.
 */
class ActivityCollectorsTest {
    private static final String USER = "pgvigil_activity";
    private static final String PASSWORD = "act-Pa55word";
    private static final List<String> ALL = List.of(
            "stat_activity_autovacuum", "long_running_transactions", "process_idle", "postmaster", "roles",
            "database_wraparound", "buffercache_summary", "stat_progress_vacuum");

    private static MetricSnapshots scrapeDatabase(MonitoredServer mon, String database, String... collectors) {
        ConnectionSpec spec = ConnectionSpec.parse(mon.dsn(database));
        return new Scraper(ConnectionSource.fresh(), Set.of(collectors)).scrape(spec);
    }

    private static MetricSnapshots scrape(MonitoredServer mon, String... collectors) {
        return scrapeDatabase(mon, "postgres", collectors);
    }

    private static void assertSucceeded(MetricSnapshots m, String... collectors) {
        for (String c : collectors) {
            assertThat(value(m, "pg_scrape_collector_success", "collector", c)).as(c).contains(1.0);
        }
    }

    private static Connection idleSession(PgServer pg, String applicationName) throws SQLException {
        Connection c = pg.connectAsSuperuser("postgres");
        try (Statement st = c.createStatement()) {
            st.execute("SET application_name = '" + applicationName + "'");
        }
        return c;
    }

    /** A session inside a transaction that has an XID, left idle in transaction. */
    private static Connection openTransaction(PgServer pg, String applicationName) throws SQLException {
        Connection c = idleSession(pg, applicationName);
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SELECT txid_current()");
        }
        return c;
    }

    private static void closeAll(Connection... connections) throws SQLException {
        for (Connection c : connections) {
            c.close();
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void everyCollectorSucceedsWithUpstreamFamilies(String major) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(major, USER, PASSWORD);
        PgServer pg = mon.server();
        if (pg.majorVersion() >= 16) {
            pg.execute("postgres", "CREATE EXTENSION IF NOT EXISTS pg_buffercache");
        }
        Connection tx = openTransaction(pg, "pgvigil-shape-tx");
        Connection idle = idleSession(pg, "pgvigil-shape-idle");
        try {
            MetricSnapshots m = scrape(mon, ALL.toArray(String[]::new));
            assertSucceeded(m, ALL.toArray(String[]::new));
            assertThat(value(m, "pg_exporter_last_scrape_error")).contains(0.0);

            Map<String, Shape> shapes = collectorShapes(m);
            // These two exist only while a (auto)vacuum runs; their shapes are checked where one is made to run.
            Map<String, Shape> steady = new TreeMap<>(shapes);
            steady.keySet().removeIf(k -> k.startsWith("pg_stat_progress_vacuum_") || k.startsWith("pg_stat_activity_autovacuum_"));

            Map<String, Shape> expected = new TreeMap<>();
            Shape plain = new Shape("gauge", List.of());
            expected.put("pg_long_running_transactions", plain);
            expected.put("pg_long_running_transactions_oldest_timestamp_seconds", plain);
            expected.put("pg_process_idle_seconds", new Shape("histogram", List.of("application_name", "state")));
            expected.put("pg_postmaster_start_time_seconds", plain);
            expected.put("pg_roles_connection_limit", new Shape("gauge", List.of("rolname")));
            expected.put("pg_database_wraparound_age_datfrozenxid_seconds", new Shape("gauge", List.of("datname")));
            expected.put("pg_database_wraparound_age_datminmxid_seconds", new Shape("gauge", List.of("datname")));
            if (pg.majorVersion() >= 16) {
                for (String f : List.of("buffers_used", "buffers_unused", "buffers_dirty", "buffers_pinned", "usagecount_avg")) {
                    expected.put("pg_buffercache_summary_" + f, plain);
                }
            }
            assertThat(steady).isEqualTo(expected);
            if (shapes.containsKey("pg_stat_activity_autovacuum_timestamp_seconds")) {
                assertThat(shapes.get("pg_stat_activity_autovacuum_timestamp_seconds"))
                        .isEqualTo(new Shape("gauge", List.of("relname")));
            }
        } finally {
            closeAll(tx, idle);
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void longRunningTransactionsCountsAnOpenTransaction(String major) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(major, USER, PASSWORD);
        PgServer pg = mon.server();
        Connection tx = openTransaction(pg, "pgvigil-long-tx");
        try {
            Thread.sleep(300);
            MetricSnapshots m = scrape(mon, "long_running_transactions");
            assertSucceeded(m, "long_running_transactions");
            assertThat(value(m, "pg_long_running_transactions")).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1));
            // ours is idle in transaction for at least 0.3 s: counted, and the oldest is at least that old
            assertThat(value(m, "pg_long_running_transactions_oldest_timestamp_seconds"))
                    .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(0.3));
        } finally {
            tx.close();
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void processIdleExportsEveryStateAndApplication(String major) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(major, USER, PASSWORD);
        PgServer pg = mon.server();
        String a = "pgvigil-idle-a-" + major;
        String b = "pgvigil-idle-b-" + major;
        String c = "pgvigil-idle-c-" + major;
        Connection a1 = idleSession(pg, a);
        Connection b1 = idleSession(pg, b);
        Connection b2 = idleSession(pg, b);
        Connection c1 = openTransaction(pg, c);
        try {
            Thread.sleep(1_200); // every one of them is then idle for more than 1 s
            MetricSnapshots m = scrape(mon, "process_idle");
            assertSucceeded(m, "process_idle");

            HistogramDataPointSnapshot pa = histogram(m, "pg_process_idle_seconds", "state", "idle", "application_name", a).orElseThrow();
            HistogramDataPointSnapshot pb = histogram(m, "pg_process_idle_seconds", "state", "idle", "application_name", b).orElseThrow();
            HistogramDataPointSnapshot pc = histogram(m, "pg_process_idle_seconds",
                                                      "state", "idle in transaction", "application_name", c).orElseThrow();
            assertThat(pa.getCount()).isEqualTo(1);
            assertThat(pb.getCount()).isEqualTo(2);
            assertThat(pc.getCount()).isEqualTo(1);
            for (HistogramDataPointSnapshot p : List.of(pa, pb, pc)) {
                assertThat(bucket(p, 1)).isZero();                                         // all idle for > 1 s
                assertThat(bucket(p, 300)).isEqualTo(p.getCount());                        // and for < 300 s
                assertThat(bucket(p, Double.POSITIVE_INFINITY)).isEqualTo(p.getCount());
                assertThat(p.getSum()).isGreaterThanOrEqualTo(p.getCount()).isLessThan(300.0 * p.getCount());
                assertThat(p.getSum()).isEqualTo(Math.rint(p.getSum()));                   // whole seconds per session
            }
            assertThat(ProcessIdleCollector.BUCKETS).containsExactly(1, 2, 5, 15, 30, 60, 90, 120, 300);
            assertThat(pa.getClassicBuckets().size()).isEqualTo(10);
        } finally {
            closeAll(a1, b1, b2, c1);
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void rolesShowTheirConnectionLimit(String major) {
        MonitoredServer mon = MonitoredServer.shared(major, USER, PASSWORD);
        PgServer pg = mon.server();
        pg.createRole("pgvigil_limited", "lim-Pa55word", "CONNECTION LIMIT 7");
        MetricSnapshots m = scrape(mon, "roles");
        assertSucceeded(m, "roles");
        assertThat(value(m, "pg_roles_connection_limit", "rolname", "pgvigil_limited")).contains(7.0);
        assertThat(value(m, "pg_roles_connection_limit", "rolname", USER)).contains(-1.0);
        assertThat(value(m, "pg_roles_connection_limit", "rolname", "pg_monitor")).contains(-1.0); // predefined roles too
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void postmasterStartTimeIsTheServersStartTime(String major) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(major, USER, PASSWORD);
        PgServer pg = mon.server();
        MetricSnapshots m = scrape(mon, "postmaster");
        assertSucceeded(m, "postmaster");
        double started = value(m, "pg_postmaster_start_time_seconds").orElseThrow();
        double now = System.currentTimeMillis() / 1000.0;
        assertThat(started).isLessThanOrEqualTo(now).isGreaterThan(now - Duration.ofDays(1).toSeconds());
        assertThat(started).isCloseTo(pg.queryDouble("postgres", "SELECT extract(epoch FROM pg_postmaster_start_time())::float8"),
                                      within(1e-6));
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void databaseWraparoundShowsXidAndMultixactAges(String major) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(major, USER, PASSWORD);
        PgServer pg = mon.server();
        // Two sessions share-locking one row make a multixact, so that multixact ages are above 0 too.
        pg.execute("postgres", "CREATE TABLE IF NOT EXISTS pgvigil_mxid (id int PRIMARY KEY); "
                               + "INSERT INTO pgvigil_mxid VALUES (1) ON CONFLICT DO NOTHING");
        try (Connection s1 = pg.connectAsSuperuser("postgres"); Connection s2 = pg.connectAsSuperuser("postgres")) {
            for (Connection s : List.of(s1, s2)) {
                s.setAutoCommit(false);
                try (Statement st = s.createStatement()) {
                    st.execute("SELECT id FROM pgvigil_mxid WHERE id = 1 FOR SHARE");
                }
            }
            s1.commit();
            s2.commit();
        } finally {
            pg.execute("postgres", "DROP TABLE IF EXISTS pgvigil_mxid");
        }
        MetricSnapshots m = scrape(mon, "database_wraparound");
        assertSucceeded(m, "database_wraparound");
        double xidAfter = pg.queryDouble("postgres", "SELECT age(datfrozenxid) FROM pg_database WHERE datname = 'postgres'");
        double mxidAfter = pg.queryDouble("postgres", "SELECT mxid_age(datminmxid) FROM pg_database WHERE datname = 'postgres'");
        for (String db : List.of("postgres", "template1")) {
            assertThat(value(m, "pg_database_wraparound_age_datfrozenxid_seconds", "datname", db)).as(db)
                    .hasValueSatisfying(v -> assertThat(v).isGreaterThan(0));
            assertThat(value(m, "pg_database_wraparound_age_datminmxid_seconds", "datname", db)).as(db)
                    .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1));
        }
        assertThat(value(m, "pg_database_wraparound_age_datfrozenxid_seconds", "datname", "postgres").orElseThrow())
                .isLessThanOrEqualTo(xidAfter);
        assertThat(value(m, "pg_database_wraparound_age_datminmxid_seconds", "datname", "postgres").orElseThrow())
                .isLessThanOrEqualTo(mxidAfter);
        // template0 does not allow connections
        assertThat(value(m, "pg_database_wraparound_age_datfrozenxid_seconds", "datname", "template0")).isEmpty();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void buffercacheSummaryOnSixteenAndLaterOnly(String major) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(major, USER, PASSWORD);
        PgServer pg = mon.server();
        String[] families = {"pg_buffercache_summary_buffers_used", "pg_buffercache_summary_buffers_unused",
                             "pg_buffercache_summary_buffers_dirty", "pg_buffercache_summary_buffers_pinned",
                             "pg_buffercache_summary_usagecount_avg"};
        if (pg.majorVersion() < 16) {
            MetricSnapshots m = scrape(mon, "buffercache_summary");
            assertSucceeded(m, "buffercache_summary"); // does not apply: nothing, and no failure
            assertThat(collectorShapes(m)).isEmpty();
            return;
        }
        pg.execute("postgres", "CREATE EXTENSION IF NOT EXISTS pg_buffercache");
        MetricSnapshots m = scrape(mon, "buffercache_summary");
        assertSucceeded(m, "buffercache_summary");
        assertThat(collectorShapes(m)).containsOnlyKeys(families);
        double buffers = pg.queryDouble("postgres", "SELECT setting::float8 FROM pg_settings WHERE name = 'shared_buffers'");
        double used = value(m, "pg_buffercache_summary_buffers_used").orElseThrow();
        assertThat(used).isGreaterThan(0);
        assertThat(used + value(m, "pg_buffercache_summary_buffers_unused").orElseThrow()).isEqualTo(buffers);
        assertThat(value(m, "pg_buffercache_summary_usagecount_avg")).hasValueSatisfying(v -> assertThat(v).isGreaterThan(0));

        // Without the extension in the scraped database the collector fails, and says so.
        pg.createDatabase("pgvigil_no_buffercache", null);
        MetricSnapshots without = scrapeDatabase(mon, "pgvigil_no_buffercache", "buffercache_summary");
        assertThat(value(without, "pg_scrape_collector_success", "collector", "buffercache_summary")).contains(0.0);
        assertThat(collectorShapes(without)).isEmpty();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void statActivityAutovacuumRuns(String major) {
        MonitoredServer mon = MonitoredServer.shared(major, USER, PASSWORD);
        MetricSnapshots m = scrape(mon, "stat_activity_autovacuum");
        assertSucceeded(m, "stat_activity_autovacuum");
        assertThat(collectorShapes(m)).allSatisfy((name, shape) -> {
            assertThat(name).isEqualTo("pg_stat_activity_autovacuum_timestamp_seconds");
            assertThat(shape).isEqualTo(new Shape("gauge", List.of("relname")));
        });
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void statProgressVacuumIsEmptyWhileNothingIsVacuumed(String major) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(major, USER, PASSWORD);
        PgServer pg = mon.server();
        String running = "SELECT count(*) FROM pg_stat_progress_vacuum";
        for (int attempt = 1; ; attempt++) {
            // autovacuum may start at any moment: only a scrape with no vacuum before and after counts
            boolean idleBefore = pg.queryDouble("postgres", running) == 0;
            MetricSnapshots m = scrape(mon, "stat_progress_vacuum");
            assertSucceeded(m, "stat_progress_vacuum");
            if (idleBefore && pg.queryDouble("postgres", running) == 0) {
                assertThat(collectorShapes(m)).isEmpty();
                return;
            }
            assertThat(attempt).as("a vacuum was running at every attempt").isLessThan(10);
            Thread.sleep(200);
        }
    }

    /**
     * A deterministic running vacuum: a cursor keeps a buffer pin on page 5 of a table, and
     * {@code VACUUM (FREEZE)} must wait for that pin before it can freeze the page. While it waits, its
     * progress stands still after pages 0 to 4, whose rows (those of pages 0 and 1 deleted) it has
     * already scanned.
     */
    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void statProgressVacuumShowsAVacuumWaitingForABufferPin(String major) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(major, USER, PASSWORD);
        PgServer pg = mon.server();
        String table = "pgvigil_vacuum_probe";
        pg.execute("postgres", "DROP TABLE IF EXISTS " + table + "; "
                               + "CREATE TABLE " + table + " (id int PRIMARY KEY, pad text) WITH (autovacuum_enabled = off); "
                               + "INSERT INTO " + table + " SELECT g, repeat('x', 100) FROM generate_series(1, 5000) g");
        int deleted;
        try (Connection c = pg.connectAsSuperuser("postgres"); Statement st = c.createStatement()) {
            deleted = st.executeUpdate("DELETE FROM " + table + " WHERE (ctid::text::point)[0] < 2");
        }
        assertThat(deleted).isGreaterThan(10);
        Connection pin = pg.connectAsSuperuser("postgres");
        Connection vac = pg.connectAsSuperuser("postgres");
        CompletableFuture<Void> vacuum = null;
        try {
            pin.setAutoCommit(false);
            try (Statement st = pin.createStatement()) {
                st.execute("DECLARE pinned NO SCROLL CURSOR FOR SELECT id FROM " + table
                           + " WHERE (ctid::text::point)[0] >= 5");
                st.execute("FETCH 1 FROM pinned");
            }
            int vacPid;
            try (Statement st = vac.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                vacPid = rs.getInt(1);
            }
            vacuum = CompletableFuture.runAsync(() -> {
                try (Statement st = vac.createStatement()) {
                    st.execute("VACUUM (FREEZE) " + table);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            String waiting = "SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_progress_vacuum p USING (pid) "
                             + "WHERE a.pid = " + vacPid + " AND a.wait_event = 'BufferPin'";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (pg.queryDouble("postgres", waiting) == 0) {
                assertThat(vacuum).as("VACUUM ended without waiting for the pin").isNotDone();
                assertThat(System.nanoTime()).as("VACUUM never waited for the pin").isLessThan(deadline);
                Thread.sleep(20);
            }

            MetricSnapshots m = scrape(mon, "stat_progress_vacuum");
            assertSucceeded(m, "stat_progress_vacuum");
            Map<String, Shape> expected = new TreeMap<>();
            expected.put("pg_stat_progress_vacuum_phase", new Shape("gauge", List.of("datname", "phase", "relname")));
            List<String> counters = new ArrayList<>(List.of("heap_blks", "heap_blks_scanned", "heap_blks_vacuumed",
                                                            "index_vacuums", "num_dead_tuples"));
            if (pg.majorVersion() < 17) {
                counters.add("max_dead_tuples");
            }
            counters.forEach(c -> expected.put("pg_stat_progress_vacuum_" + c, new Shape("gauge", List.of("datname", "relname"))));
            assertThat(collectorShapes(m)).isEqualTo(expected);

            String[] rel = {"datname", "postgres", "relname", table};
            for (String phase : StatProgressVacuumCollector.PHASES) {
                assertThat(value(m, "pg_stat_progress_vacuum_phase", "datname", "postgres", "relname", table, "phase", phase))
                        .as(phase).contains(phase.equals("scanning heap") ? 1.0 : 0.0);
            }
            String view = "SELECT %s::float8 FROM pg_stat_progress_vacuum WHERE pid = " + vacPid;
            double heapBlocks = pg.queryDouble("postgres", view.formatted("heap_blks_total"));
            assertThat(heapBlocks).isGreaterThan(5);
            assertThat(value(m, "pg_stat_progress_vacuum_heap_blks", rel)).contains(heapBlocks);
            assertThat(value(m, "pg_stat_progress_vacuum_heap_blks_scanned", rel))
                    .contains(pg.queryDouble("postgres", view.formatted("heap_blks_scanned")));
            assertThat(value(m, "pg_stat_progress_vacuum_heap_blks_vacuumed", rel)).contains(0.0);
            assertThat(value(m, "pg_stat_progress_vacuum_index_vacuums", rel)).contains(0.0);
            // The rows deleted from pages 0 and 1: a count of tuples on every major, never a byte figure.
            assertThat(value(m, "pg_stat_progress_vacuum_num_dead_tuples", rel)).contains((double) deleted);
            if (pg.majorVersion() < 17) {
                double limit = pg.queryDouble("postgres", view.formatted("max_dead_tuples"));
                assertThat(limit).isGreaterThanOrEqualTo(deleted);
                assertThat(value(m, "pg_stat_progress_vacuum_max_dead_tuples", rel)).contains(limit);
            }
        } finally {
            pin.close(); // ends the transaction, releases the pin: the vacuum finishes
            if (vacuum != null) {
                vacuum.get(60, TimeUnit.SECONDS);
            }
            vac.close();
            pg.execute("postgres", "DROP TABLE IF EXISTS " + table);
        }
    }
}
