package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionSpec;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens a new connection per lease, with pgvigil's {@linkplain SessionDefaults session defaults}, and closes it
 * when the lease is closed.
 */
final class FreshConnections implements ConnectionSource {

    @Override
    public Lease lease(ConnectionSpec spec, long deadlineNanos) throws SQLException {
        Connection connection = SessionDefaults.open(spec, SessionDefaults.DEFAULT_LOCK_TIMEOUT);
        try {
            return new OneOff(connection, ServerInfo.detect(connection));
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** A lease whose connection is closed when the lease is: nothing is kept, so retiring changes nothing. */
    private record OneOff(Connection connection, ServerInfo server) implements Lease {
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
    }
}
