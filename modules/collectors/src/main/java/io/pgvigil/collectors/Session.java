package io.pgvigil.collectors;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One open connection to a monitored server, with what was learnt about it when it was opened.
 *
 * @param connection the JDBC connection
 * @param version    the server version, detected once per connection
 * @param server     {@code host:port} of the server, as upstream's {@code server} label shows it
 * @param options    the collector options from the command line
 */
record Session(Connection connection, ServerVersion version, String server, CollectorOptions options) {

    /** Receives one row at a time. */
    @FunctionalInterface
    interface RowHandler {
        void row(Row row) throws SQLException;
    }

    /** Runs a query and hands each row to {@code handler}. */
    void query(String sql, RowHandler handler) throws SQLException {
        // A prepared statement, so that pgjdbc's per-connection statement cache makes the server keep the
        // plan after a few scrapes of a kept connection (prepareThreshold) instead of planning every time.
        try (PreparedStatement st = connection.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
            Row row = new Row(rs);
            while (rs.next()) {
                handler.row(row);
            }
        }
    }

    /** Typed, NULL-aware access to the current row of a result set. */
    static final class Row {
        private final ResultSet rs;

        private Row(ResultSet rs) {
            this.rs = rs;
        }

        /** @return the text of the column, {@code ""} for NULL */
        String text(String column) throws SQLException {
            String s = rs.getString(column);
            return s == null ? "" : s;
        }

        /** @return the text of the column, or {@code fallback} for NULL */
        String textOr(String column, String fallback) throws SQLException {
            String s = rs.getString(column);
            return s == null ? fallback : s;
        }

        boolean isNull(String column) throws SQLException {
            rs.getObject(column);
            return rs.wasNull();
        }

        /** @return the numeric value of the column, {@code fallback} for NULL */
        double number(String column, double fallback) throws SQLException {
            double d = rs.getDouble(column);
            return rs.wasNull() ? fallback : d;
        }

        /** @return the numeric value of the column, NaN for NULL */
        double number(String column) throws SQLException {
            return number(column, Double.NaN);
        }
    }
}
