package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionSpec;

import java.sql.SQLException;

/**
 * Where scrapes get their database connections from: the one place where reuse, caps and deadlines live. A
 * scrape asks for a {@link Lease} and closes it when done; the source decides whether the connection is kept.
 * Every connection, fresh or pooled, is opened with pgvigil's session defaults (read-only, a lock timeout, an
 * idle-in-transaction timeout).
 */
@FunctionalInterface
public interface ConnectionSource {

    /**
     * Hands out a connection for one scrape, with the server version detected once per connection.
     *
     * @param spec          the target with its credentials
     * @param deadlineNanos the scrape's deadline on the {@link System#nanoTime()} clock
     * @return a lease that the caller closes
     * @throws SQLException when no connection can be had (unreachable server, refused login, cap full at the deadline)
     */
    Lease lease(ConnectionSpec spec, long deadlineNanos) throws SQLException;

    /**
     * A source that opens a new connection for every lease and closes it when the lease is closed. It does not
     * bound the set-up by the deadline beyond the connect timeout. For tests and tools.
     *
     * @return the source
     */
    static ConnectionSource fresh() {
        return new FreshConnections();
    }

    /**
     * A source that keeps connections per target between scrapes, under a cap.
     *
     * @param options caps and timeouts
     * @return the source; close it at shutdown
     */
    static PooledSource pooled(PoolOptions options) {
        return new ConnectionPool(options);
    }
}
