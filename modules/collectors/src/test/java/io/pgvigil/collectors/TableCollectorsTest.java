package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.connect.ServerVersion;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import io.pgvigil.testkit.Snapshots.Shape;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.pgvigil.testkit.Snapshots.count;
import static io.pgvigil.testkit.Snapshots.labelValues;
import static io.pgvigil.testkit.Snapshots.requiredValue;
import static io.pgvigil.testkit.Snapshots.shapes;
import static io.pgvigil.testkit.Snapshots.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The table collectors (stat_user_tables, statio_user_tables, statio_user_indexes, stat_statements, stat_bgwriter,
 * stat_checkpointer) on every major, scraped as a non-superuser member of {@code pg_monitor} with no other grant.
 */
class TableCollectorsTest {
    private static final String PASSWORD = "tbl-Pa55word";
    private static final String MONITOR = "pgvigil_tbl_monitor";
    private static final String APP = "pgvigil_tbl_app";
    private static final String DATA_DB = "pgvigil_tbl_data";
    private static final String STMT_DB = "pgvigil_tbl_stmt_a";
    private static final String NO_EXTENSION_DB = "pgvigil_tbl_stmt_b";
    /** ~10 ms of work per call, so that the statement lies well above the 10th percentile of execution time. */
    private static final String HEAVY = "SELECT count(*) FROM pgvigil_marker m, generate_series(1, 300000) g WHERE g > m.x";

    private static MetricSnapshots scrape(MonitoredServer mon, String database,
                                          CollectorOptions.StatStatements statements, String... collectors) {
        ConnectionSpec spec = ConnectionSpec.parse(mon.dsn(database));
        return new Scraper(ConnectionSource.fresh(), Set.of(collectors), new CollectorOptions(statements, List.of()))
                .scrape(spec);
    }

    private static MetricSnapshots scrape(MonitoredServer mon, String database, String... collectors) {
        return scrape(mon, database, CollectorOptions.StatStatements.defaults(), collectors);
    }

    private static Map<String, Shape> shapesWithPrefix(MetricSnapshots m, String... prefixes) {
        Map<String, Shape> out = new TreeMap<>(shapes(m));
        out.keySet().removeIf(k -> java.util.Arrays.stream(prefixes).noneMatch(k::startsWith));
        return out;
    }

