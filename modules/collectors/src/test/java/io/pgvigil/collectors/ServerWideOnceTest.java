package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.ServerWide;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import io.pgvigil.testkit.Snapshots;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.pgvigil.testkit.Snapshots.labelValues;
import static io.pgvigil.testkit.Snapshots.value;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --collection.server-wide=once}: a target other than the server target answers with its per-database
 * families only and runs no server-wide query; the server target (no database, or {@code postgres}) answers as in
 * {@code every-target}; an explicit mode per scrape (an auth module's {@code server_wide}) wins over the option.
 */
class ServerWideOnceTest {
    private static final String ROLE = "pgvigil_once";
    private static final String APP = "once_app";
    /**
     * Words in the queries of the server-wide collectors, none of which a per-database collector's query holds:
     * their views, and for settings its {@code vartype} (opening a connection reads {@code pg_settings} too).
     */
    private static final List<String> SERVER_WIDE_VIEWS =
            List.of("pg_locks", "pg_stat_activity", "vartype", "pg_stat_database", "pg_roles", "pg_stat_bgwriter");

    private static MonitoredServer monitored(String major) {
        MonitoredServer mon = MonitoredServer.shared(major, ROLE, MonitoredServer.DEFAULT_PASSWORD);
        PgServer pg = mon.server();
        pg.createDatabase(APP, null);
        pg.execute(APP, "CREATE TABLE IF NOT EXISTS once_only (id int); INSERT INTO once_only VALUES (1);"
                        + " CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        return mon;
    }

    private static ScrapeOptions options(ServerWide mode) {
        return new ScrapeOptions(CollectorOptions.defaults(), LegacyOptions.defaults(), Duration.ofMinutes(1),
                                 Duration.ZERO, mode);
    }

    private static Scraper scraper(ServerWide mode, Set<String> collectors) {
        return new Scraper(ConnectionSource.fresh(), collectors, options(mode));
    }

    private static Scraper scraper(ServerWide mode) {
        return scraper(mode, CollectorCatalog.enabledByDefault());
    }

    private static ConnectionSpec target(MonitoredServer mon, String database) {
        return ConnectionSpec.parse(mon.dsn(database));
    }

    private static Set<String> families(MetricSnapshots m) {
        Set<String> out = new TreeSet<>();
        for (MetricSnapshot s : m) {
            out.add(s.getMetadata().getOriginalName());
        }
        return out;
    }

    /** The default collectors of one kind: those whose families are server-wide, or the per-database ones. */
    private static Set<String> collectors(boolean serverWide) {
        Set<String> out = new TreeSet<>();
        CollectorCatalog.select(CollectorCatalog.enabledByDefault()).stream()
                .filter(c -> c.scope().serverWide() == serverWide).forEach(c -> out.add(c.name()));
        return out;
    }

    /** The families those collectors report for {@code database} (every-target), without the exporter's own. */
    private static Set<String> familiesOf(MonitoredServer mon, String database, boolean serverWide) {
        Set<String> out = families(scraper(ServerWide.EVERY_TARGET, collectors(serverWide)).scrape(target(mon, database)));
        out.removeIf(Snapshots::isExporterFamily);
        return out;
    }

    private static void assertNoServerWideFamily(MetricSnapshots page, Set<String> serverWideFamilies) {
        assertThat(families(page)).doesNotContainAnyElementsOf(serverWideFamilies)
                .doesNotContain("pg_static").noneMatch(f -> f.startsWith("pg_stat_database_conflicts"));
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void aPerDatabaseTargetHasItsOwnFamiliesOnlyAndTheServerTargetHasAll(String major) {
        MonitoredServer mon = monitored(major);
        Set<String> serverWide = familiesOf(mon, APP, true);
        Set<String> perDatabase = familiesOf(mon, APP, false);
        assertThat(serverWide).contains("pg_database_size_bytes", "pg_stat_database_xact_commit", "pg_locks_count",
                                        "pg_settings_max_connections");
        assertThat(perDatabase).contains("pg_stat_user_tables_seq_scan");

        MetricSnapshots app = scraper(ServerWide.ONCE).scrape(target(mon, APP));
        assertThat(value(app, "pg_up")).contains(1.0);
        assertThat(value(app, "pg_exporter_last_scrape_error")).contains(0.0);
        assertNoServerWideFamily(app, serverWide);
        assertThat(families(app)).containsAll(perDatabase).contains("pg_exporter_scrapes_total",
                                                                     "pg_exporter_last_scrape_duration_seconds");
        assertThat(value(app, "pg_stat_user_tables_seq_scan", "datname", APP, "schemaname", "public", "relname", "once_only"))
                .isPresent();
        // Only the collectors it ran.
        assertThat(new TreeSet<>(labelValues(app, "pg_scrape_collector_success", "collector"))).isEqualTo(collectors(false));

        // The server target, in both of its forms, answers as every target does in every-target.
        MetricSnapshots upstream = scraper(ServerWide.EVERY_TARGET).scrape(target(mon, "postgres"));
        MetricSnapshots server = scraper(ServerWide.ONCE).scrape(target(mon, "postgres"));
        assertThat(families(server)).containsAll(serverWide).contains("pg_static")
                .anyMatch(f -> f.startsWith("pg_stat_database_conflicts_")).isEqualTo(families(upstream));
        assertThat(value(server, "pg_database_size_bytes", "datname", APP)).isPresent();
        // A target naming no database (libpq then connects to the database named after the role) is the server target too.
        mon.server().createDatabase(ROLE, null);
        ConnectionSpec noDatabase = ConnectionSpec.parse("host=" + mon.server().host() + " port=" + mon.server().port()
                + " user=" + ROLE + " password=" + mon.password() + " sslmode=disable");
        MetricSnapshots unnamed = scraper(ServerWide.ONCE).scrape(noDatabase);
        assertThat(value(unnamed, "pg_up")).contains(1.0);
        assertThat(families(unnamed)).containsAll(serverWide).contains("pg_static");

        // every-target is unchanged: the per-database target has everything.
        MetricSnapshots every = scraper(ServerWide.EVERY_TARGET).scrape(target(mon, APP));
        assertThat(families(every)).containsAll(serverWide).containsAll(perDatabase).contains("pg_static");
        assertThat(new TreeSet<>(labelValues(every, "pg_scrape_collector_success", "collector")))
                .isEqualTo(new TreeSet<>(CollectorCatalog.enabledByDefault()));
    }

    /** In once mode a per-database target costs the server none of the server-wide queries (pg_stat_statements says). */
    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void aPerDatabaseTargetRunsNoServerWideQuery(String major) {
        MonitoredServer mon = monitored(major);
        scraper(ServerWide.ONCE).scrape(target(mon, APP)); // prepared once, so the reset below sees a steady scrape
        reset(mon);
        assertThat(value(scraper(ServerWide.ONCE).scrape(target(mon, APP)), "pg_up")).contains(1.0);
        assertThat(statements(mon, "pg_stat_user_tables")).as("per-database queries are tracked").isPositive();
        for (String view : SERVER_WIDE_VIEWS) {
            assertThat(statements(mon, view)).as(view).isZero();
        }

        reset(mon);
        scraper(ServerWide.EVERY_TARGET).scrape(target(mon, APP));
        for (String view : SERVER_WIDE_VIEWS) {
            assertThat(statements(mon, view)).as(view + " in every-target").isPositive();
        }
    }

    private static void reset(MonitoredServer mon) {
        mon.server().execute(APP, "SELECT pg_stat_statements_reset((SELECT oid FROM pg_roles WHERE rolname = '" + ROLE + "'))");
    }

    /** Calls by {@link #ROLE} of statements that name {@code view}. */
    private static double statements(MonitoredServer mon, String view) {
        return mon.server().queryDouble(APP, "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s"
                + " JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = ? AND s.query ~ ?", ROLE, "\\m" + view + "\\M");
    }

    /** docs/metrics.md lists the collectors of each kind as the code classifies them. */
    @Test
    void theDocsListTheServerWideAndPerDatabaseCollectors() throws IOException {
        Path doc = Path.of(System.getProperty("basedir", ".")).resolve("../../docs/metrics.md").normalize();
        List<String> lines = Files.readAllLines(doc);
        assertThat(listed(lines, "- **Server-wide collectors**:")).isEqualTo(byScope(true));
        assertThat(listed(lines, "- **Per-database collectors** (on every target):")).isEqualTo(byScope(false));
    }

    /** The collector names in backquotes on the line starting with {@code prefix}. */
    private static Set<String> listed(List<String> lines, String prefix) {
        String line = lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("docs/metrics.md has no line " + prefix));
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("`([a-z_]+)`").matcher(line);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static Set<String> byScope(boolean serverWide) {
        Set<String> out = new TreeSet<>();
        CollectorCatalog.select(CollectorCatalog.defaults().keySet()).stream()
                .filter(c -> c.scope().serverWide() == serverWide).forEach(c -> out.add(c.name()));
        return out;
    }

    /** master: true user queries run where the server-wide families are: on the server target only in once mode. */
    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void masterQueriesRunOnTheServerTargetOnly(String major) {
        MonitoredServer mon = monitored(major);
        List<String> runs = new CopyOnWriteArrayList<>();
        DatabaseQueries recording = (run, master, out) -> {
            runs.add(run.spec().effectiveDatabase() + " master=" + master);
            return true;
        };
        Scraper once = new Scraper(ConnectionSource.fresh(), Set.of(), options(ServerWide.ONCE), recording);
        once.scrape(target(mon, APP));
        once.scrape(target(mon, "postgres"));
        once.scrape(target(mon, APP), Optional.of(ServerWide.EVERY_TARGET), Duration.ofMinutes(1));
        assertThat(runs).containsExactly(APP + " master=false", "postgres master=true", APP + " master=true");
    }

    /** The mode given for a scrape (an auth module's server_wide) wins over the option, both ways. */
    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void theModeOfAScrapeWinsOverTheOption(String major) {
        MonitoredServer mon = monitored(major);
        Duration budget = Duration.ofMinutes(1);
        MetricSnapshots forcedOnce = scraper(ServerWide.EVERY_TARGET).scrape(target(mon, APP), Optional.of(ServerWide.ONCE), budget);
        MetricSnapshots forcedEvery = scraper(ServerWide.ONCE).scrape(target(mon, APP), Optional.of(ServerWide.EVERY_TARGET), budget);
        MetricSnapshots byOption = scraper(ServerWide.ONCE).scrape(target(mon, APP), Optional.empty(), budget);
        assertThat(value(forcedOnce, "pg_database_size_bytes", "datname", APP)).isEmpty();
        assertThat(value(byOption, "pg_database_size_bytes", "datname", APP)).isEmpty();
        assertThat(value(forcedEvery, "pg_database_size_bytes", "datname", APP)).isPresent();
        assertThat(value(forcedOnce, "pg_up")).contains(1.0);
    }

    /** /metrics: the default data source is a server target unless it names a database other than postgres. */
    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void theDefaultDataSourceFollowsTheSameRule(String major) {
        MonitoredServer mon = monitored(major);
        Scraper once = scraper(ServerWide.ONCE);
        Duration budget = Duration.ofMinutes(1);
        MetricSnapshots onPostgres = once.scrapeDefault(Optional.of(target(mon, "postgres")), budget);
        MetricSnapshots onApp = once.scrapeDefault(Optional.of(target(mon, APP)), budget);
        assertThat(families(onPostgres)).contains("pg_static", "pg_settings_max_connections", "pg_stat_database_xact_commit");
        assertThat(families(onApp)).doesNotContain("pg_static", "pg_settings_max_connections", "pg_stat_database_xact_commit")
                .contains("pg_stat_user_tables_seq_scan", "pg_up");
    }
}
