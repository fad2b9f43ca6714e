package io.pgvigil.connect;

/**
 * A {@link ConnectionSource} that keeps connections between scrapes, with what its owner needs besides leases:
 * counters for the self-metrics, retiring every connection when a reload changed the credentials, and closing at
 * shutdown.
 *
 * <p>Why a sub-interface and not methods on {@link ConnectionSource}: a scrape only ever leases, and tests hand
 * it a lambda; the lifecycle (stats, retire, close) belongs to whoever created the pool ({@code Main}), and a
 * fresh source has none of it to offer. Why an interface and not the class: the pool's locking and bookkeeping
 * stay package-private, so nothing outside this module can depend on how keeping is done.
 */
public interface PooledSource extends ConnectionSource, AutoCloseable {

    /** @return the options this pool was made with */
    PoolOptions options();

    /** @return counters and gauges of this pool, read at once */
    Stats stats();

    /** @return the per-server budget's figures of every server the pool has an account of, sorted by server */
    java.util.List<ServerStats> servers();

    /**
     * Retires every connection open now: idle ones are closed at once, those in use when they are given back.
     * For a reload that changed the auth modules, so that no session keeps running on credentials or options that
     * are no longer configured (the next scrape of each target opens a new one).
     */
    void retireAll();

    /** Closes every idle connection and stops keeping any; connections in use are closed when given back. */
    @Override
    void close();

    /**
     * A point-in-time view for the self-metrics.
     *
     * @param maxOpen         the cap
     * @param open            connections open (in use, idle or being opened)
     * @param idle            idle connections
     * @param opened          connections opened since start
     * @param reused          leases served by a kept connection
     * @param evictedIdle     connections closed after the idle timeout
     * @param evictedLru      idle connections closed to make room under the cap
     * @param retired         connections closed because they were broken or in doubt
     * @param capWaits        leases that had to wait because the cap was reached
     * @param capTimeouts     leases that gave up at their deadline because the cap was reached
     * @param connectTimeouts connection set-ups abandoned at the deadline
     * @param retiredByReload connections closed because a reload changed the auth modules ({@link #retireAll()})
     */
    record Stats(int maxOpen, int open, int idle, long opened, long reused, long evictedIdle, long evictedLru,
                 long retired, long capWaits, long capTimeouts, long connectTimeouts, long retiredByReload) {
    }

    /**
     * One server's share of the pool (see {@code --connection.server-budget}).
     *
     * @param server    the server's endpoints as written in its targets ({@code host:port[,host:port]}), never a
     *                  user or password
     * @param budget    the most connections pgvigil holds to it, as the last lease computed it
     * @param open      connections to it open now (in use, idle, being opened or being closed)
     * @param idle      of which idle
     * @param rotations connections of the server closed to keep it within its budget: an idle one so that a lease
     *                  of another database could open its own, or one given back while the budget had shrunk
     * @param waits     leases that waited because the server was at its budget (or others were queued before them)
     * @param timeouts  leases that gave up at their deadline waiting for the server
     */
    record ServerStats(String server, int budget, int open, int idle, long rotations, long waits, long timeouts) {
    }
}
