package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.connect.PoolOptions;
import io.pgvigil.connect.PooledSource;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static io.pgvigil.testkit.Snapshots.count;
import static io.pgvigil.testkit.Snapshots.series;
import static io.pgvigil.testkit.Snapshots.value;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upstream's legacy auto-discovery on the default data source, against a private server (so the set of databases
 * is exactly the test's): which databases are scraped, as "master" or not, the include and exclude lists, databases
 * created and dropped between scrapes, a database the role may not connect to, and the connections kept in the pool
 * under its cap. A discovered database runs only the {@link DatabaseQueries}; the test's queries report
 * {@code current_database()} with the {@code master} flag the scraper gave them.
 */
class AutoDiscoveryTest {
    private static final String ROLE = "pgvigil_ad_monitor";
    private static final String PASSWORD = "ad-Pa55word";
    private static final String MAIN = "pgvigil_ad_main";
    private static final String FAMILY = "pg_discovery_test_up";
    private static final Duration BUDGET = Duration.ofSeconds(30);

    private static PgServer pg;
    private static MonitoredServer mon;

    private PooledSource pool;

    @BeforeAll
    static void server() {
        pg = PgServer.start(MonitoredServer.majors().getLast());
        mon = MonitoredServer.create(pg, ROLE, PASSWORD);
        for (String db : List.of(MAIN, "alpha", "beta")) {
            pg.createDatabase(db, null);
        }
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    @BeforeEach
    void openPool() {
        pool = ConnectionSource.pooled(new PoolOptions(10, Duration.ofMinutes(5), Duration.ofSeconds(1)));
    }

    @AfterEach
    void closePool() {
        pool.close();
    }

    /** Reports the database it runs on, labelled with whether it was scraped as the master. */
    private static final DatabaseQueries REPORT_DATABASE = (run, master, out) -> {
        try (Statement st = run.lease().connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            out.gauge(FAMILY, "test query", "datname", "master", "server")
                    .add(1, rs.getString(1), String.valueOf(master), run.session().server());
            return true;
        } catch (SQLException e) {
            return false;
        }
    };

    private Scraper scraper() {
        return new Scraper(pool, Set.of("database"), ScrapeOptions.defaults(), REPORT_DATABASE);
    }

    private static Optional<ConnectionSpec> main() {
        return Optional.of(ConnectionSpec.parse(mon.dsn(MAIN)));
    }

    private static AutoDiscovery discover(List<String> include, List<String> exclude) {
        return new AutoDiscovery(true, include, exclude);
    }

    /** {@return datname to master flag of every database the answer has the test query's series for} */
    private static Map<String, String> scraped(MetricSnapshots m) {
        Map<String, String> out = new TreeMap<>();
        for (Map<String, String> s : series(m, FAMILY)) {
            assertThat(out.put(s.get("datname"), s.get("master"))).as("one series per database").isNull();
            assertThat(s.get("server")).isEqualTo(mon.target());
        }
        return out;
    }

    /**
     * Wired as the application wires it (no test hook): the custom queries of {@code --extend.query-path} run on the
     * data source's own database, and on each discovered one only those not marked {@code master: true}.
     */
    @Test
    void discoveredDatabasesRunTheCustomQueriesThatAreNotMasterOnly() {
        List<UserQueries.Column> columns = List.of(
                new UserQueries.Column("datname", UserQueries.Usage.LABEL, "database"),
                new UserQueries.Column("up", UserQueries.Usage.GAUGE, "always 1"));
        String sql = "SELECT current_database() AS datname, 1 AS up";
        Scraper scraper = new Scraper(pool, Set.of("database"), ScrapeOptions.defaults());
        scraper.userQueries(new UserQueries(List.of(
                new UserQueries.Namespace("pg_everywhere", sql, false, Duration.ZERO, version -> true, columns),
                new UserQueries.Namespace("pg_masteronly", sql, true, Duration.ZERO, version -> true, columns),
                new UserQueries.Namespace("pg_nodatname", "SELECT 1 AS up", false, Duration.ZERO, version -> true,
                                          List.of(columns.get(1)))),
                Optional.empty()));
        MetricSnapshots m = scraper.scrapeDefault(main(), discover(List.of(), List.of()), BUDGET);
        assertThat(series(m, "pg_everywhere_up")).extracting(s -> s.get("datname"))
                .containsExactlyInAnyOrder(MAIN, "postgres", "alpha", "beta");
        assertThat(series(m, "pg_masteronly_up")).extracting(s -> s.get("datname")).containsExactly(MAIN);
        // The same series from four databases (no label tells them apart) is reported once, never twice.
        assertThat(count(m, "pg_nodatname_up")).isEqualTo(1);
        assertThat(value(m, "pg_exporter_last_scrape_error")).contains(0.0);
    }

    @Test
    void everyOtherDatabaseThatAcceptsConnectionsIsScrapedAsNotMaster() {
        Scraper scraper = scraper();
        MetricSnapshots m = scraper.scrapeDefault(main(), discover(List.of(), List.of()), BUDGET);
        // Templates (template0 does not even allow connections) are left out; the data source's own database is the
        // master and is scraped once.
        assertThat(scraped(m)).isEqualTo(Map.of(MAIN, "true", "postgres", "false", "alpha", "false", "beta", "false"));
        assertThat(value(m, "pg_up")).contains(1.0);
        assertThat(value(m, "pg_exporter_last_scrape_error")).contains(0.0);
        // The master alone gets pg_static and the collectors.
        assertThat(count(m, "pg_static")).isEqualTo(1);
        assertThat(count(m, "pg_scrape_collector_success")).isEqualTo(1);
        assertThat(value(m, "pg_scrape_collector_success", "collector", "database")).contains(1.0);
    }

    @Test
    void withoutDiscoveryOrOnAProbeOnlyTheTargetIsScraped() {
        Scraper scraper = scraper();
        assertThat(scraped(scraper.scrapeDefault(main(), BUDGET))).isEqualTo(Map.of(MAIN, "true"));
        assertThat(scraped(scraper.scrapeDefault(main(), AutoDiscovery.off(), BUDGET))).isEqualTo(Map.of(MAIN, "true"));
        assertThat(scraped(scraper.scrape(main().orElseThrow(), BUDGET))).isEqualTo(Map.of(MAIN, "true"));
        assertThat(pool.stats().opened()).isEqualTo(1);
    }

    @Test
    void includeAndExcludeFilterTheDiscoveredDatabasesButNeverTheDataSourcesOwn() {
        Scraper scraper = scraper();
        assertThat(scraped(scraper.scrapeDefault(main(), discover(List.of("alpha"), List.of()), BUDGET)))
                .isEqualTo(Map.of(MAIN, "true", "alpha", "false"));
        assertThat(scraped(scraper.scrapeDefault(main(), discover(List.of(), List.of("alpha", "postgres")), BUDGET)))
                .isEqualTo(Map.of(MAIN, "true", "beta", "false"));
        // Both: included and not excluded.
        assertThat(scraped(scraper.scrapeDefault(main(), discover(List.of("alpha", "beta"), List.of("alpha")), BUDGET)))
                .isEqualTo(Map.of(MAIN, "true", "beta", "false"));
        // Exact names only, as upstream compares them.
        assertThat(scraped(scraper.scrapeDefault(main(), discover(List.of("ALPHA", "alph"), List.of()), BUDGET)))
                .isEqualTo(Map.of(MAIN, "true"));
        // The data source's own database is scraped whatever the lists say, and only as the master.
        assertThat(scraped(scraper.scrapeDefault(main(), discover(List.of(MAIN), List.of(MAIN)), BUDGET)))
                .isEqualTo(Map.of(MAIN, "true"));
        assertThat(scraped(scraper.scrapeDefault(main(), discover(List.of(MAIN, "beta"), List.of()), BUDGET)))
                .isEqualTo(Map.of(MAIN, "true", "beta", "false"));
    }

    @Test
    void databasesCreatedAndDroppedBetweenScrapesAppearAndDisappearOnKeptConnections() {
        Scraper scraper = scraper();
        AutoDiscovery only = discover(List.of("alpha", "gamma"), List.of());
        assertThat(scraped(scraper.scrapeDefault(main(), only, BUDGET))).isEqualTo(Map.of(MAIN, "true", "alpha", "false"));
        assertThat(pool.stats().opened()).isEqualTo(2);

        pg.createDatabase("gamma", null);
        assertThat(scraped(scraper.scrapeDefault(main(), only, BUDGET)))
                .isEqualTo(Map.of(MAIN, "true", "alpha", "false", "gamma", "false"));
        // The master's and alpha's connections were kept; only gamma needed a new session.
        assertThat(pool.stats().opened()).isEqualTo(3);
        assertThat(pool.stats().reused()).isEqualTo(2);

        pg.execute("postgres", "DROP DATABASE gamma WITH (FORCE)");
        MetricSnapshots after = scraper.scrapeDefault(main(), only, BUDGET);
        assertThat(scraped(after)).isEqualTo(Map.of(MAIN, "true", "alpha", "false"));
        assertThat(value(after, "pg_exporter_last_scrape_error")).contains(0.0);
        assertThat(pool.stats().opened()).isEqualTo(3);
        assertThat(pool.stats().reused()).isEqualTo(4);
    }

    @Test
    void aDiscoveredDatabaseThatRefusesTheRoleIsAnErrorButNotDown() {
        pg.createDatabase("locked", null);
        pg.execute("postgres", "REVOKE CONNECT ON DATABASE locked FROM PUBLIC");
        try {
            Scraper scraper = scraper();
            MetricSnapshots m = scraper.scrapeDefault(main(), discover(List.of("alpha", "locked", "beta"), List.of()), BUDGET);
            assertThat(scraped(m)).isEqualTo(Map.of(MAIN, "true", "alpha", "false", "beta", "false"));
            assertThat(value(m, "pg_up")).contains(1.0);
            assertThat(value(m, "pg_exporter_last_scrape_error")).contains(1.0);
        } finally {
            pg.execute("postgres", "DROP DATABASE locked");
        }
    }

    @Test
    void everyDiscoveredDatabaseIsScrapedWithinACapOfOneConnection() {
        try (PooledSource one = ConnectionSource.pooled(new PoolOptions(1, Duration.ofMinutes(5), Duration.ofSeconds(1)))) {
            Scraper scraper = new Scraper(one, Set.of("database"), ScrapeOptions.defaults(), REPORT_DATABASE);
            MetricSnapshots m = scraper.scrapeDefault(main(), discover(List.of(), List.of()), BUDGET);
            assertThat(scraped(m)).isEqualTo(Map.of(MAIN, "true", "postgres", "false", "alpha", "false", "beta", "false"));
            assertThat(value(m, "pg_exporter_last_scrape_error")).contains(0.0);
            // One connection at a time: each database's made room for the next (least recently used first).
            assertThat(one.stats().open()).isEqualTo(1);
            assertThat(one.stats().opened()).isEqualTo(4);
            assertThat(one.stats().capWaits()).isZero();
        }
    }

    @Test
    void theDataSourceDownMeansNoDiscovery() {
        Scraper scraper = scraper();
        Optional<ConnectionSpec> wrong = Optional.of(ConnectionSpec.parse(mon.withPassword("wrong").dsn(MAIN)));
        MetricSnapshots m = scraper.scrapeDefault(wrong, discover(List.of(), List.of()), BUDGET);
        assertThat(value(m, "pg_up")).contains(0.0);
        assertThat(count(m, FAMILY)).isZero();
        assertThat(pool.stats().opened()).isZero();
    }
}
