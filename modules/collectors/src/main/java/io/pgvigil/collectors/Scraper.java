package io.pgvigil.collectors;

import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Endpoint;
import io.pgvigil.dsn.Redaction;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scrapes one target: opens a connection through the {@link ConnectionSource}, detects the server
 * version once, runs the enabled collectors one after the other on that connection, and returns
 * an immutable snapshot of everything, including {@code pg_up}, the {@code pg_exporter_*} and
 * {@code pg_scrape_collector_*} families and the legacy {@code pg_static} and
 * {@code pg_stat_database_conflicts_*}. Never throws for database problems: those become
 * {@code pg_up 0} or {@code pg_scrape_collector_success 0} and a log line.
 */
public final class Scraper {
    private static final System.Logger LOG = System.getLogger(Scraper.class.getName());

    private final ConnectionSource source;
    private final List<Collector> collectors;
    private final ScrapeOptions options;

    /**
     * @param source     where connections come from
     * @param collectors names of the collectors to run (see {@link CollectorCatalog})
     * @param options    collector options, legacy options and the collection timeout
     * @throws IllegalArgumentException for an unknown collector name
     */
    public Scraper(ConnectionSource source, Set<String> collectors, ScrapeOptions options) {
        this.source = source;
        this.collectors = CollectorCatalog.select(collectors);
        this.options = options;
    }

    /** A scraper with the given collector options and upstream's defaults otherwise. */
    public Scraper(ConnectionSource source, Set<String> collectors, CollectorOptions options) {
        this(source, collectors, new ScrapeOptions(options, LegacyOptions.defaults(), ScrapeOptions.defaults().collectionTimeout()));
    }

    /** A scraper with upstream's default options. */
    public Scraper(ConnectionSource source, Set<String> collectors) {
        this(source, collectors, ScrapeOptions.defaults());
    }

    /** @return the names of the collectors this scraper runs, sorted */
    public List<String> collectorNames() {
        return collectors.stream().map(Collector::name).toList();
    }

    /**
     * Scrapes a target.
     *
     * @param spec    the target with credentials applied
     * @param scrapes the counter behind {@code pg_exporter_scrapes_total}; incremented here
     * @return the metrics
     */
    public MetricSnapshots scrape(ConnectionSpec spec, AtomicLong scrapes) {
        long start = System.nanoTime();
        long deadline = start + options.collectionTimeout().toNanos();
        LegacyOptions legacy = options.legacy();
        MetricSink out = new MetricSink();
        Family success = out.gauge("pg_scrape_collector_success", "postgres_exporter: Whether a collector succeeded.", "collector");
        Family duration = out.gauge("pg_scrape_collector_duration_seconds", "postgres_exporter: Duration of a collector scrape.", "collector");
        boolean up = false;
        boolean error = false;
        try (Connection connection = source.open(spec)) {
            up = true;
            Detected detected = detect(connection, options.collectionTimeout().toMillis());
            Session session = new Session(connection, detected.version(), server(spec), options.collectors());
            if (!legacy.disableDefaultMetrics()) {
                legacyFamily(out.untyped("pg_static", "Version string as reported by postgres", withConstant(legacy, "version", "short_version", "server")),
                             legacy, 1, detected.text(), detected.version().semver(), session.server());
                error |= !runLegacy(connection, session.server(), legacy, out, spec);
            }
            for (Collector collector : collectors) {
                long t0 = System.nanoTime();
                boolean ok;
                if (t0 - deadline >= 0) {
                    LOG.log(Level.ERROR, "collector failed", "name", collector.name(), "dsn", spec.redacted(),
                            "err", "collection timeout of " + options.collectionTimeout() + " exceeded");
                    ok = false;
                } else {
                    ok = runCollector(collector, session, out, spec);
                }
                error |= !ok;
                duration.add(seconds(System.nanoTime() - t0), collector.name());
                success.add(ok ? 1 : 0, collector.name());
            }
        } catch (SQLException | RuntimeException e) {
            if (up) {
                // Failed after connecting: while detecting the version or closing the connection.
                LOG.log(Level.ERROR, "error scraping dsn", "dsn", spec.redacted(), "err", message(e));
            } else {
                LOG.log(Level.ERROR, "Error opening connection to database", "dsn", spec.redacted(), "err", message(e));
                collectors.forEach(c -> success.add(0, c.name()));
            }
            error = true;
        }
        exporterFamilies(out, legacy, up, error, seconds(System.nanoTime() - start), scrapes.incrementAndGet());
        return new MetricSnapshots(out.snapshots());
    }

