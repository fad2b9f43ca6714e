package io.pgvigil.collectors;

import io.pgvigil.dsn.ConnectionSpec;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.lang.System.Logger.Level;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;

/**
 * Runs the custom queries in a scrape, after the collectors, on the scrape's own connection: each namespace's
 * query as a prepared statement inside the scrape deadline (the session is read-only). A namespace whose query
 * fails is logged and makes the scrape report {@code pg_exporter_last_scrape_error 1}, as upstream; the other
 * namespaces and the collectors still report. A namespace with {@code cache_seconds} serves a target's last good
 * result again for that long. A family whose name a collector already reports is left out (it would be a second
 * family of the same name, which Prometheus refuses). Thread-safe.
 */
final class UserQueryRunner implements DatabaseQueries {
    private static final System.Logger LOG = System.getLogger(Scraper.class.getName());
    /** Cached results kept at most; beyond it, expired entries are dropped (many probed targets). */
    private static final int CACHE_LIMIT = 10_000;

    private record CacheKey(ConnectionSpec target, String namespace) {
    }

    private record Cached(long at, List<MetricSnapshot> snapshots) {
    }

    /** The queries, the cache that belongs to them and the families warned about, swapped together on a reload. */
    private record Generation(UserQueries queries, Map<CacheKey, Cached> cache, Set<String> leftOut) {
        Generation(UserQueries queries) {
            this(queries, new ConcurrentHashMap<>(), ConcurrentHashMap.newKeySet());
        }
    }

    private volatile Generation current = new Generation(UserQueries.none());
    private final LegacyOptions legacy;

    UserQueryRunner(LegacyOptions legacy) {
        this.legacy = legacy;
    }

    void replace(UserQueries queries) {
        current = new Generation(queries);
    }

    UserQueries queries() {
        return current.queries();
    }

    @Override
    public boolean run(ScrapeRun run, boolean master, MetricSink out) {
        return run(run, out, master);
    }

    /**
     * Runs every namespace that applies to this target and adds the results to {@code out}.
     *
     * @param master whether the target is a data source itself (not a database discovered from one)
     * @return false when a namespace failed (the scrape then reports an error)
     */
    boolean run(ScrapeRun run, MetricSink out, boolean master) {
        Generation g = current;
        boolean ok = true;
        String version = run.session().version().semver();
        for (UserQueries.Namespace ns : g.queries().namespaces()) {
            if ((ns.master() && !master) || ns.sql().isBlank()) {
                continue;
            }
            if (!ns.runsOn().test(version)) {
                LOG.log(Level.DEBUG, "Query skipped for this database version", "namespace", ns.name(), "version", version);
                continue;
            }
            CacheKey key = new CacheKey(run.spec(), ns.name());
            long now = System.nanoTime();
            Cached hit = ns.cache().isZero() ? null : g.cache().get(key);
            if (hit != null && now - hit.at() < ns.cache().toNanos()) {
                add(out, ns, hit.snapshots(), g);
                continue;
            }
            try {
                List<MetricSnapshot> snapshots = query(run, ns);
                if (!ns.cache().isZero()) {
                    remember(g, key, new Cached(now, snapshots));
                }
                add(out, ns, snapshots, g);
            } catch (SQLException | RuntimeException e) {
                ok = false;
                LOG.log(Level.ERROR, "Error running query on database", "namespace", ns.name(), "dsn", run.spec().redacted(),
                        "err", ScrapeRun.message(e));
                if (e instanceof SQLException sql) {
                    run.lease().retireIfConnectionLost(sql);
                }
                run.noteIfOutOfTime();
            }
        }
        return ok;
    }

    private List<MetricSnapshot> query(ScrapeRun run, UserQueries.Namespace ns) throws SQLException {
        if (run.pastDeadline()) {
            throw new SQLException("scrape deadline of " + run.bounded() + " exceeded");
        }
        if (run.broken()) {
            throw new SQLException("the connection was lost");
        }
        run.reboundIfDue();
        String prefixed = ns.name().replaceFirst("pg", Matcher.quoteReplacement(legacy.metricPrefix()));
        UserQueryRows rows = new UserQueryRows(ns, prefixed, run.session().server(), legacy.constantLabels());
        try (PreparedStatement st = run.lease().connection().prepareStatement(ns.sql());
             ResultSet rs = st.executeQuery()) {
            rows.read(rs);
        }
        return rows.snapshots();
    }

    private static void remember(Generation g, CacheKey key, Cached value) {
        if (g.cache().size() >= CACHE_LIMIT) {
            long now = System.nanoTime();
            g.cache().entrySet().removeIf(e -> g.queries().namespaces().stream()
                    .filter(ns -> ns.name().equals(e.getKey().namespace()))
                    .allMatch(ns -> now - e.getValue().at() >= ns.cache().toNanos()));
        }
        g.cache().put(key, value);
    }

    /**
     * Adds the families, merged with the same namespace's from other databases of this answer (auto-discovery); a
     * family whose name a collector or the exporter took already is left out, logged once per reload.
     */
    private static void add(MetricSink out, UserQueries.Namespace ns, List<MetricSnapshot> snapshots, Generation g) {
        for (String name : out.addMergeable(snapshots)) {
            if (g.leftOut().add(name)) {
                LOG.log(Level.WARNING, "Custom query family left out: the name is already reported", "namespace", ns.name(), "family", name);
            }
        }
    }

    /** Adds {@code pg_exporter_user_queries_load_error{filename,hashsum}} when a file is configured. */
    void status(MetricSink out) {
        current.queries().status().ifPresent(st -> {
            List<String> names = new ArrayList<>(List.of("filename", "hashsum"));
            List<String> values = new ArrayList<>(List.of(st.filename(), st.hashsum()));
            legacy.constantLabels().forEach((k, v) -> {
                names.add(k);
                values.add(v);
            });
            out.addFinished(List.of(new GaugeSnapshot(new MetricMetadata("pg_exporter_user_queries_load_error",
                    "Whether the user queries file was loaded and parsed successfully (1 for error, 0 for success)."),
                    List.of(new GaugeSnapshot.GaugeDataPointSnapshot(st.failed() ? 1 : 0, Labels.of(names, values), null)))));
        });
    }
}
