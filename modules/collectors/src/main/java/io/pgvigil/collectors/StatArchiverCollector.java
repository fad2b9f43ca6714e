package io.pgvigil.collectors;

import java.sql.SQLException;

/**
 * {@code stat_archiver}: the WAL archiver's counters from {@code pg_stat_archiver}. A NULL value leaves its family
 * out; in particular there is no {@code last_archive_age} while nothing was ever archived.
 */
final class StatArchiverCollector {
    static final Collector COLLECTOR = new Collector("stat_archiver", true, Collector.Scope.SERVER, StatArchiverCollector::collect);

    private StatArchiverCollector() {
    }

    private static final VersionedSql SQL = VersionedSql.always("""
            SELECT archived_count, failed_count,
                   extract(epoch FROM now() - last_archived_time)::float8 AS last_archive_age
              FROM pg_catalog.pg_stat_archiver
            """);

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family archived = out.counter("pg_stat_archiver_archived_count",
                                      "Number of WAL files that have been successfully archived");
        Family failed = out.counter("pg_stat_archiver_failed_count", "Number of failed attempts for archiving WAL files");
        Family age = out.gauge("pg_stat_archiver_last_archive_age",
                               "Time in seconds since last WAL segment was successfully archived");
        session.query(SQL, row -> {
            if (!row.isNull("archived_count")) {
                archived.add(row.number("archived_count"));
            }
            if (!row.isNull("failed_count")) {
                failed.add(row.number("failed_count"));
            }
            if (!row.isNull("last_archive_age")) {
                age.add(row.number("last_archive_age"));
            }
        });
    }
}
