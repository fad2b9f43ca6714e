package io.pgvigil.connect;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What is learnt about a server once per connection (not once per scrape).
 *
 * @param version the server version
 * @param text    {@code version()}, as upstream's {@code pg_static} shows it
 */
public record ServerInfo(ServerVersion version, String text) {

    /** Asks the server, in one round trip. */
    static ServerInfo detect(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int, version()")) {
            if (!rs.next()) {
                throw new SQLException("the server returned no version");
            }
            return new ServerInfo(new ServerVersion(rs.getInt(1)), rs.getString(2));
        }
    }
}
