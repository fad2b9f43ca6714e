package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSlots;
import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.connect.Lease;
import io.pgvigil.connect.PoolOptions;
import io.pgvigil.connect.PooledSource;
import io.pgvigil.dsn.ConnectionBudget;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.pgvigil.testkit.Snapshots.value;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-server budget under a fleet's load: a private server with {@code max_connections = 20} (3 reserved for
 * superusers, 2 {@code reserved_connections}: 15 available) and 60 databases, each scraped concurrently and repeatedly
 * through the real pool and scraper (server-wide sharing and its background collection included). pg_stat_activity,
 * sampled all along, must never show more sessions of pgvigil's role than the budget, and every target must answer
 * {@code pg_up 1}.
 */
class ServerBudgetScrapingTest {
    private static final String ROLE = "pgvigil_fleet_monitor";
    private static final String PASSWORD = "fl33t-Pa55word";
    private static final int DATABASES = 60;
    private static final int ROUNDS = 2;
    private static final Duration SCRAPE = Duration.ofSeconds(60);

    private static PgServer pg;
    private static MonitoredServer mon;

    @BeforeAll
    static void fleet() {
        pg = PgServer.start(MonitoredServer.majors().getLast());
        pg.execute("postgres", "ALTER SYSTEM SET max_connections = 20");
        if (pg.majorVersion() >= 16) {
            pg.execute("postgres", "ALTER SYSTEM SET reserved_connections = 2");
        }
        pg.restart();
        mon = MonitoredServer.create(pg, ROLE, PASSWORD);
        for (int i = 0; i < DATABASES; i++) {
            pg.createDatabase(database(i), null);
        }
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    private static String database(int i) {
        return String.format("pgvigil_fleet_%02d", i);
    }

    private static int available() {
        return 20 - 3 - (pg.majorVersion() >= 16 ? 2 : 0);
    }

    @ParameterizedTest(name = "budget {0}")
    @CsvSource({
            "5%",   // the default: 5% of 15 is 0.75, so 1
            "25%"}) // 3 of 15 (it would be 4 of 17 if the reserved connections were not subtracted)
    void sixtyDatabasesTakeTurnsWithinTheBudgetAndAllAnswer(String budgetText) throws Exception {
        ConnectionBudget budget = ConnectionBudget.parse(budgetText);
        int expected = budget.connections(java.util.OptionalInt.of(available()));
        try (PooledSource pool = ConnectionSource.pooled(new PoolOptions(100, Duration.ofMinutes(5), Duration.ofSeconds(1), budget));
             ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor()) {
            Scraper scraper = new Scraper(pool, CollectorCatalog.enabledByDefault());
            Sampler sampler = new Sampler();
            Thread sampling = Thread.ofPlatform().name("pg_stat_activity-sampler").start(sampler);
            List<Double> up = new ArrayList<>();
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    List<Future<MetricSnapshots>> scrapes = new ArrayList<>();
                    for (int i = 0; i < DATABASES; i++) {
                        ConnectionSpec target = ConnectionSpec.parse(mon.dsn(database(i)));
                        scrapes.add(probes.submit(() -> scraper.scrape(target, SCRAPE)));
                    }
                    for (Future<MetricSnapshots> scrape : scrapes) {
                        up.add(value(scrape.get(2, TimeUnit.MINUTES), "pg_up").orElse(-1.0));
                    }
                }
            } finally {
                sampler.stop.set(true);
                sampling.join(TimeUnit.MINUTES.toMillis(1));
            }
            assertThat(sampler.samples.get()).as("pg_stat_activity was sampled during the run").isGreaterThan(10);
            assertThat(sampler.max.get()).as("most sessions of pgvigil seen at once").isBetween(1, expected);
            assertThat(up).hasSize(DATABASES * ROUNDS).containsOnly(1.0);

            PooledSource.ServerStats server = pool.servers().getFirst();
            assertThat(server.server()).isEqualTo(mon.target());
            assertThat(server.budget()).isEqualTo(expected);
            assertThat(server.open()).isLessThanOrEqualTo(expected);
            assertThat(server.rotations()).as("databases took turns").isPositive();
            assertThat(server.timeouts()).isZero();
            try (Lease lease = pool.lease(ConnectionSpec.parse(mon.dsn(database(0))), System.nanoTime() + SCRAPE.toNanos())) {
                assertThat(lease.server().slots()).contains(new ConnectionSlots(20, 3, available() == 15 ? 2 : 0));
            }
        }
    }

    /** Counts the sessions of pgvigil's role in pg_stat_activity, as often as it can, until stopped. */
    private static final class Sampler implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger max = new AtomicInteger();
        final AtomicInteger samples = new AtomicInteger();

        @Override
        public void run() {
            try (Connection c = pg.connectAsSuperuser("postgres"); Statement st = c.createStatement()) {
                while (!stop.get()) {
                    // pg_stat_activity is a snapshot per transaction: autocommit gives a fresh one every time.
                    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + ROLE + "'")) {
                        rs.next();
                        max.accumulateAndGet(rs.getInt(1), Math::max);
                        samples.incrementAndGet();
                    }
                    Thread.sleep(2);
                }
            } catch (Exception e) {
                throw new IllegalStateException("sampling pg_stat_activity failed", e);
            }
        }
    }
}
