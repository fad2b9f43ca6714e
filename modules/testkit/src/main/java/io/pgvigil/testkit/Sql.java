package io.pgvigil.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The SQL the testkit runs as the superuser: roles, databases, quoting, and the queries tests check a server with. */
final class Sql {

    private Sql() {
    }

    /** See {@link PgServer#createRole(String, String, String...)}. */
    static void createRole(PgServer server, String name, String rolePassword, String... extraClauses) {
        String sql = null;
        try (Connection c = server.connectAsSuperuser("postgres"); Statement st = c.createStatement()) {
            String role = quoteIdent(name);
            String pw = rolePassword == null ? "NULL" : quoteLiteral(rolePassword);
            if (!exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", name)) {
                StringBuilder b = new StringBuilder("CREATE ROLE ").append(role).append(" LOGIN PASSWORD ").append(pw);
                for (String clause : extraClauses) {
                    b.append(' ').append(clause);
                }
                sql = b.toString();
                st.execute(sql);
                return;
            }
            sql = "ALTER ROLE " + role + " WITH LOGIN PASSWORD " + pw;
            st.execute(sql);
            for (String clause : extraClauses) {
                String trimmed = clause.strip();
                String upper = trimmed.toUpperCase(Locale.ROOT);
                if (upper.startsWith("IN ROLE ") || upper.startsWith("IN GROUP ")) {
                    sql = "GRANT " + trimmed.substring(upper.indexOf(' ', 3) + 1) + " TO " + role;
                } else {
                    sql = "ALTER ROLE " + role + " WITH " + trimmed;
                }
                st.execute(sql);
            }
        } catch (SQLException e) {
            throw server.sqlFailure(sql, e);
        }
    }

    /** See {@link PgServer#createDatabase(String, String)}. */
    static void createDatabase(PgServer server, String name, String owner) {
        String sql = null;
        try (Connection c = server.connectAsSuperuser("postgres"); Statement st = c.createStatement()) {
            String ownerIdent = quoteIdent(owner == null ? server.superuser() : owner);
            if (exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", name)) {
                sql = "ALTER DATABASE " + quoteIdent(name) + " OWNER TO " + ownerIdent;
            } else {
                sql = "CREATE DATABASE " + quoteIdent(name) + " OWNER " + ownerIdent;
            }
            st.execute(sql);
        } catch (SQLException e) {
            throw server.sqlFailure(sql, e);
        }
    }

    /** Reads one value from the current row of a result. */
    @FunctionalInterface
    interface Column<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** See {@link PgServer#queryDouble(String, String, Object...)}: an {@link AssertionError} when there is no row. */
    static <T> T queryFirst(PgServer server, String database, String sql, Object[] params, Column<T> column) {
        try (Connection c = server.connectAsSuperuser(database); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new AssertionError("no row from " + sql);
                }
                return column.read(rs);
            }
        } catch (SQLException e) {
            throw server.sqlFailure(sql, e);
        }
    }

    /** See {@link PgServer#backendPids(String)}. */
    static List<Integer> backendPids(PgServer server, String applicationName) {
        String sql = "SELECT pid FROM pg_stat_activity WHERE application_name = ? ORDER BY pid";
        List<Integer> pids = new ArrayList<>();
        try (Connection c = server.connectAsSuperuser("postgres"); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                }
            }
        } catch (SQLException e) {
            throw server.sqlFailure(sql, e);
        }
        return List.copyOf(pids);
    }

    /** Whether {@code query} with its one parameter set to {@code param} returns a row. */
    static boolean exists(Connection c, String query, String param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(query)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static String quoteIdent(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }

    static String quoteLiteral(String literal) {
        return "'" + literal.replace("'", "''") + "'";
    }
}
