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

    /** @return a source that opens a fresh connection every time, with pgvigil's session defaults */
    static ConnectionSource fresh() {
        return new FreshConnections();
    }
}
