package io.pgvigil.app;

import io.pgvigil.collectors.Scraper;
import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.connect.PooledSource;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static io.pgvigil.testkit.Snapshots.requiredValue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --auto-discover-databases}, {@code --include-databases} and {@code --exclude-databases} from the command
 * line to the telemetry path's scrapes, against a real server: the discovered databases get sessions of their own,
 * kept in the pool between scrapes; {@code /probe} of the same data source discovers nothing; a discovered database
 * the role may not connect to makes {@code pg_exporter_last_scrape_error 1} with {@code pg_up 1}.
 */
class AutoDiscoveryWiringTest {
    private static final String ROLE = "pgvigil_adw_monitor";
    private static final String PASSWORD = "adw-Pa55word";
    private static final Duration BUDGET = Duration.ofSeconds(30);

    private static MonitoredServer mon;
    private static PgServer pg;

    @BeforeAll
    static void server() {
        mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), ROLE, PASSWORD);
        pg = mon.server();
        for (String db : List.of("pgvigil_adw_main", "pgvigil_adw_one", "pgvigil_adw_two")) {
            pg.createDatabase(db, null);
        }
    }

    private static Optional<ConnectionSpec> dataSource(String tag) {
        return Optional.of(ConnectionSpec.parse(mon.dsn("pgvigil_adw_main") + "&application_name=" + tag));
    }

    private static long sessions(String tag, String database) {
        return (long) pg.queryDouble("postgres", "SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND datname = ?",
                                     tag, database);
    }

    @Test
    void theFlagsDiscoverTheIncludedDatabasesOnKeptSessions() {
        String tag = "pgvigil_adw_flags";
        Cli.Options options = new Cli(v -> null).parse("--auto-discover-databases",
                                                       "--include-databases=pgvigil_adw_one,pgvigil_adw_two",
                                                       "--exclude-databases=pgvigil_adw_two", "--no-collector.database");
        try (PooledSource pool = ConnectionSource.pooled(options.pool())) {
            ScraperScrapes scrapes = new ScraperScrapes(new Scraper(pool, options.collectors(), options.scrape()),
                                                        dataSource(tag), options.discovery());
            for (int i = 0; i < 2; i++) {
                MetricSnapshots m = scrapes.metrics(BUDGET);
                assertThat(requiredValue(m, "pg_up")).isEqualTo(1);
                assertThat(requiredValue(m, "pg_exporter_last_scrape_error")).isZero();
            }
            assertThat(sessions(tag, "pgvigil_adw_main")).isEqualTo(1);
            assertThat(sessions(tag, "pgvigil_adw_one")).isEqualTo(1);
            assertThat(sessions(tag, "pgvigil_adw_two")).isZero();
            assertThat(sessions(tag, "postgres")).isZero();
            // Two sessions, each opened once and reused by the second scrape.
            assertThat(pool.stats().opened()).isEqualTo(2);
            assertThat(pool.stats().reused()).isEqualTo(2);
        }
    }

    @Test
    void aProbeOfTheDataSourceDiscoversNothing() {
        String tag = "pgvigil_adw_probe";
        Cli.Options options = new Cli(v -> null).parse("--auto-discover-databases", "--include-databases=pgvigil_adw_one");
        try (PooledSource pool = ConnectionSource.pooled(options.pool())) {
            ScraperScrapes scrapes = new ScraperScrapes(new Scraper(pool, options.collectors(), options.scrape()),
                                                        dataSource(tag), options.discovery());
            MetricSnapshots probed = scrapes.probe(dataSource(tag).orElseThrow(), BUDGET);
            assertThat(requiredValue(probed, "pg_up")).isEqualTo(1);
            assertThat(sessions(tag, "pgvigil_adw_one")).isZero();
            assertThat(pool.stats().opened()).isEqualTo(1);
        }
    }

    @Test
    void aDiscoveredDatabaseTheRoleMayNotConnectToIsAScrapeError() {
        String tag = "pgvigil_adw_locked";
        Cli.Options options = new Cli(v -> null).parse("--auto-discover-databases",
                                                       "--include-databases=pgvigil_adw_locked,pgvigil_adw_one");
        // Only for this test: other classes share the server, and some read every database's size.
        pg.createDatabase("pgvigil_adw_locked", null);
        pg.execute("postgres", "REVOKE CONNECT ON DATABASE pgvigil_adw_locked FROM PUBLIC");
        try (PooledSource pool = ConnectionSource.pooled(options.pool())) {
            ScraperScrapes scrapes = new ScraperScrapes(new Scraper(pool, options.collectors(), options.scrape()),
                                                        dataSource(tag), options.discovery());
            MetricSnapshots m = scrapes.metrics(BUDGET);
            assertThat(requiredValue(m, "pg_up")).isEqualTo(1);
            assertThat(requiredValue(m, "pg_exporter_last_scrape_error")).isEqualTo(1);
            assertThat(sessions(tag, "pgvigil_adw_one")).isEqualTo(1);
            // Without discovery the same data source scrapes cleanly.
            ScraperScrapes plain = new ScraperScrapes(new Scraper(pool, options.collectors(), options.scrape()), dataSource(tag));
            assertThat(requiredValue(plain.metrics(BUDGET), "pg_exporter_last_scrape_error")).isZero();
        } finally {
            pg.execute("postgres", "DROP DATABASE pgvigil_adw_locked");
        }
    }
}
