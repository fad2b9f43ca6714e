package io.pgvigil.collectors;

import io.pgvigil.dsn.ConnectionSpec;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Opens a new connection per call, with pgvigil's {@linkplain SessionDefaults session defaults}. */
final class FreshConnections implements ConnectionSource {

    @Override
    public Connection open(ConnectionSpec spec) throws SQLException {
        return DriverManager.getConnection(spec.jdbcUrl(), SessionDefaults.properties(spec, SessionDefaults.DEFAULT_LOCK_TIMEOUT));
    }
}
