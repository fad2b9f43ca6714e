package io.pgvigil.collectors;

import io.pgvigil.dsn.ConnectionSpec;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Opens a new connection per call. Used until connection reuse arrives. */
final class FreshConnections implements ConnectionSource {
    /** Seconds allowed for the whole connection set-up when the target does not say (libpq would wait forever). */
    static final String DEFAULT_CONNECT_TIMEOUT = "10";
    /** Seconds a single read from the server may block, so a stuck server cannot hang a scrape forever. */
    static final String DEFAULT_SOCKET_TIMEOUT = "60";

    @Override
    public Connection open(ConnectionSpec spec) throws SQLException {
        Properties props = new Properties();
        props.setProperty("ApplicationName", "pgvigil");
        props.setProperty("connectTimeout", DEFAULT_CONNECT_TIMEOUT);
        props.setProperty("loginTimeout", DEFAULT_CONNECT_TIMEOUT);
        props.setProperty("socketTimeout", DEFAULT_SOCKET_TIMEOUT);
        // libpq sends TCP keepalives unless told otherwise (keepalives=0); pgjdbc does not by default.
        props.setProperty("tcpKeepAlive", "true");
        // Send the session settings in the start-up packet instead of extra round trips.
        props.setProperty("assumeMinServerVersion", "10");
        props.putAll(spec.driverProperties());
        props.setProperty("user", spec.effectiveUser());
        spec.password().ifPresent(p -> props.setProperty("password", p.reveal()));
        return DriverManager.getConnection(spec.jdbcUrl(), props);
    }
}
