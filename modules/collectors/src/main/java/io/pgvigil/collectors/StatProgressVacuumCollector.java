package io.pgvigil.collectors;

import java.sql.SQLException;
import java.util.List;

/**
 * {@code stat_progress_vacuum}: progress of every running {@code VACUUM} (autovacuum included), one set
 * of series per (database, table).
 *
 * <p>Read from the {@code pg_stat_progress_vacuum} view rather than from the raw progress counters
 * upstream reads: the view names the counters per major, so their meaning cannot silently change.
 * PostgreSQL 17 replaced the dead-tuple counters: {@code _num_dead_tuples} then comes from
 * {@code num_dead_item_ids} (the same count under a new name), and {@code _max_dead_tuples} is left out
 * because 17 only gives a memory budget in bytes, no tuple count. Upstream v0.20.1 exports the byte
 * figures under the tuple names there.
 */
final class StatProgressVacuumCollector {
    static final Collector COLLECTOR = new Collector("stat_progress_vacuum", true, Collector.Scope.DATABASE, StatProgressVacuumCollector::collect);

    private StatProgressVacuumCollector() {
    }

    /** The phases the view reports, in the order of their numbers; one series each. */
    static final List<String> PHASES = List.of(
            "initializing", "scanning heap", "vacuuming indexes", "vacuuming heap",
            "cleaning up indexes", "truncating heap", "performing final cleanup");

    // The table name resolves only in the database we are connected to (pg_class is per database); a
    // vacuum elsewhere is named by the table's OID, so that two of them never share a series.
    private static final String COMMON = """
            SELECT p.datname,
                   CASE WHEN p.datname = current_database() THEN p.relid::regclass::text
                        ELSE p.relid::text END AS relname,
                   p.phase, p.heap_blks_total, p.heap_blks_scanned, p.heap_blks_vacuumed,
                   p.index_vacuum_count,
            """;

    /** The dead-tuple limit as a count: gone in 17, which has a memory budget in bytes instead. */
    private static final Majors MAX_DEAD_TUPLES = Majors.until(17);

    private static final VersionedSql SQL = VersionedSql.of(
            VersionedSql.since(13, COMMON + """
                           p.max_dead_tuples, p.num_dead_tuples
                      FROM pg_catalog.pg_stat_progress_vacuum p
                    """),
            // 17: max_dead_tuple_bytes / dead_tuple_bytes (memory) and num_dead_item_ids (the count).
            VersionedSql.since(MAX_DEAD_TUPLES.until(), COMMON + """
                           p.num_dead_item_ids AS num_dead_tuples
                      FROM pg_catalog.pg_stat_progress_vacuum p
                    """));

    private static final String PREFIX = "pg_stat_progress_vacuum_";

    private static void collect(Session session, MetricSink out) throws SQLException {
        Family phase = out.gauge(PREFIX + "phase",
                                 "Current vacuum phase (1 = active, 0 = inactive). Label 'phase' is human-readable.",
                                 "datname", "relname", "phase");
        Family heapBlks = gauge(out, "heap_blks", "Total number of heap blocks in the table being vacuumed.");
        Family scanned = gauge(out, "heap_blks_scanned", "Number of heap blocks scanned so far.");
        Family vacuumed = gauge(out, "heap_blks_vacuumed", "Number of heap blocks vacuumed so far.");
        Family indexVacuums = gauge(out, "index_vacuums", "Number of completed index vacuum cycles.");
        Family maxDead = MAX_DEAD_TUPLES.contains(session.version())
                ? gauge(out, "max_dead_tuples", "Maximum number of dead tuples that can be stored before cleanup is performed.")
                : null;
        Family numDead = gauge(out, "num_dead_tuples", "Current number of dead tuples found so far.");
        session.query(SQL, row -> {
            String datname = row.textOr("datname", "unknown");
            String relname = row.textOr("relname", "unknown");
            String current = row.textOr("phase", null);
            for (String p : PHASES) {
                phase.add(p.equals(current) ? 1 : 0, datname, relname, p);
            }
            heapBlks.add(row.number("heap_blks_total", 0), datname, relname);
            scanned.add(row.number("heap_blks_scanned", 0), datname, relname);
            vacuumed.add(row.number("heap_blks_vacuumed", 0), datname, relname);
            indexVacuums.add(row.number("index_vacuum_count", 0), datname, relname);
            if (maxDead != null) {
                maxDead.add(row.number("max_dead_tuples", 0), datname, relname);
            }
            numDead.add(row.number("num_dead_tuples", 0), datname, relname);
        });
    }

    private static Family gauge(MetricSink out, String name, String help) {
        return out.gauge(PREFIX + name, help, "datname", "relname");
    }
}
