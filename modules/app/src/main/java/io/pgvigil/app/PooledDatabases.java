package io.pgvigil.app;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.connect.Lease;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Redaction;
import io.pgvigil.http.ServerDatabases;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code /discovery}'s {@link ServerDatabases} on the connection pool: the server's session is leased like a
 * probe's (kept between refreshes, under the same cap, pinned to the addresses the allow-list checked), and the
 * listing is bounded by the timeout, connection and statement together.
 */
final class PooledDatabases implements ServerDatabases {
    static final String SQL = "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate"
                              + " ORDER BY datname";

    private final ConnectionSource source;

    PooledDatabases(ConnectionSource source) {
        this.source = source;
    }

    @Override
    public Listing list(ConnectionSpec server, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Lease lease;
        try {
            lease = source.lease(server, deadline);
        } catch (SQLException | RuntimeException e) {
            return new Listing.Failed(message(e));
        }
        try (lease; Statement st = lease.connection().createStatement()) {
            long left = TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime());
            st.setQueryTimeout((int) Math.max(1, left));
            List<String> names = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(SQL)) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return new Listing.Listed(names);
        } catch (SQLException e) {
            lease.retireIfConnectionLost(e);
            return new Listing.Failed(message(e));
        } catch (RuntimeException e) {
            lease.retire();
            return new Listing.Failed(message(e));
        }
    }

    private static String message(Throwable e) {
        return Redaction.redact(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
}
