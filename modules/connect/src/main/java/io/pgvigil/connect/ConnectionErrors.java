package io.pgvigil.connect;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Tells an error that leaves a connection unusable (or in doubt) from an ordinary SQL error. Only the first kind
 * makes a kept connection worthless: a missing extension, a permission denied or a lock timeout fail one
 * statement and leave the session as good as before.
 */
public final class ConnectionErrors {

    private ConnectionErrors() {
    }

    /**
     * @param e          the error a statement failed with
     * @param connection the connection it ran on
     * @return true for connection exceptions (SQLState class {@code 08}), the server shutting down or ending the
     *         session ({@code 57P01}, {@code 57P02}, {@code 57P03}: class {@code 57P}), or a connection that is
     *         closed now (pgjdbc closes it after a socket read timeout)
     */
    public static boolean isConnectionLevel(SQLException e, Connection connection) {
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
            return true;
        }
        return isClosed(connection);
    }

    /** @return whether the connection is closed; a connection that cannot even say so counts as closed */
    static boolean isClosed(Connection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }
}
