package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.connect.Lease;
import io.pgvigil.connect.PoolOptions;
import io.pgvigil.connect.PooledSource;
import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.pgvigil.testkit.Snapshots.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A target's or auth module's {@code statement_timeout} is an upper bound on every statement of a scrape: the
 * scrape deadline may lower it, never raise it. A collector is made slow by holding {@code ACCESS EXCLUSIVE} on a
 * user table ({@code stat_user_tables} calls {@code pg_table_size()}), with {@code lock_timeout=0} so that only a
 * statement timeout can end the wait; the scrape's budget (50 s) is far beyond the configured bound (1 s).
 */
class StatementTimeoutBoundTest {
    private static final String ROLE = "pgvigil_st_monitor";
    private static final String PASSWORD = "st-Pa55word";
    private static final String DB = "pgvigil_st";
    /** Beyond the scrape budget: the test only ends when the scrape does, it measures nothing. */
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final Duration BUDGET = Duration.ofSeconds(50);

    private static MonitoredServer mon;
    private static PgServer pg;

    @BeforeAll
    static void server() {
        mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), ROLE, PASSWORD);
        pg = mon.server();
        pg.createDatabase(DB, null);
        pg.execute(DB, "CREATE TABLE IF NOT EXISTS locked_table (id int)");
    }

    private static ConnectionSpec spec(String tag, String extra) {
        return ConnectionSpec.parse(mon.dsn(DB) + "&application_name=" + tag + "&lock_timeout=0" + extra);
    }

    private static PooledSource pool() {
        return ConnectionSource.pooled(new PoolOptions(10, Duration.ofMinutes(5), Duration.ofSeconds(1)));
    }

    private static Connection holdExclusiveLock() throws SQLException {
        Connection holder = pg.connectAsSuperuser(DB);
        holder.setAutoCommit(false);
        try (Statement st = holder.createStatement()) {
            st.execute("LOCK TABLE locked_table IN ACCESS EXCLUSIVE MODE");
        }
        return holder;
    }

    /** Scrapes {@code target} while the lock is held, so stat_user_tables waits until a timeout ends it. */
    private static MetricSnapshots scrapeBehindLock(Scraper scraper, ConnectionSpec target, Duration budget) throws Exception {
        try (Connection holder = holdExclusiveLock()) {
            MetricSnapshots m = assertTimeoutPreemptively(BOUND, () -> scraper.scrape(target, budget));
            holder.rollback();
            return m;
        }
    }

    private static void assertCancelledByTheBound(Scraper scraper, PooledSource pool, MetricSnapshots m) {
        assertThat(value(m, "pg_up")).contains(1.0);
        assertThat(value(m, "pg_scrape_collector_success", "collector", "database")).contains(1.0);
        assertThat(value(m, "pg_scrape_collector_success", "collector", "stat_user_tables")).contains(0.0);
        // Ended by the configured statement timeout, long before the deadline.
        assertThat(scraper.stats().deadlineHits()).isZero();
        assertThat(pool.stats().retired()).isZero();
    }

    @Test
    void theTargetsStatementTimeoutEndsASlowStatementBeforeTheDeadline() throws Exception {
        try (PooledSource pool = pool()) {
            Scraper scraper = new Scraper(pool, Set.of("database", "stat_user_tables"));
            ConnectionSpec target = spec("pgvigil_st_target", "&statement_timeout=1s");
            assertCancelledByTheBound(scraper, pool, scrapeBehindLock(scraper, target, BUDGET));
            // The bound holds on the kept connection too, not only on the scrape that opened it.
            assertCancelledByTheBound(scraper, pool, scrapeBehindLock(scraper, target, BUDGET));
            assertThat(pool.stats().opened()).isEqualTo(1);
            // Without the lock the same bound leaves the collector alone.
            MetricSnapshots free = scraper.scrape(target, BUDGET);
            assertThat(value(free, "pg_scrape_collector_success", "collector", "stat_user_tables")).contains(1.0);
        }
    }

    @Test
    void anAuthModulesStatementTimeoutOptionEndsASlowStatementBeforeTheDeadline() throws Exception {
        try (PooledSource pool = pool()) {
            Scraper scraper = new Scraper(pool, Set.of("database", "stat_user_tables"));
            AuthModule module = new AuthModule("bounded", new Credentials.UserPass(ROLE, Secret.of(PASSWORD)),
                                               Map.of("statement_timeout", "1000"));
            ConnectionSpec target = spec("pgvigil_st_module", "").withAuthModule(module);
            assertCancelledByTheBound(scraper, pool, scrapeBehindLock(scraper, target, BUDGET));
        }
    }

    @Test
    void aStatementTimeoutInTheStartupOptionsIsABoundToo() throws Exception {
        try (PooledSource pool = pool()) {
            Scraper scraper = new Scraper(pool, Set.of("database", "stat_user_tables"));
            ConnectionSpec target = spec("pgvigil_st_options", "&options=-c%20statement_timeout%3D1000");
            assertCancelledByTheBound(scraper, pool, scrapeBehindLock(scraper, target, BUDGET));
        }
    }

    @Test
    void theDeadlineStillLowersALongerStatementTimeout() throws Exception {
        try (PooledSource pool = pool()) {
            Scraper scraper = new Scraper(pool, Set.of("database", "stat_user_tables"));
            ConnectionSpec target = spec("pgvigil_st_longer", "&statement_timeout=10min");
            MetricSnapshots m = scrapeBehindLock(scraper, target, Duration.ofSeconds(2));
            assertThat(value(m, "pg_scrape_collector_success", "collector", "database")).contains(1.0);
            assertThat(value(m, "pg_scrape_collector_success", "collector", "stat_user_tables")).contains(0.0);
            assertThat(scraper.stats().deadlineHits()).isEqualTo(1);
        }
    }

    @Test
    void theSessionsOwnStatementTimeoutIsLearntWhenTheConnectionOpens() throws Exception {
        try (PooledSource pool = pool()) {
            long deadline = System.nanoTime() + BOUND.toNanos();
            try (Lease bounded = pool.lease(spec("pgvigil_st_learn", "&statement_timeout=2.5s"), deadline);
                 Lease unbounded = pool.lease(spec("pgvigil_st_learn", ""), deadline)) {
                assertThat(bounded.server().statementTimeout()).contains(Duration.ofMillis(2500));
                assertThat(unbounded.server().statementTimeout()).isEqualTo(Optional.empty());
            }
        }
    }
}
