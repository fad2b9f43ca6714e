package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Secret;
import io.pgvigil.dsn.TargetException;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * pgvigil's session defaults, the same for fresh and pooled connections. Server settings travel as start-up
 * options ({@code -c name=value} in pgjdbc's {@code options}), so they cost no extra round trip.
 */
final class SessionDefaults {
    /** Seconds allowed for the whole connection set-up when the target does not say (libpq would wait forever). */
    static final String DEFAULT_CONNECT_TIMEOUT = "10";
    /** Seconds a single read from the server may block, so a stuck server cannot hang a scrape forever. */
    static final String DEFAULT_SOCKET_TIMEOUT = "60";
    /** A scrape never queues long behind an ACCESS EXCLUSIVE lock. */
    static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(1);
    /** pgvigil runs everything in autocommit; a session left in a transaction is ended by the server. */
    static final Duration IDLE_IN_TRANSACTION_TIMEOUT = Duration.ofSeconds(10);

    /** The pgjdbc properties pgvigil's own TLS set-up replaces (pgjdbc would otherwise read the files itself). */
    private static final java.util.List<String> CLIENT_TLS_PROPERTIES =
            java.util.List.of("sslcert", "sslkey", "sslpassword", "sslrootcert");

    static {
        // Every login after the first to a server derives no SCRAM key again (the exporter's main cost per session).
        SaltedPasswords.install();
    }

    private SessionDefaults() {
    }

    /**
     * Opens a session for {@code spec} with {@link #properties}, its credential files already read. With a client
     * certificate ({@code sslcert}, {@code sslkey}) pgvigil sets TLS up itself ({@code ClientTls}): the files are read
     * into memory now, for this connection, and pgjdbc gets the result through {@link TlsSocketFactory}.
     *
     * @throws SQLException as pgjdbc throws it, or SQLState {@code 08001} when the client certificate, its key or
     *                      {@code sslrootcert} cannot be used (the message names files, never contents or passphrase)
     */
    private static Connection connect(ConnectionSpec spec, Duration lockTimeout) throws SQLException {
        Properties props = properties(spec, lockTimeout);
        if (!ClientTls.applies(spec.parameters())) {
            return DriverManager.getConnection(spec.jdbcUrl(), props);
        }
        javax.net.ssl.SSLSocketFactory factory;
        try {
            factory = ClientTls.socketFactory(spec.parameters());
        } catch (ClientKeys.KeyException e) {
            throw new SQLException("client certificate: " + e.getMessage(), "08001");
        }
        CLIENT_TLS_PROPERTIES.forEach(props::remove);
        try (TlsSocketFactory.Registration registration = TlsSocketFactory.register(factory)) {
            props.setProperty("sslfactory", TlsSocketFactory.class.getName());
            props.setProperty("sslfactoryarg", registration.token());
            return DriverManager.getConnection(spec.jdbcUrl(), props);
        }
    }

    /**
     * The driver properties for {@code spec}: pgvigil's defaults, then the target's and auth module's parameters,
     * then the user and password. The start-up {@code options} are ours first ({@code lock_timeout} and
     * {@code idle_in_transaction_session_timeout}, which a target's own {@code lock_timeout} or {@code options}
     * may override), the target's in the middle, and {@code default_transaction_read_only=on} last, so that
     * nothing can switch the read-only default off.
     */
    static Properties properties(ConnectionSpec spec, Duration lockTimeout) {
        Properties props = new Properties();
        props.setProperty("ApplicationName", "pgvigil");
        props.setProperty("connectTimeout", DEFAULT_CONNECT_TIMEOUT);
        props.setProperty("loginTimeout", DEFAULT_CONNECT_TIMEOUT);
        props.setProperty("socketTimeout", DEFAULT_SOCKET_TIMEOUT);
        // libpq sends TCP keepalives unless told otherwise (keepalives=0); pgjdbc does not by default.
        props.setProperty("tcpKeepAlive", "true");
        // Send the session settings in the start-up packet instead of extra round trips.
        props.setProperty("assumeMinServerVersion", "10");
        Map<String, String> driver = spec.driverProperties();
        props.putAll(driver);
        StringBuilder options = new StringBuilder()
                .append("-c lock_timeout=").append(lockTimeout.toMillis())
                .append(" -c idle_in_transaction_session_timeout=").append(IDLE_IN_TRANSACTION_TIMEOUT.toMillis());
        String own = driver.get("options");
        if (own != null && !own.isBlank()) {
            options.append(' ').append(own);
        }
        options.append(" -c default_transaction_read_only=on");
        props.setProperty("options", options.toString());
        if (!spec.pinned().isEmpty()) {
            // Checked against an auth module's targets: connect to the checked addresses, never to a new lookup's.
            props.putAll(PinnedSocketFactory.properties(spec));
        } else {
            // A closed session gives its server slot back before the pool counts it as gone (per-server budget).
            props.setProperty(PinnedSocketFactory.FACTORY, SessionSocketFactory.class.getName());
        }
        props.setProperty("user", spec.effectiveUser());
        spec.password().ifPresent(p -> props.setProperty("password", p.reveal()));
        return props;
    }

    /**
     * Opens a new session for {@code spec} with these defaults. An authentication method that {@code require_auth}
     * (or pgvigil's guard on an auth module's password) refuses comes back as an {@link SQLException} whose message
     * says why, with SQLState {@code 28000}; the driver refuses it before the password is touched. The credential
     * files of {@code target} ({@code username_file}, {@code password_file}) are read here, for every new session.
     */
    static Connection open(ConnectionSpec target, Duration lockTimeout) throws SQLException {
        ConnectionSpec spec = CredentialFileReader.resolve(target);
        try {
            return connect(spec, lockTimeout);
        } catch (TargetException e) {
            throw new SQLException("authentication refused before connecting: " + e.getMessage(), "28000", e);
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("requireAuth")) {
                throw new SQLException(refusal(spec), "28000", e);
            }
            throw e;
        }
    }

    private static String refusal(ConnectionSpec spec) {
        String allowed = spec.driverProperties().getOrDefault("requireAuth", "any");
        String why = spec.password().filter(Secret::isGuarded).isPresent()
                ? " (an auth module's password is never sent in clear text unless the module's options set sslmode "
                  + "verify-ca or verify-full, or name \"password\" in require_auth)"
                : "";
        return "authentication refused: the server asked for an authentication method that require_auth=" + allowed
               + " does not allow, so no password was sent" + why;
    }
}
