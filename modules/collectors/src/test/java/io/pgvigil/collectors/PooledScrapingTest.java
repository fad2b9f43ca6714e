package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.connect.Lease;
import io.pgvigil.connect.PoolOptions;
import io.pgvigil.connect.PooledSource;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static io.pgvigil.testkit.Snapshots.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The scraper on the pooled connection source: reuse, deadlines, single-flight, the cap and retries, against a
 * real server (the newest major of the matrix). The pool's sessions alone are tested in connect's ConnectionPoolTest.
 * Every test tags its sessions with its own {@code application_name}, so that it counts only its own backends on the
 * shared server.
 */
class PooledScrapingTest {
    private static final String ROLE = "pgvigil_pool_monitor";
    private static final String PASSWORD = "p00l-Pa55word";
    private static final String DB = "pgvigil_pool";
    /** A generous bound for things that must end (no timing is asserted within it). */
    private static final Duration BOUND = Duration.ofSeconds(60);

    private static MonitoredServer mon;
    private static PgServer pg;

    @BeforeAll
    static void server() {
        mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), ROLE, PASSWORD);
        pg = mon.server();
        pg.createDatabase(DB, null);
        pg.execute(DB, "CREATE TABLE IF NOT EXISTS locked_table (id int)");
    }

    private static ConnectionSpec spec(String database, String tag, String extra) {
        return ConnectionSpec.parse(mon.dsn(database) + "&application_name=" + tag + extra);
    }

    private static PooledSource pool(int max, Duration idle) {
        return ConnectionSource.pooled(new PoolOptions(max, idle, Duration.ofSeconds(1)));
    }

    private static long waitingOnLock(String tag) {
        return (long) pg.queryDouble("postgres", "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?"
                                                 + " AND wait_event_type = 'Lock'", tag);
    }

    /** Polls until {@code condition} holds; fails after a generous bound. */
    private static void await(String what, CheckedCondition condition) throws Exception {
        long end = System.nanoTime() + BOUND.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    @FunctionalInterface
    interface CheckedCondition {
        boolean holds() throws Exception;
    }

    /** Holds ACCESS EXCLUSIVE on {@code locked_table} until closed: pg_table_size() of stat_user_tables queues behind it. */
    private static Connection holdExclusiveLock() throws SQLException {
        Connection holder = pg.connectAsSuperuser(DB);
        holder.setAutoCommit(false);
        try (Statement st = holder.createStatement()) {
            st.execute("LOCK TABLE locked_table IN ACCESS EXCLUSIVE MODE");
        }
        return holder;
    }

    @Test
    void secondScrapeReusesTheSessionOfTheFirst() throws Exception {
        String tag = "pgvigil_reuse";
        try (PooledSource pool = pool(10, Duration.ofMinutes(5))) {
            Scraper scraper = new Scraper(pool, CollectorCatalog.enabledByDefault());
            ConnectionSpec target = spec(DB, tag, "");
            MetricSnapshots first = scraper.scrape(target);
            List<Integer> afterFirst = pg.backendPids(tag);
            MetricSnapshots second = scraper.scrape(target);
            List<Integer> afterSecond = pg.backendPids(tag);

            assertThat(value(first, "pg_up")).contains(1.0);
            assertThat(value(second, "pg_up")).contains(1.0);
            assertThat(value(second, "pg_exporter_last_scrape_error")).contains(0.0);
            assertThat(afterFirst).hasSize(1);
            assertThat(afterSecond).isEqualTo(afterFirst);
            PooledSource.Stats stats = pool.stats();
            assertThat(stats.opened()).isEqualTo(1);
            assertThat(stats.reused()).isEqualTo(1);
            assertThat(stats.open()).isEqualTo(1);
            assertThat(stats.idle()).isEqualTo(1);
        }
    }

    @Test
    void concurrentScrapesOfOneTargetShareOneCollection() throws Exception {
        String tag = "pgvigil_coalesce";
        int followers = 4;
        try (PooledSource pool = pool(10, Duration.ofMinutes(5));
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Scraper scraper = new Scraper(pool, Set.of("stat_user_tables"));
            // The target's own lock_timeout (60s) wins over the pool's 1s, so the first scrape queues behind the lock.
            ConnectionSpec target = spec(DB, tag, "&lock_timeout=60s");
            List<Future<MetricSnapshots>> results = new ArrayList<>();
            try (Connection holder = holdExclusiveLock()) {
                results.add(threads.submit(() -> scraper.scrape(target)));
                await("the first scrape waits on the lock", () -> waitingOnLock(tag) == 1);
                for (int i = 0; i < followers; i++) {
                    results.add(threads.submit(() -> scraper.scrape(target)));
                }
                await("the others joined it", () -> scraper.stats().coalesced() == followers);
                holder.rollback();
            }
            MetricSnapshots first = results.getFirst().get();
            for (Future<MetricSnapshots> f : results) {
                assertThat(f.get()).isSameAs(first);
            }
            assertThat(value(first, "pg_scrape_collector_success", "collector", "stat_user_tables")).contains(1.0);
            assertThat(scraper.stats().collections()).isEqualTo(1);
            assertThat(pool.stats().opened()).isEqualTo(1);
        }
    }

    @Test
    void aJoinedScrapeStillAnswersByItsOwnDeadline() throws Exception {
        String tag = "pgvigil_join_deadline";
        try (PooledSource pool = pool(10, Duration.ofMinutes(5));
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Scraper scraper = new Scraper(pool, Set.of("stat_user_tables"));
            ConnectionSpec target = spec(DB, tag, "&lock_timeout=0");
            Future<MetricSnapshots> first;
            MetricSnapshots joined;
            try (Connection holder = holdExclusiveLock()) {
                first = threads.submit(() -> scraper.scrape(target, Duration.ofSeconds(50)));
                await("the first scrape waits on the lock", () -> waitingOnLock(tag) == 1);
                // The first scrape stays blocked until the lock is released below, after this one has answered.
                joined = assertTimeoutPreemptively(BOUND, () -> scraper.scrape(target, Duration.ofMillis(500)));
                holder.rollback();
            }
            assertThat(value(joined, "pg_up")).contains(0.0);
            assertThat(value(joined, "pg_scrape_collector_success", "collector", "stat_user_tables")).contains(0.0);
            assertThat(value(first.get(), "pg_scrape_collector_success", "collector", "stat_user_tables")).contains(1.0);
            Scraper.Stats stats = scraper.stats();
            assertThat(stats.coalesced()).isEqualTo(1);
            assertThat(stats.collections()).isEqualTo(1);
            assertThat(stats.deadlineHits()).isEqualTo(1);
        }
    }

    @Test
    void theCapIsNeverExceededUnderABurstOfTargets() throws Exception {
        String tag = "pgvigil_cap";
        int cap = 3;
        int targets = 12;
        for (int i = 0; i < targets; i++) {
            pg.createDatabase("pgvigil_cap_" + i, null);
        }
        try (PooledSource pool = pool(cap, Duration.ofMinutes(5));
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Scraper scraper = new Scraper(pool, Set.of("database", "locks"));
            AtomicInteger maxSeen = new AtomicInteger();
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    maxSeen.accumulateAndGet(pool.stats().open(), Math::max);
                    Thread.onSpinWait();
                }
            });
            List<Future<MetricSnapshots>> results = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < targets; i++) {
                    ConnectionSpec target = spec("pgvigil_cap_" + i, tag, "");
                    results.add(threads.submit(() -> scraper.scrape(target, Duration.ofSeconds(50))));
                }
            }
            for (Future<MetricSnapshots> f : results) {
                assertThat(value(f.get(), "pg_up")).contains(1.0);
            }
            sampler.interrupt();
            sampler.join();
            PooledSource.Stats stats = pool.stats();
            assertThat(maxSeen.get()).isBetween(1, cap);
            assertThat(stats.open()).isLessThanOrEqualTo(cap);
            assertThat(stats.evictedLru()).isGreaterThan(0);
            await("the server sees at most the cap", () -> pg.backendPids(tag).size() <= cap);
        }
    }

    @Test
    void aFullCapGivesPgUpZeroAtTheDeadline() throws Exception {
        try (PooledSource pool = pool(1, Duration.ofMinutes(5))) {
            Scraper scraper = new Scraper(pool, Set.of("database"));
            try (Lease busy = pool.lease(spec(DB, "pgvigil_full_a", ""), System.nanoTime() + BOUND.toNanos())) {
                MetricSnapshots m = assertTimeoutPreemptively(BOUND, () ->
                        scraper.scrape(spec(DB, "pgvigil_full_b", ""), Duration.ofMillis(300)));
                assertThat(value(m, "pg_up")).contains(0.0);
                assertThat(busy.connection().isClosed()).isFalse();
            }
            PooledSource.Stats stats = pool.stats();
            assertThat(stats.capWaits()).isEqualTo(1);
            assertThat(stats.capTimeouts()).isEqualTo(1);
            assertThat(stats.open()).isEqualTo(1);
            assertThat(scraper.stats().deadlineHits()).isEqualTo(1);
        }
    }

    @Test
    void theDeadlineEndsACollectorThatWaitsAndKeepsTheConnection() throws Exception {
        String tag = "pgvigil_deadline";
        try (PooledSource pool = pool(10, Duration.ofMinutes(5))) {
            Scraper scraper = new Scraper(pool, Set.of("database", "stat_user_tables"));
            ConnectionSpec target = spec(DB, tag, "&lock_timeout=0");
            MetricSnapshots m;
            try (Connection holder = holdExclusiveLock()) {
                // Without the deadline, the scrape would wait for the lock for as long as it is held (beyond BOUND).
                m = assertTimeoutPreemptively(BOUND, () -> scraper.scrape(target, Duration.ofSeconds(2)));
                holder.rollback();
            }
            assertThat(value(m, "pg_up")).contains(1.0);
            assertThat(value(m, "pg_scrape_collector_success", "collector", "database")).contains(1.0);
            assertThat(value(m, "pg_scrape_collector_success", "collector", "stat_user_tables")).contains(0.0);
            assertThat(scraper.stats().deadlineHits()).isEqualTo(1);
            // A server-side statement timeout leaves the session usable: it is kept and serves the next scrape.
            assertThat(pool.stats().retired()).isZero();
            MetricSnapshots next = scraper.scrape(target, Duration.ofSeconds(20));
            assertThat(value(next, "pg_scrape_collector_success", "collector", "stat_user_tables")).contains(1.0);
            assertThat(pool.stats().opened()).isEqualTo(1);
            assertThat(pool.stats().reused()).isEqualTo(1);
        }
    }

    @Test
    void lockTimeoutStopsTheScrapeFromQueueingBehindAnExclusiveLock() throws Exception {
        try (PooledSource pool = pool(10, Duration.ofMinutes(5))) {
            Scraper scraper = new Scraper(pool, Set.of("stat_user_tables", "database"));
            ConnectionSpec target = spec(DB, "pgvigil_lock_timeout", "");
            MetricSnapshots m;
            try (Connection holder = holdExclusiveLock()) {
                // The scrape's budget is 50s; only the session's lock_timeout (1s) can end the wait before BOUND.
                m = assertTimeoutPreemptively(BOUND, () -> scraper.scrape(target, Duration.ofSeconds(50)));
                holder.rollback();
            }
            assertThat(value(m, "pg_scrape_collector_success", "collector", "stat_user_tables")).contains(0.0);
            assertThat(value(m, "pg_scrape_collector_success", "collector", "database")).contains(1.0);
            assertThat(scraper.stats().deadlineHits()).isZero();
            assertThat(pool.stats().retired()).isZero();
        }
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        String tag = "pgvigil_idle";
        try (PooledSource pool = pool(10, Duration.ofMillis(300))) {
            Scraper scraper = new Scraper(pool, Set.of("database"));
            assertThat(value(scraper.scrape(spec(DB, tag, "")), "pg_up")).contains(1.0);
            assertThat(pg.backendPids(tag)).hasSize(1);
            await("the idle connection is closed", () -> pool.stats().open() == 0);
            assertThat(pool.stats().evictedIdle()).isEqualTo(1);
            await("its backend is gone", () -> pg.backendPids(tag).isEmpty());
        }
    }

    /** A reload that changed the auth modules: idle sessions close at once, a session in use when it is given back. */
    @Test
    void retireAllClosesIdleSessionsNowAndBusyOnesWhenGivenBack() throws Exception {
        String idleTag = "pgvigil_retire_idle";
        String busyTag = "pgvigil_retire_busy";
        try (PooledSource pool = pool(10, Duration.ofMinutes(5))) {
            Scraper scraper = new Scraper(pool, Set.of("database"));
            assertThat(value(scraper.scrape(spec(DB, idleTag, "")), "pg_up")).contains(1.0);
            Lease busy = pool.lease(spec(DB, busyTag, ""), System.nanoTime() + BOUND.toNanos());
            List<Integer> busyBefore = pg.backendPids(busyTag);
            assertThat(pg.backendPids(idleTag)).hasSize(1);

            pool.retireAll();
            await("the idle session is closed", () -> pg.backendPids(idleTag).isEmpty());
            assertThat(pg.backendPids(busyTag)).isEqualTo(busyBefore);
            busy.close();
            await("the busy session is closed once given back", () -> pg.backendPids(busyTag).isEmpty());
            assertThat(pool.stats().retiredByReload()).isEqualTo(2);
            assertThat(pool.stats().open()).isZero();

            // Connections opened after the reload are kept as usual.
            assertThat(value(scraper.scrape(spec(DB, idleTag, "")), "pg_up")).contains(1.0);
            assertThat(value(scraper.scrape(spec(DB, idleTag, "")), "pg_up")).contains(1.0);
            assertThat(pool.stats().idle()).isEqualTo(1);
            assertThat(pool.stats().reused()).isEqualTo(1);
        }
    }

    @Test
    void aServerRestartBetweenScrapesIsFollowedByASuccessfulScrape() throws Exception {
        try (PgServer own = PgServer.start(MonitoredServer.majors().getLast());
             PooledSource pool = pool(10, Duration.ofMinutes(5))) {
            ConnectionSpec target = ConnectionSpec.parse(MonitoredServer.create(own, ROLE, PASSWORD).dsn("postgres"));
            Scraper scraper = new Scraper(pool, CollectorCatalog.enabledByDefault());
            assertThat(value(scraper.scrape(target), "pg_up")).contains(1.0);
            own.restart();
            MetricSnapshots after = scraper.scrape(target);
            assertThat(value(after, "pg_up")).contains(1.0);
            assertThat(value(after, "pg_exporter_last_scrape_error")).contains(0.0);
            assertThat(pool.stats().retired()).isEqualTo(1);
            assertThat(pool.stats().opened()).isEqualTo(2);
        }
    }
}
