package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.dsn.ConnectionSpec;

import java.lang.System.Logger.Level;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Upstream's legacy auto-discovery ({@link AutoDiscovery}) for a scrape of the default data source: lists the other
 * databases of the server on the data source's own session, then scrapes each listed database, one after the other,
 * within the scrape's deadline, on a connection leased from the same {@link ConnectionSource} (so it is kept
 * between scrapes and counts against the global cap, like any target's). A discovered database is not the "master":
 * it gets neither the collectors (upstream's collectors ignore discovery) nor {@code pg_static} nor
 * {@code pg_stat_database_conflicts_*}, only the {@link DatabaseQueries} that are not master-only. A database that
 * cannot be reached or whose queries fail makes the answer report {@code pg_exporter_last_scrape_error 1}; it does
 * not change {@code pg_up}, which is the data source's own. Used by one scrape at a time per instance.
 */
final class DatabaseDiscovery {
    private static final System.Logger LOG = System.getLogger(Scraper.class.getName());

    /** Upstream's {@code queryDatabases}, sorted so that the answer's order is stable. */
    static final String SQL = "SELECT datname FROM pg_catalog.pg_database"
                              + " WHERE datallowconn AND NOT datistemplate AND datname <> current_database()"
                              + " ORDER BY datname";

    /** How the scrape of the discovered databases went. */
    record Outcome(boolean ok, boolean outOfTime) {
    }

    private final ConnectionSource source;
    private final CollectorOptions options;
    private final DatabaseQueries queries;

    DatabaseDiscovery(ConnectionSource source, CollectorOptions options, DatabaseQueries queries) {
        this.source = source;
        this.options = options;
        this.queries = queries;
    }

    /**
     * Lists the databases to scrape besides the session's own, on the data source's session.
     *
     * @return the accepted names, sorted; empty when the query failed (logged, and then {@code ok} is false)
     */
    static Listed list(ScrapeRun run, AutoDiscovery discovery) {
        List<String> names = new ArrayList<>();
        try {
            run.reboundIfDue();
            try (Statement st = run.lease().connection().createStatement(); ResultSet rs = st.executeQuery(SQL)) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    if (discovery.accepts(name)) {
                        names.add(name);
                    }
                }
            }
            return new Listed(List.copyOf(names), true);
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.ERROR, "Error querying databases", "dsn", run.spec().redacted(), "err", ScrapeRun.message(e));
            if (e instanceof SQLException sql) {
                run.lease().retireIfConnectionLost(sql);
            }
            run.noteIfOutOfTime();
            return new Listed(List.of(), false);
        }
    }

    /** The databases found, and whether the listing succeeded. */
    record Listed(List<String> databases, boolean ok) {
    }

    /** Scrapes the discovered databases of {@code master}'s server, one after the other, into {@code out}. */
    Outcome scrape(ConnectionSpec master, List<String> databases, long deadline, Duration bounded, MetricSink out) {
        boolean ok = true;
        boolean outOfTime = false;
        for (String database : databases) {
            Optional<ConnectionSpec> spec = specFor(master, database);
            if (spec.isEmpty()) {
                ok = false;
                continue;
            }
            ScrapeRun run;
            try {
                run = ScrapeRun.open(source, spec.get(), deadline, bounded, options);
            } catch (SQLException | RuntimeException e) {
                LOG.log(Level.ERROR, "Error opening connection to database", "dsn", spec.get().redacted(), "err", ScrapeRun.message(e));
                ok = false;
                outOfTime |= System.nanoTime() - deadline >= 0;
                continue;
            }
            try {
                ok &= queries.run(run, false, out);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "error scraping dsn", "dsn", spec.get().redacted(), "err", ScrapeRun.message(e));
                run.lease().retire();
                ok = false;
            } finally {
                run.close();
            }
            outOfTime |= run.outOfTime();
        }
        return new Outcome(ok, outOfTime);
    }

    /** The data source with another database: same hosts, credentials and parameters, as upstream rewrites the DSN. */
    private static Optional<ConnectionSpec> specFor(ConnectionSpec master, String database) {
        try {
            return Optional.of(new ConnectionSpec(master.endpoints(), Optional.of(database), master.user(), master.password(),
                                                  master.parameters()));
        } catch (RuntimeException e) {
            // e.g. a database name with a control character; the message never holds the name
            LOG.log(Level.ERROR, "Error opening connection to database", "dsn", master.redacted(), "err", ScrapeRun.message(e));
            return Optional.empty();
        }
    }
}
