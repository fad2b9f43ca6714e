package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionSpec;

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

    private SessionDefaults() {
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
        }
        props.setProperty("user", spec.effectiveUser());
        spec.password().ifPresent(p -> props.setProperty("password", p.reveal()));
        return props;
    }
}
