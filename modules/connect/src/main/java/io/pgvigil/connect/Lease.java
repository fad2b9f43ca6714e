package io.pgvigil.connect;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A connection handed out for one scrape. {@link #close()} gives it back: a pooled source keeps it for the
 * next scrape of the same target unless it was {@linkplain #retire() retired} or is closed.
 */
public interface Lease extends AutoCloseable {

    /** @return the connection; do not close it, close the lease */
    Connection connection();

    /** @return the server's version, detected once when the connection was opened */
    ServerInfo server();

    /** @return true when the connection served an earlier scrape (it may have gone stale since) */
    boolean reused();

    /** Marks the connection as broken or in doubt: {@link #close()} closes it instead of keeping it. */
    void retire();

    /**
     * Retires the connection when {@code e} says it is lost or in doubt
     * ({@link ConnectionErrors#isConnectionLevel}); an ordinary SQL error leaves it to be kept.
     *
     * @param e an error of a statement run on {@link #connection()}
     * @return whether the connection was retired
     */
    default boolean retireIfConnectionLost(SQLException e) {
        if (ConnectionErrors.isConnectionLevel(e, connection())) {
            retire();
            return true;
        }
        return false;
    }

    /** Gives the connection back (or closes it); never throws. */
    @Override
    void close();
}
