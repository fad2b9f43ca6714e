package io.pgvigil.collectors;

import io.pgvigil.connect.ServerVersion;

import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends the queries of a list of collectors to the server in one round trip before the collectors run, so that
 * each collector then reads its rows from what was fetched ({@link Session#prefetch}).
 *
 * <p>Which SQL a list sends is learnt once per server version by a <em>recording</em> run
 * ({@link Session#recording()}): every collector runs against a session that notes its queries instead of sending
 * them. The statements depend only on the server version and the command line, so recording them again on every
 * scrape would be the same work each time. Collectors that {@linkplain Collector.Locking#MAY_WAIT may wait for a
 * lock} are left out: one stuck behind an {@code ACCESS EXCLUSIVE} lock must not take the others' results with it
 * (a failed list is run again one query at a time, by the collectors themselves). Thread-safe.
 */
final class QueryBatches {
    private static final System.Logger LOG = System.getLogger(Scraper.class.getName());

    /** Off only to measure the difference ({@code -Dpgvigil.batch=false}). */
    private static final boolean ENABLED = !"false".equals(System.getProperty("pgvigil.batch"));

    private final ConcurrentHashMap<Key, List<String>> recorded = new ConcurrentHashMap<>();

    private record Key(ServerVersion version, List<Collector> collectors) {
    }

    /**
     * Fetches the results of these collectors' queries in one round trip, unless the connection is lost or the
     * deadline passed. A failed list leaves nothing fetched; a connection-level failure retires the lease.
     */
    void prefetch(ScrapeRun run, List<Collector> collectors) {
        if (!ENABLED || run.broken() || run.pastDeadline()) {
            return;
        }
        Session session = run.session();
        List<String> sqls = recorded.computeIfAbsent(new Key(session.version(), collectors), k -> record(collectors, session));
        try {
            run.reboundIfDue();
            session.prefetch(sqls);
        } catch (SQLException e) {
            LOG.log(Level.DEBUG, "batch of collector queries failed", "dsn", run.spec().redacted(), "err", ScrapeRun.message(e));
            run.lease().retireIfConnectionLost(e);
        }
    }

    /** Runs the collectors against a recording session, except those that may wait for a lock (they run alone). */
    private static List<String> record(List<Collector> collectors, Session session) {
        Session recorder = session.recording();
        for (Collector collector : collectors) {
            if (collector.locking() == Collector.Locking.MAY_WAIT) {
                continue;
            }
            try {
                collector.collect(recorder, new MetricSink());
            } catch (SQLException | RuntimeException e) {
                // It noted what it could (a collector that needs the connection itself noted nothing).
            }
        }
        return recorder.recorded();
    }
}
