package io.pgvigil.collectors;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code process_idle}: a histogram of how long sessions have been idle ({@code idle},
 * {@code idle in transaction}, {@code idle in transaction (aborted)}), per state and application. The
 * exporter's own session is left out.
 *
 * <p>Unlike upstream v0.20.1, which reads only the first (state, application) group of its result,
 * every group is exported.
 */
final class ProcessIdleCollector {
    static final Collector COLLECTOR = new Collector("process_idle", false, Collector.Scope.SERVER, ProcessIdleCollector::collect);

    private ProcessIdleCollector() {
    }

    /** Upstream's bucket upper bounds, in seconds. */
    static final double[] BUCKETS = {1, 2, 5, 15, 30, 60, 90, 120, 300};

    // One row per idle session; the groups are counted below. The idle time is measured against the
    // start of this statement's transaction, as upstream does.
    private static final VersionedSql SQL = VersionedSql.always("""
            SELECT a.state, a.application_name,
                   extract(epoch FROM now() - a.state_change)::float8 AS idle_seconds
              FROM pg_catalog.pg_stat_activity a
             WHERE a.state ~ '^idle'
               AND a.pid <> pg_backend_pid()
            """);

    /** The observations of one (state, application_name) group. */
    private static final class Group {
        long count;
        double sum;
        final long[] cumulative = new long[BUCKETS.length];

        void observe(double seconds) {
            // Upstream adds each session's idle time rounded to whole seconds, but fills the buckets
            // with the exact times.
            sum += Math.round(seconds);
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    cumulative[i]++;
                }
            }
        }
    }

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family idle = out.histogram("pg_process_idle_seconds", "Idle time of server processes", BUCKETS,
                                    "state", "application_name");
        Map<List<String>, Group> groups = new LinkedHashMap<>();
        session.query(SQL, row -> {
            Group g = groups.computeIfAbsent(
                    List.of(row.textOr("state", "unknown"), row.textOr("application_name", "unknown")), k -> new Group());
            g.count++;
            if (!row.isNull("idle_seconds")) {
                g.observe(row.number("idle_seconds"));
            }
        });
        groups.forEach((labels, g) -> idle.addHistogram(g.count, g.sum, g.cumulative, labels.get(0), labels.get(1)));
    }
}