    /** Cumulative statistics reach the views a little later (PG < 15: through the collector): poll, bounded. */
    private static void await(PgServer pg, String database, String condition) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (true) {
            try (Connection c = pg.connectAsSuperuser(database); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT coalesce((" + condition + "), false)")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("statistics never satisfied: " + condition + " on " + pg);
            }
            Thread.sleep(100);
        }
    }

    private static double nowSeconds(PgServer pg) throws SQLException {
        return pg.queryDouble("postgres", "SELECT floor(extract(epoch FROM now()))");
    }

    // ------------------------------------------------------------------------------------ stat_user_tables, statio_*

    /** Unix seconds around the VACUUM of the data set, per major. */
    private record DataSet(double before, double after) {
    }

    private static final Map<String, DataSet> DATA = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * In a database of its own: 100 rows inserted, 10 updated, 5 deleted, a sequential and an index scan, one
     * VACUUM and one ANALYZE; plus a table with neither index nor TOAST table. Once per major.
     */
    private static DataSet dataSet(PgServer pg) throws Exception {
        DataSet existing = DATA.get(pg.version());
        if (existing != null) {
            return existing;
        }
        pg.createDatabase(DATA_DB, null);
        double before = nowSeconds(pg);
        try (Connection c = pg.connectAsSuperuser(DATA_DB); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE pgvigil_items (id int PRIMARY KEY, v text)");
            st.execute("CREATE TABLE pgvigil_plain (n int)");
            st.execute("INSERT INTO pgvigil_items SELECT g, 'v' || g FROM generate_series(1, 100) g");
            st.execute("INSERT INTO pgvigil_plain VALUES (1), (2), (3)");
            st.execute("UPDATE pgvigil_items SET v = 'u' || id WHERE id <= 10");
            st.execute("DELETE FROM pgvigil_items WHERE id > 95");
            st.execute("SET enable_seqscan = off");
            st.executeQuery("SELECT v FROM pgvigil_items WHERE id = 42").close();
            st.execute("RESET enable_seqscan");
            st.execute("SET enable_indexscan = off");
            st.execute("SET enable_indexonlyscan = off");
            st.execute("SET enable_bitmapscan = off");
            st.executeQuery("SELECT count(*) FROM pgvigil_items WHERE v LIKE 'v%'").close();
        }
        // A session hands its counts over when it ends; a VACUUM before that would be added to, not replace them.
        await(pg, DATA_DB, """
                SELECT t.n_tup_ins = 100 AND t.n_tup_upd = 10 AND t.n_tup_del = 5 AND t.idx_scan >= 1 AND t.seq_scan >= 1
                       AND io.heap_blks_hit + io.heap_blks_read > 0 AND io.idx_blks_hit + io.idx_blks_read > 0
                  FROM pg_stat_user_tables t JOIN pg_statio_user_tables io USING (relid)
                 WHERE t.relname = 'pgvigil_items'""");
        try (Connection c = pg.connectAsSuperuser(DATA_DB); Statement st = c.createStatement()) {
            st.execute("VACUUM pgvigil_items");
            st.execute("ANALYZE pgvigil_items");
        }
        double after = nowSeconds(pg);
        await(pg, DATA_DB, """
                SELECT vacuum_count = 1 AND analyze_count = 1 AND n_live_tup = 95
                  FROM pg_stat_user_tables WHERE relname = 'pgvigil_items'""");
        DataSet data = new DataSet(before, after);
        DATA.put(pg.version(), data);
        return data;
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void userTablesShowTheConnectedDatabasesTables(String major) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(major, MONITOR, PASSWORD);
        PgServer pg = mon.server();
        DataSet data = dataSet(pg);
        MetricSnapshots m = scrape(mon, DATA_DB, "stat_user_tables", "statio_user_tables", "statio_user_indexes");

        for (String c : List.of("stat_user_tables", "statio_user_tables", "statio_user_indexes")) {
            assertThat(value(m, "pg_scrape_collector_success", "collector", c)).as(c).contains(1.0);
        }
        List<String> table = List.of("datname", "relname", "schemaname"); // the exposition sorts label names
        Map<String, Shape> expected = new TreeMap<>();
        for (String counter : List.of("seq_scan", "seq_tup_read", "idx_scan", "idx_tup_fetch", "n_tup_ins", "n_tup_upd",
                                      "n_tup_del", "n_tup_hot_upd", "vacuum_count", "autovacuum_count", "analyze_count",
                                      "autoanalyze_count")) {
            expected.put("pg_stat_user_tables_" + counter, new Shape("counter", table));
        }
        for (String gauge : List.of("n_live_tup", "n_dead_tup", "n_mod_since_analyze", "last_vacuum", "last_autovacuum",
                                    "last_analyze", "last_autoanalyze", "index_size_bytes", "table_size_bytes")) {
            expected.put("pg_stat_user_tables_" + gauge, new Shape("gauge", table));
        }
        for (String counter : List.of("heap_blocks_read", "heap_blocks_hit", "idx_blocks_read", "idx_blocks_hit",
                                      "toast_blocks_read", "toast_blocks_hit", "tidx_blocks_read", "tidx_blocks_hit")) {
            expected.put("pg_statio_user_tables_" + counter, new Shape("counter", table));
        }
        List<String> index = List.of("indexrelname", "relname", "schemaname");
        expected.put("pg_statio_user_indexes_idx_blks_read_total", new Shape("counter", index));
        expected.put("pg_statio_user_indexes_idx_blks_hit_total", new Shape("counter", index));
        assertThat(shapesWithPrefix(m, "pg_stat_user_tables_", "pg_statio_user_")).isEqualTo(expected);

        String[] items = {"datname", DATA_DB, "schemaname", "public", "relname", "pgvigil_items"};
        assertThat(value(m, "pg_stat_user_tables_n_tup_ins", items)).contains(100.0);
        assertThat(value(m, "pg_stat_user_tables_n_tup_upd", items)).contains(10.0);
        assertThat(value(m, "pg_stat_user_tables_n_tup_del", items)).contains(5.0);
        assertThat(value(m, "pg_stat_user_tables_n_live_tup", items)).contains(95.0);
        assertThat(value(m, "pg_stat_user_tables_n_mod_since_analyze", items)).contains(0.0);
        assertThat(value(m, "pg_stat_user_tables_vacuum_count", items)).contains(1.0);
        assertThat(value(m, "pg_stat_user_tables_analyze_count", items)).contains(1.0);
        assertThat(value(m, "pg_stat_user_tables_seq_scan", items)).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1));
        assertThat(value(m, "pg_stat_user_tables_seq_tup_read", items)).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(95));
        assertThat(value(m, "pg_stat_user_tables_idx_scan", items)).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1));
        assertThat(value(m, "pg_stat_user_tables_idx_tup_fetch", items)).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1));
        // timestamps: whole Unix seconds of the manual VACUUM/ANALYZE; never = 0
        for (String ts : List.of("last_vacuum", "last_analyze")) {
            assertThat(value(m, "pg_stat_user_tables_" + ts, items)).as(ts)
                    .hasValueSatisfying(v -> assertThat(v).isBetween(data.before(), data.after()).isEqualTo(Math.rint(v)));
        }
        String[] plain = {"datname", DATA_DB, "schemaname", "public", "relname", "pgvigil_plain"};
        assertThat(value(m, "pg_stat_user_tables_last_vacuum", plain)).contains(0.0);
        assertThat(value(m, "pg_stat_user_tables_idx_scan", plain)).contains(0.0);       // no index: NULL -> 0
        assertThat(value(m, "pg_stat_user_tables_n_tup_ins", plain)).contains(3.0);
        assertThat(value(m, "pg_stat_user_tables_table_size_bytes", items)).contains(
                pg.queryDouble(DATA_DB, "SELECT pg_table_size('pgvigil_items')"));
        assertThat(value(m, "pg_stat_user_tables_index_size_bytes", items)).contains(
                pg.queryDouble(DATA_DB, "SELECT pg_indexes_size('pgvigil_items')"));
        assertThat(value(m, "pg_stat_user_tables_index_size_bytes", plain)).contains(0.0);

        assertThat(requiredValue(m, "pg_statio_user_tables_heap_blocks_hit", items) + requiredValue(m, "pg_statio_user_tables_heap_blocks_read", items))
                .isGreaterThan(0);
        assertThat(requiredValue(m, "pg_statio_user_tables_idx_blocks_hit", items) + requiredValue(m, "pg_statio_user_tables_idx_blocks_read", items))
                .isGreaterThan(0);
        // a table with neither index nor TOAST table: the NULL columns are still exported, as 0
        for (String io : List.of("idx_blocks_read", "idx_blocks_hit", "toast_blocks_read", "toast_blocks_hit",
                                 "tidx_blocks_read", "tidx_blocks_hit")) {
            assertThat(value(m, "pg_statio_user_tables_" + io, plain)).as(io).contains(0.0);
        }
        String[] pkey = {"schemaname", "public", "relname", "pgvigil_items", "indexrelname", "pgvigil_items_pkey"};
        assertThat(requiredValue(m, "pg_statio_user_indexes_idx_blks_hit_total", pkey) + requiredValue(m, "pg_statio_user_indexes_idx_blks_read_total", pkey))
                .isGreaterThan(0);

        // only the connected database's tables
        assertThat(labelValues(m, "pg_stat_user_tables_n_tup_ins", "datname")).containsOnly(DATA_DB);
        assertThat(labelValues(m, "pg_statio_user_tables_heap_blocks_hit", "datname")).containsOnly(DATA_DB);
        assertThat(labelValues(m, "pg_statio_user_indexes_idx_blks_hit_total", "indexrelname")).containsOnly("pgvigil_items_pkey");
    }

    // ---------------------------------------------------------------------------- stat_bgwriter, stat_checkpointer

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void bgwriterAndCheckpointerFollowTheMajor(String major) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(major, MONITOR, PASSWORD);
        PgServer pg = mon.server();
        boolean pg17 = pg.majorVersion() >= 17;
        double before = nowSeconds(pg);
        pg.execute("postgres", "SELECT pg_stat_reset_shared('bgwriter')");
        if (pg17) {
            pg.execute("postgres", "SELECT pg_stat_reset_shared('checkpointer')");
        }
        pg.execute("postgres", "CHECKPOINT");
        long since = (long) before;
        await(pg, "postgres", pg17
                ? "SELECT c.num_requested >= 1 AND c.stats_reset >= to_timestamp(" + since + ") AND b.stats_reset >= to_timestamp("
                  + since + ") FROM pg_stat_checkpointer c, pg_stat_bgwriter b"
                : "SELECT checkpoints_req >= 1 AND stats_reset >= to_timestamp(" + since + ") FROM pg_stat_bgwriter");
        double after = nowSeconds(pg); // PG < 15 resets asynchronously: only now is the reset time known to be past

        MetricSnapshots m = scrape(mon, "postgres", "stat_bgwriter", "stat_checkpointer");
        assertThat(value(m, "pg_scrape_collector_success", "collector", "stat_bgwriter")).contains(1.0);
        assertThat(value(m, "pg_scrape_collector_success", "collector", "stat_checkpointer")).contains(1.0);

        Map<String, Shape> expected = new TreeMap<>();
        Shape counter = new Shape("counter", List.of());
        for (String f : List.of("buffers_clean_total", "maxwritten_clean_total", "buffers_alloc_total", "stats_reset_total")) {
            expected.put("pg_stat_bgwriter_" + f, counter);
        }
        if (pg17) {
            for (String f : List.of("num_timed_total", "num_requested_total", "restartpoints_timed_total",
                                    "restartpoints_req_total", "restartpoints_done_total", "write_time_total",
                                    "sync_time_total", "buffers_written_total", "stats_reset_total")) {
                expected.put("pg_stat_checkpointer_" + f, counter);
            }
        } else {
            for (String f : List.of("checkpoints_timed_total", "checkpoints_req_total", "checkpoint_write_time_total",
                                    "checkpoint_sync_time_total", "buffers_checkpoint_total", "buffers_backend_total",
                                    "buffers_backend_fsync_total")) {
                expected.put("pg_stat_bgwriter_" + f, counter);
            }
        }
        assertThat(shapesWithPrefix(m, "pg_stat_bgwriter_", "pg_stat_checkpointer_")).isEqualTo(expected);

        assertThat(value(m, "pg_stat_bgwriter_stats_reset_total"))
                .hasValueSatisfying(v -> assertThat(v).isBetween(before, after).isEqualTo(Math.rint(v)));
        assertThat(value(m, "pg_stat_bgwriter_buffers_alloc_total")).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(0));
        if (pg17) {
            assertThat(value(m, "pg_stat_checkpointer_num_requested_total")).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1));
            assertThat(value(m, "pg_stat_checkpointer_stats_reset_total"))
                    .hasValueSatisfying(v -> assertThat(v).isBetween(before, after).isEqualTo(Math.rint(v)));
        } else {
            assertThat(value(m, "pg_stat_bgwriter_checkpoints_req_total")).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1));
        }
    }

    // ---------------------------------------------------------------------------------------------- stat_statements

    private static CollectorOptions.StatStatements statements(boolean includeQuery, int queryLength, int limit,
                                                              List<String> excludeDatabases, List<String> excludeUsers) {
        return new CollectorOptions.StatStatements(includeQuery, queryLength, limit, excludeDatabases, excludeUsers);
    }

    private static void run(PgServer pg, String database, String user, String sql, int times) throws SQLException {
        try (Connection c = user == null ? pg.connectAsSuperuser(database) : pg.connect(database, user, PASSWORD);
             Statement st = c.createStatement()) {
            for (int i = 0; i < times; i++) {
                st.executeQuery(sql).close();
            }
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void statStatementsFollowsItsOptions(String major) throws Exception {
        MonitoredServer mon = MonitoredServer.shared(major, MONITOR, PASSWORD);
        PgServer pg = mon.server();
        pg.createRole(APP, PASSWORD);
        for (String db : List.of(STMT_DB, NO_EXTENSION_DB)) {
            pg.createDatabase(db, null);
            pg.execute(db, "DROP TABLE IF EXISTS pgvigil_marker; CREATE TABLE pgvigil_marker (x int);"
                           + " INSERT INTO pgvigil_marker VALUES (1); GRANT SELECT ON pgvigil_marker TO " + APP);
        }
        pg.execute(STMT_DB, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        pg.execute(STMT_DB, "SELECT pg_stat_statements_reset()");
        String superuser = pg.superuser();
        // call counts far apart, so that the order by total time (and so LIMIT) is predictable
        run(pg, STMT_DB, null, HEAVY, 4);
        run(pg, STMT_DB, APP, HEAVY, 3);
        run(pg, NO_EXTENSION_DB, APP, HEAVY, 1);
        if (pg.majorVersion() >= 14) {
            // The same statement nested once more: a second row with the same (user, datname, queryid), toplevel false.
            try (Connection c = pg.connectAsSuperuser(STMT_DB); Statement st = c.createStatement()) {
                st.execute("SET pg_stat_statements.track = 'all'");
                st.execute("DO $$ BEGIN EXECUTE '" + HEAVY + "'; END $$");
            }
            assertThat(pg.queryDouble(STMT_DB, "SELECT count(*) FROM pg_stat_statements s WHERE s.query LIKE 'SELECT count(*) FROM pgvigil_marker m,%'"
                                                + " AND s.userid = '" + superuser + "'::regrole AND s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"))
                    .as("duplicate rows in pg_stat_statements").isEqualTo(2);
        }
        String whereA = " FROM pg_stat_statements s WHERE s.query LIKE 'SELECT count(*) FROM pgvigil_marker m,%' AND s.userid = '" + superuser
                        + "'::regrole AND s.dbid = (SELECT oid FROM pg_database WHERE datname = '" + STMT_DB + "')";
        String queryIdA = pg.queryString(STMT_DB, "SELECT queryid::text" + whereA + " ORDER BY s.calls DESC LIMIT 1");
        double secondsA = pg.queryDouble(STMT_DB, "SELECT total_exec_time / 1000.0" + whereA + " ORDER BY s.calls DESC LIMIT 1");
        String queryIdB = pg.queryString(STMT_DB, "SELECT s.queryid::text FROM pg_stat_statements s WHERE s.query LIKE 'SELECT count(*) FROM pgvigil_marker m,%'"
                                                 + " AND s.dbid = (SELECT oid FROM pg_database WHERE datname = '" + NO_EXTENSION_DB + "')");

        // include_query, query text cut to 20 characters
        MetricSnapshots m = scrape(mon, STMT_DB, statements(true, 20, 100, List.of(), List.of()), "stat_statements");
        assertThat(value(m, "pg_scrape_collector_success", "collector", "stat_statements")).contains(1.0);
        List<String> labels = List.of("datname", "queryid", "user");
        Map<String, Shape> expected = new TreeMap<>();
        for (String f : List.of("calls_total", "seconds_total", "rows_total", "block_read_seconds_total", "block_write_seconds_total")) {
            expected.put("pg_stat_statements_" + f, new Shape("counter", labels));
        }
        expected.put("pg_stat_statements_query_id", new Shape("counter", List.of("query", "queryid")));
        assertThat(shapesWithPrefix(m, "pg_stat_statements_")).isEqualTo(expected);

        String[] superA = {"user", superuser, "datname", STMT_DB, "queryid", queryIdA};
        assertThat(value(m, "pg_stat_statements_calls_total", superA)).contains(4.0);
        assertThat(value(m, "pg_stat_statements_rows_total", superA)).contains(4.0);
        assertThat(value(m, "pg_stat_statements_seconds_total", superA))
                .hasValueSatisfying(v -> assertThat(v).isCloseTo(secondsA, within(1e-9)).isGreaterThan(0));
        assertThat(value(m, "pg_stat_statements_block_read_seconds_total", superA)).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(0));
        assertThat(value(m, "pg_stat_statements_calls_total", "user", APP, "datname", STMT_DB, "queryid", queryIdA)).contains(3.0);
        assertThat(value(m, "pg_stat_statements_calls_total", "user", APP, "datname", NO_EXTENSION_DB, "queryid", queryIdB)).contains(1.0);
        // once per queryid (two users ran it), the text cut to query_length characters
        assertThat(value(m, "pg_stat_statements_query_id", "queryid", queryIdA, "query", "SELECT count(*) FROM")).contains(1.0);
        assertThat(labelValues(m, "pg_stat_statements_query_id", "queryid")).containsOnlyOnce(queryIdA);
        assertThat(labelValues(m, "pg_stat_statements_query_id", "query")).allSatisfy(q -> assertThat(q.length()).isLessThanOrEqualTo(20));

        // defaults: no query text family
        MetricSnapshots plain = scrape(mon, STMT_DB, "stat_statements");
        assertThat(shapes(plain)).doesNotContainKey("pg_stat_statements_query_id");
        assertThat(value(plain, "pg_stat_statements_calls_total", superA)).contains(4.0);

        // exclude_users, exclude_databases (names are trimmed, blanks ignored)
        MetricSnapshots noApp = scrape(mon, STMT_DB, statements(false, 120, 0, List.of(), List.of(" " + APP, " ")), "stat_statements");
        assertThat(labelValues(noApp, "pg_stat_statements_calls_total", "user")).isNotEmpty().doesNotContain(APP);
        assertThat(value(noApp, "pg_stat_statements_calls_total", superA)).contains(4.0);
        MetricSnapshots noA = scrape(mon, STMT_DB, statements(false, 120, 0, List.of(STMT_DB), List.of()), "stat_statements");
        assertThat(labelValues(noA, "pg_stat_statements_calls_total", "datname")).isNotEmpty().doesNotContain(STMT_DB);
        assertThat(value(noA, "pg_stat_statements_calls_total", "user", APP, "datname", NO_EXTENSION_DB, "queryid", queryIdB)).contains(1.0);

        // limit: n statements, 0 means upstream's 100
        assertThat(count(scrape(mon, STMT_DB, statements(false, 120, 1, List.of(), List.of()), "stat_statements"),
                         "pg_stat_statements_calls_total")).isEqualTo(1);
        assertThat(count(scrape(mon, STMT_DB, statements(false, 120, 2, List.of(), List.of()), "stat_statements"),
                         "pg_stat_statements_calls_total")).isEqualTo(2);
        long all = count(scrape(mon, STMT_DB, statements(false, 120, 100, List.of(), List.of()), "stat_statements"),
                         "pg_stat_statements_calls_total");
        assertThat(all).isGreaterThanOrEqualTo(3);
        assertThat(count(scrape(mon, STMT_DB, statements(false, 120, 0, List.of(), List.of()), "stat_statements"),
                         "pg_stat_statements_calls_total")).isGreaterThanOrEqualTo(all);

        // no CREATE EXTENSION in the connected database: the collector fails, nothing is emitted
        MetricSnapshots missing = scrape(mon, NO_EXTENSION_DB, "stat_statements");
        assertThat(value(missing, "pg_up")).contains(1.0);
        assertThat(value(missing, "pg_scrape_collector_success", "collector", "stat_statements")).contains(0.0);
        assertThat(shapesWithPrefix(missing, "pg_stat_statements_")).isEmpty();
    }

    private static String sql(ServerVersion version, CollectorOptions.StatStatements options) {
        return StatStatementsCollector.statement(options).forVersion(version)
                .orElseThrow(() -> new AssertionError("no statement for " + version));
    }

    @Test
    void statStatementsSqlFollowsTheMajorAndTheOptions() {
        CollectorOptions.StatStatements defaults = CollectorOptions.StatStatements.defaults();
        String pg16 = sql(new ServerVersion(160004), defaults);
        assertThat(pg16).contains("s.total_exec_time / 1000.0 AS seconds_total", "s.blk_read_time / 1000.0",
                                  "s.blk_write_time / 1000.0", "pg_stat_statements(false) s", "LIMIT 100")
                .doesNotContain("shared_blk", "query,", "{");
        String pg17 = sql(new ServerVersion(170002), defaults);
        assertThat(pg17).contains("s.shared_blk_read_time / 1000.0", "s.shared_blk_write_time / 1000.0");
        String pg12 = sql(new ServerVersion(120010), defaults);
        assertThat(pg12).contains("s.total_time / 1000.0 AS seconds_total", "ORDER BY p.total_time");
        String options = sql(new ServerVersion(180001), statements(true, 7, 0, List.of(), List.of()));
        assertThat(options).contains("left(s.query, 7) AS query,", "pg_stat_statements(true) s", "LIMIT 100");
        assertThat(sql(new ServerVersion(180001), statements(false, 7, 5, List.of(), List.of())))
                .contains("LIMIT 5");
    }
}
