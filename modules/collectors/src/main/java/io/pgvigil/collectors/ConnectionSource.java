package io.pgvigil.collectors;

import io.pgvigil.dsn.ConnectionSpec;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where scrapes get their database connections from: the one place where reuse, caps and deadlines
 * live. The caller closes what it is given.
 */
public interface ConnectionSource {

    /**
     * Opens (or hands out) a connection to the target.
     *
     * @param spec the target with its credentials
     * @return an open connection that the caller closes
     * @throws SQLException when the server cannot be reached or refuses the login
     */
    Connection open(ConnectionSpec spec) throws SQLException;

    /**
     * Hands out a connection for one scrape, with the server version detected once per connection. This default
     * opens a fresh connection and closes it when the lease is closed; it does not bound the set-up by the deadline
     * beyond the connect timeout.
     *
     * @param spec          the target with its credentials
     * @param deadlineNanos the scrape's deadline on the {@link System#nanoTime()} clock
     * @throws SQLException when no connection can be had
     */
    default Lease lease(ConnectionSpec spec, long deadlineNanos) throws SQLException {
        Connection connection = open(spec);
        ServerInfo server;
        try {
            server = ServerInfo.detect(connection);
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return new Lease() {
            @Override
            public Connection connection() {
                return connection;
            }

            @Override
            public ServerInfo server() {
                return server;
            }

            @Override
            public boolean reused() {
                return false;
            }

            @Override
            public void retire() {
                // Closed anyway.
            }

            @Override
            public void close() {
                try {
                    connection.close();
                } catch (SQLException e) {
                    // Nothing to do: the connection is gone either way.
                }
            }
        };
    }

    /** @return a source that opens a fresh connection every time, with pgvigil's session defaults */
    static ConnectionSource fresh() {
        return new FreshConnections();
    }

    /**
     * @param options caps and timeouts
     * @return a source that keeps connections per target between scrapes; close it at shutdown
     */
    static ConnectionPool pooled(PoolOptions options) {
        return new ConnectionPool(options);
    }
}
