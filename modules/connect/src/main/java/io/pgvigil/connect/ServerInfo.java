package io.pgvigil.connect;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What is learnt about a server once per connection (not once per scrape).
 *
 * @param version          the server version
 * @param text             {@code version()}, as upstream's {@code pg_static} shows it
 * @param statementTimeout the session's {@code statement_timeout} when the connection was opened, before pgvigil
 *                         set anything: the target's or auth module's {@code statement_timeout} parameter, a
 *                         {@code -c statement_timeout} in its {@code options}, or the role's, database's or server's
 *                         setting; empty when it is off ({@code 0}). A scrape never bounds a statement by more.
 * @param slots            the server's connection slots, which the pool's per-server budget is a share of; empty when
 *                         not asked
 */
public record ServerInfo(ServerVersion version, String text, Optional<Duration> statementTimeout,
                         Optional<ConnectionSlots> slots) {
    public ServerInfo {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(statementTimeout, "statementTimeout");
        Objects.requireNonNull(slots, "slots");
    }

    /** What is known without asking for the connection slots. */
    public ServerInfo(ServerVersion version, String text, Optional<Duration> statementTimeout) {
        this(version, text, statementTimeout, Optional.empty());
    }

    /** Asks the server, in one round trip: every new connection refreshes what the pool knows of the server's slots. */
    static ServerInfo detect(Connection connection) throws SQLException {
        // statement_timeout as SHOW prints it ("0", "1500ms", "90s", "2min", "1d") is a valid interval: in ms without
        // pg_settings, whose view builds every setting's row (~1 ms of server CPU on a new session, every rotation).
        // reserved_connections exists from PostgreSQL 16: current_setting(..., true) is NULL before.
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int, version(),"
                                            + " (extract(epoch FROM current_setting('statement_timeout')::interval) * 1000)::bigint,"
                                            + " current_setting('max_connections')::int,"
                                            + " current_setting('superuser_reserved_connections')::int,"
                                            + " coalesce(current_setting('reserved_connections', true), '0')::int")) {
            if (!rs.next()) {
                throw new SQLException("the server returned no version");
            }
            long timeoutMillis = rs.getLong(3);
            Optional<Duration> timeout = timeoutMillis > 0 ? Optional.of(Duration.ofMillis(timeoutMillis)) : Optional.empty();
            ConnectionSlots slots = new ConnectionSlots(rs.getInt(4), rs.getInt(5), rs.getInt(6));
            return new ServerInfo(new ServerVersion(rs.getInt(1)), rs.getString(2), timeout, Optional.of(slots));
        }
    }
}
