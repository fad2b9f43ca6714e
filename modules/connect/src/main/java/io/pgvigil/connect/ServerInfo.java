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
 */
public record ServerInfo(ServerVersion version, String text, Optional<Duration> statementTimeout) {
    public ServerInfo {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(statementTimeout, "statementTimeout");
    }

    /** Asks the server, in one round trip. */
    static ServerInfo detect(Connection connection) throws SQLException {
        // pg_settings gives statement_timeout in its unit (ms) whatever unit it was set with.
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int, version(),"
                                            + " (SELECT setting::bigint FROM pg_catalog.pg_settings WHERE name = 'statement_timeout')")) {
            if (!rs.next()) {
                throw new SQLException("the server returned no version");
            }
            long timeoutMillis = rs.getLong(3);
            Optional<Duration> timeout = timeoutMillis > 0 ? Optional.of(Duration.ofMillis(timeoutMillis)) : Optional.empty();
            return new ServerInfo(new ServerVersion(rs.getInt(1)), rs.getString(2), timeout);
        }
    }
}