    /**
     * The answer when no data source is configured: {@code pg_up 0} and the exporter's own families.
     */
    public MetricSnapshots unconfigured(AtomicLong scrapes) {
        MetricSink out = new MetricSink();
        exporterFamilies(out, options.legacy(), false, true, 0, scrapes.incrementAndGet());
        return new MetricSnapshots(out.snapshots());
    }

    /** What {@code --dumpmaps} prints: the built-in legacy metric map. */
    public static String dumpMaps(LegacyOptions legacy) {
        return DatabaseConflicts.dump(legacy.metricPrefix());
    }

    private boolean runCollector(Collector collector, Session session, MetricSink out, ConnectionSpec spec) {
        MetricSink own = new MetricSink();
        try {
            collector.collect(session, own);
            out.addAll(own);
            if (own.duplicates() > 0) {
                LOG.log(Level.WARNING, "dropped duplicate series", "collector", collector.name(), "count", own.duplicates());
            }
            return true;
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.ERROR, "collector failed", "name", collector.name(), "dsn", spec.redacted(), "err", message(e));
            return false;
        }
    }

    private static boolean runLegacy(Connection connection, String server, LegacyOptions legacy, MetricSink out, ConnectionSpec spec) {
        MetricSink own = new MetricSink();
        try {
            DatabaseConflicts.collect(connection, server, legacy, own);
            out.addAll(own);
            return true;
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.ERROR, "error scraping dsn", "namespace", "pg_stat_database_conflicts", "dsn", spec.redacted(),
                    "err", message(e));
            return false;
        }
    }

    /** What is learnt about a server once per connection. */
    private record Detected(ServerVersion version, String text) {
    }

    /**
     * Detects the version and bounds every later statement of this connection by the collection timeout,
     * in one round trip.
     */
    private static Detected detect(Connection connection, long timeoutMillis) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int, version(), "
                                            + "set_config('statement_timeout', '" + timeoutMillis + "', false)")) {
            if (!rs.next()) {
                throw new SQLException("the server returned no version");
            }
            return new Detected(new ServerVersion(rs.getInt(1)), rs.getString(2));
        }
    }

    private static String[] withConstant(LegacyOptions legacy, String... labelNames) {
        List<String> names = new ArrayList<>(List.of(labelNames));
        names.addAll(legacy.constantLabels().keySet());
        return names.toArray(String[]::new);
    }

    private static void legacyFamily(Family family, LegacyOptions legacy, double value, String... labelValues) {
        List<String> values = new ArrayList<>(List.of(labelValues));
        values.addAll(legacy.constantLabels().values());
        family.add(value, values.toArray(String[]::new));
    }

    private static void exporterFamilies(MetricSink out, LegacyOptions legacy, boolean up, boolean error, double seconds, long scrapes) {
        legacyFamily(out.gauge("pg_up", "Whether the last scrape of metrics from PostgreSQL was able to connect to the server (1 for yes, 0 for no).",
                               withConstant(legacy)), legacy, up ? 1 : 0);
        legacyFamily(out.gauge("pg_exporter_last_scrape_duration_seconds", "Duration of the last scrape of metrics from PostgreSQL.",
                               withConstant(legacy)), legacy, seconds);
        legacyFamily(out.counter("pg_exporter_scrapes_total", "Total number of times PostgreSQL was scraped for metrics.",
                                 withConstant(legacy)), legacy, scrapes);
        legacyFamily(out.gauge("pg_exporter_last_scrape_error", "Whether the last scrape of metrics from PostgreSQL resulted in an error (1 for error, 0 for success).",
                               withConstant(legacy)), legacy, error ? 1 : 0);
    }

    private static String server(ConnectionSpec spec) {
        Endpoint e = spec.endpoints().getFirst();
        String host = e.host().contains(":") ? "[" + e.host() + "]" : e.host();
        return host + ":" + e.port();
    }

    private static String message(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return Redaction.redact(m);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
