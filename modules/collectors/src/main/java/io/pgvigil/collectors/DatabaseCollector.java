package io.pgvigil.collectors;

import java.sql.SQLException;

/** {@code database}: size and connection limit of every database. */
final class DatabaseCollector {
    static final Collector COLLECTOR = new Collector("database", true, Collector.Scope.SERVER, DatabaseCollector::collect);

    private DatabaseCollector() {
    }

    // One statement instead of one size query per database. A database being dropped (PG 15+
    // marks it invalid with datconnlimit -2) would make pg_database_size() fail: skip its size.
    private static final VersionedSql SQL = VersionedSql.always("""
            SELECT datname,
                   datconnlimit AS connection_limit,
                   CASE WHEN datconnlimit <> -2 THEN pg_database_size(oid) END AS size_bytes
              FROM pg_catalog.pg_database
            """);

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family size = out.gauge("pg_database_size_bytes", "Disk space used by the database", "datname");
        Family limit = out.gauge("pg_database_connection_limit", "Connection limit set for the database", "datname");
        session.query(SQL, row -> {
            String datname = row.text("datname");
            if (session.options().excludeDatabases().contains(datname)) {
                return; // --exclude-databases
            }
            if (!row.isNull("size_bytes")) {
                size.add(row.number("size_bytes"), datname);
            }
            limit.add(row.number("connection_limit"), datname);
        });
    }
}
