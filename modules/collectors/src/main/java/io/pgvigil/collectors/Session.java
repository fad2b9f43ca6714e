package io.pgvigil.collectors;

import io.pgvigil.connect.ServerVersion;
import io.pgvigil.connect.ConnectionErrors;
import io.pgvigil.dsn.Redaction;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One open connection to a monitored server, with what was learnt about it when it was opened.
 *
 * <p>A session can also <em>record</em> instead of query: {@link #recording()} gives a session whose
 * {@link #query} only notes the SQL, so that the queries of many collectors can be sent to the server in one round
 * trip ({@link #prefetch}); the real run then takes each result from what was fetched, in order, and queries the
 * server itself only for what was not fetched (a query that depends on an earlier result, or anything after a
 * failed batch).
 *
 * @param connection the JDBC connection
 * @param version    the server version, detected once per connection
 * @param server     {@code host:port} of the server, as upstream's {@code server} label shows it
 * @param options    the collector options from the command line
 * @param fetched    results fetched ahead, by SQL text; a recording session notes its queries here instead
 */
record Session(Connection connection, ServerVersion version, String server, CollectorOptions options, Fetched fetched) {

    Session(Connection connection, ServerVersion version, String server, CollectorOptions options) {
        this(connection, version, server, options, new Fetched(false));
    }

    /** Receives one row at a time. */
    @FunctionalInterface
    interface RowHandler {
        void row(Row row) throws SQLException;
    }

    /**
     * @return the connection; not for a recording session, whose collectors must not reach the server
     * @throws IllegalStateException when recording
     */
    @Override
    public Connection connection() {
        if (fetched.recording) {
            throw new IllegalStateException("a recording session has no connection");
        }
        return connection;
    }

    /** @return a session on the same connection that only records the SQL its collectors would run */
    Session recording() {
        return new Session(connection, version, server, options, new Fetched(true));
    }

    /** @return the SQL recorded by a {@link #recording()} session, in order */
    List<String> recorded() {
        return List.copyOf(fetched.recorded);
    }

    /**
     * Runs the statement for this server's version and hands each row to {@code handler}. When no variant applies
     * to this server (e.g. a view that first shipped with a later major), nothing runs and the handler sees no row:
     * the collector then reports no samples and still succeeds, as upstream does.
     */
    void query(VersionedSql sql, RowHandler handler) throws SQLException {
        Optional<String> chosen = sql.forVersion(version);
        if (chosen.isEmpty()) {
            LOG.log(System.Logger.Level.DEBUG, "no statement for this server version, skipping", "version", version);
            return;
        }
        query(chosen.get(), handler);
    }

    /**
     * Runs the statement for this server's version with bind values, by itself: never fetched in a batch (its
     * result depends on the values) and, in a recording session, not noted. Returns quietly when no variant
     * applies, like {@link #query(VersionedSql, RowHandler)}.
     *
     * @param values one per {@code ?}, in order: a {@code List<String>} binds as {@code text[]}, anything else as
     *               {@link PreparedStatement#setObject(int, Object)} binds it
     */
    void query(VersionedSql sql, List<?> values, RowHandler handler) throws SQLException {
        Optional<String> chosen = sql.forVersion(version);
        if (fetched.recording || chosen.isEmpty()) {
            return;
        }
        try (PreparedStatement st = connection.prepareStatement(chosen.get())) {
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) instanceof List<?> list) {
                    st.setArray(i + 1, connection.createArrayOf("text", list.toArray()));
                } else {
                    st.setObject(i + 1, values.get(i));
                }
            }
            try (ResultSet rs = st.executeQuery()) {
                rows(rs, handler);
            }
        }
    }

    /** Runs a query and hands each row to {@code handler}: from what {@link #prefetch} fetched, if it did. */
    void query(String sql, RowHandler handler) throws SQLException {
        if (fetched.recording) {
            fetched.recorded.add(sql);
            return;
        }
        ArrayDeque<ResultSet> ahead = fetched.results.get(sql);
        ResultSet early = ahead == null ? null : ahead.poll();
        if (early != null) {
            try (ResultSet rs = early) {
                rows(rs, handler);
            }
            return;
        }
        // A prepared statement, so that pgjdbc's per-connection statement cache makes the server keep the
        // plan after a few scrapes of a kept connection (prepareThreshold) instead of planning every time.
        try (PreparedStatement st = connection.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
            rows(rs, handler);
        }
    }

    private static void rows(ResultSet rs, RowHandler handler) throws SQLException {
        Row row = new Row(rs);
        while (rs.next()) {
            handler.row(row);
        }
    }

    /**
     * Sends {@code sqls} to the server as one statement list: one round trip, one plan per statement kept by the
     * server after a few scrapes (pgjdbc prepares the list like any statement). The results wait here until the
     * collectors ask for them. A failure of any of them fails the whole list (the server stops at the first
     * error): then nothing is kept and every collector queries for itself.
     *
     * @throws SQLException only when the connection is lost or in doubt; other errors just leave nothing fetched
     */
    void prefetch(List<String> sqls) throws SQLException {
        if (sqls.size() < 2) {
            return;
        }
        PreparedStatement st = connection.prepareStatement(String.join(";\n", sqls));
        fetched.statements.add(st);
        try {
            boolean isResult = st.execute();
            Map<String, ArrayDeque<ResultSet>> results = new HashMap<>();
            for (String sql : sqls) {
                if (!isResult) {
                    return; // not one result per statement: leave it to the collectors
                }
                results.computeIfAbsent(sql, k -> new ArrayDeque<>()).add(st.getResultSet());
                isResult = st.getMoreResults(Statement.KEEP_CURRENT_RESULT);
            }
            if (!isResult) {
                fetched.results.putAll(results);
            }
        } catch (SQLException e) {
            if (ConnectionErrors.isConnectionLevel(e, connection)) {
                throw e;
            }
            LOG.log(System.Logger.Level.DEBUG, "batch of collector queries failed, running them one by one", "err",
                    Redaction.redact(String.valueOf(e.getMessage())));
        }
    }

    /** Closes what {@link #prefetch} left open; never throws. */
    void release() {
        fetched.results.clear();
        for (PreparedStatement st : fetched.statements) {
            try {
                st.close();
            } catch (SQLException e) {
                // the results are read already, or the connection is gone
            }
        }
        fetched.statements.clear();
    }

    private static final System.Logger LOG = System.getLogger(Session.class.getName());

    /** What a session fetched ahead (or, recording, the SQL it noted). Used by one thread at a time. */
    static final class Fetched {
        private final boolean recording;
        private final List<String> recorded = new ArrayList<>();
        private final Map<String, ArrayDeque<ResultSet>> results = new HashMap<>();
        private final List<PreparedStatement> statements = new ArrayList<>();

        Fetched(boolean recording) {
            this.recording = recording;
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
