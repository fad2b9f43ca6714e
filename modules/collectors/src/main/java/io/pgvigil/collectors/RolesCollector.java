package io.pgvigil.collectors;

import java.sql.SQLException;

/** {@code roles}: the connection limit of every role, predefined {@code pg_*} roles included; -1 means none. */
final class RolesCollector {
    static final Collector COLLECTOR = new Collector("roles", true, Collector.Scope.SERVER, RolesCollector::collect);

    private RolesCollector() {
    }

    private static final VersionedSql SQL = VersionedSql.always("""
            SELECT r.rolname, r.rolconnlimit
              FROM pg_catalog.pg_roles r
            """);

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family limit = out.gauge("pg_roles_connection_limit", "Connection limit set for the role", "rolname");
        session.query(SQL, row -> {
            if (!row.isNull("rolname") && !row.isNull("rolconnlimit")) {
                limit.add(row.number("rolconnlimit"), row.text("rolname"));
            }
        });
    }
}
