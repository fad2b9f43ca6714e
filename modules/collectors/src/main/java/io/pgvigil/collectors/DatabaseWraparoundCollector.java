package io.pgvigil.collectors;

import java.sql.SQLException;

/**
 * {@code database_wraparound}: per database that accepts connections, how many transactions and
 * multixacts old its oldest unfrozen IDs are. The values are ID ages, not seconds, whatever the names say.
 */
final class DatabaseWraparoundCollector {
    static final Collector COLLECTOR = new Collector("database_wraparound", false, Collector.Scope.SERVER, DatabaseWraparoundCollector::collect);

    private DatabaseWraparoundCollector() {
    }

    private static final VersionedSql SQL = VersionedSql.always("""
            SELECT d.datname,
                   age(d.datfrozenxid) AS xid_age,
                   mxid_age(d.datminmxid) AS mxid_age
              FROM pg_catalog.pg_database d
             WHERE d.datallowconn
            """);

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family xid = out.gauge("pg_database_wraparound_age_datfrozenxid_seconds",
                               "Age of the oldest transaction ID that has not been frozen.", "datname");
        Family mxid = out.gauge("pg_database_wraparound_age_datminmxid_seconds",
                                "Age of the oldest multi-transaction ID that has been replaced with a transaction ID.", "datname");
        session.query(SQL, row -> {
            if (row.isNull("datname") || row.isNull("xid_age") || row.isNull("mxid_age")) {
                return;
            }
            String datname = row.text("datname");
            xid.add(row.number("xid_age"), datname);
            mxid.add(row.number("mxid_age"), datname);
        });
    }
}
