package io.pgvigil.collectors;

import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code stat_statements}: per (user, database, statement) counters from the {@code pg_stat_statements} extension.
 * Like upstream it keeps only statements whose total execution time lies above the 10th percentile, takes the
 * slowest first and at most {@code limit} of them, and leaves out the excluded databases and users. With
 * {@code include_query} it adds {@code pg_stat_statements_query_id{queryid,query}} once per queryid.
 * Without the extension in the connected database the query fails and the collector reports success 0.
 */
final class StatStatementsCollector {
    static final Collector COLLECTOR = new Collector("stat_statements", false, Collector.Scope.DATABASE, StatStatementsCollector::collect);

    private static final System.Logger LOG = System.getLogger(StatStatementsCollector.class.getName());

    /** Upstream's {@code LIMIT} when {@code --collector.stat_statements.limit} is 0. */
    static final int DEFAULT_LIMIT = 100;

    private StatStatementsCollector() {
    }

    // %1$s total time, %2$s/%3$s shared block read/write time (all in ms). {query}, {showtext} and {limit} are
    // filled per scrape with values the code controls (a column expression, a boolean, an integer). The
    // excluded databases and users are the two text[] parameters. pg_stat_statements(false) does not load
    // the query texts, which keeps the percentile (and the whole query without include_query) cheap.
    private static final String TEMPLATE = """
            SELECT pg_catalog.pg_get_userbyid(s.userid) AS "user",
                   d.datname,
                   s.queryid::text AS queryid,{query}
                   s.calls AS calls_total,
                   s.%1$s / 1000.0 AS seconds_total,
                   s.rows AS rows_total,
                   s.%2$s / 1000.0 AS block_read_seconds_total,
                   s.%3$s / 1000.0 AS block_write_seconds_total
              FROM pg_stat_statements({showtext}) s
              JOIN pg_catalog.pg_database d ON d.oid = s.dbid
             WHERE s.%1$s > (SELECT percentile_cont(0.1) WITHIN GROUP (ORDER BY p.%1$s)
                               FROM pg_stat_statements(false) p)
               AND NOT (d.datname = ANY (?::text[]))
               AND NOT (pg_catalog.pg_get_userbyid(s.userid) = ANY (?::text[]))
             ORDER BY seconds_total DESC
             LIMIT {limit}
            """;

    private static final VersionedSql SQL = VersionedSql.of(
            VersionedSql.since(10, TEMPLATE.formatted("total_time", "blk_read_time", "blk_write_time")),
            VersionedSql.since(13, TEMPLATE.formatted("total_exec_time", "blk_read_time", "blk_write_time")),
            VersionedSql.since(17, TEMPLATE.formatted("total_exec_time", "shared_blk_read_time", "shared_blk_write_time")));

    /**
     * @return the statements for those options, one per range of majors, each with the two {@code text[]}
     *         parameters (excluded databases, excluded users) left open
     */
    static VersionedSql statement(CollectorOptions.StatStatements options) {
        int limit = options.limit() == 0 ? DEFAULT_LIMIT : options.limit();
        return SQL.map(template -> template
                .replace("{query}", options.includeQuery()
                        ? "\n       left(s.query, " + options.queryLength() + ") AS query," : "")
                .replace("{showtext}", Boolean.toString(options.includeQuery()))
                .replace("{limit}", Integer.toString(limit)));
    }

    private static void collect(Session session, MetricSink out) throws SQLException {
        CollectorOptions.StatStatements options = session.options().statStatements();
        String[] labels = {"user", "datname", "queryid"};
        Family calls = out.counter("pg_stat_statements_calls_total", "Number of times executed", labels);
        Family seconds = out.counter("pg_stat_statements_seconds_total", "Total time spent in the statement, in seconds", labels);
        Family rows = out.counter("pg_stat_statements_rows_total", "Total number of rows retrieved or affected by the statement", labels);
        Family blockRead = out.counter("pg_stat_statements_block_read_seconds_total", "Total time the statement spent reading blocks, in seconds", labels);
        Family blockWrite = out.counter("pg_stat_statements_block_write_seconds_total", "Total time the statement spent writing blocks, in seconds", labels);
        Family queryId = options.includeQuery()
                ? out.counter("pg_stat_statements_query_id", "SQL Query to queryid mapping", "queryid", "query")
                : null;

        Set<List<String>> seen = new HashSet<>();
        Set<String> queryIds = new HashSet<>();
        List<List<String>> excluded = List.of(names(options.excludeDatabases()), names(options.excludeUsers()));
        session.query(statement(options), excluded, row -> {
            String user = row.textOr("user", "unknown");
            String datname = row.textOr("datname", "unknown");
            String queryid = row.textOr("queryid", "unknown");
            if (!seen.add(List.of(user, datname, queryid))) {
                // pg_stat_statements can hold two rows with the same labels (e.g. top-level and nested).
                LOG.log(Level.WARNING, "Duplicate found", "user", user, "datname", datname, "queryid", queryid);
                return;
            }
            calls.add(row.number("calls_total", 0), user, datname, queryid);
            seconds.add(row.number("seconds_total", 0), user, datname, queryid);
            rows.add(row.number("rows_total", 0), user, datname, queryid);
            blockRead.add(row.number("block_read_seconds_total", 0), user, datname, queryid);
            blockWrite.add(row.number("block_write_seconds_total", 0), user, datname, queryid);
            if (queryId != null && queryIds.add(queryid)) {
                queryId.add(1, queryid, row.textOr("query", "unknown"));
            }
        });
    }

    /** The names, trimmed and without blanks, as upstream splits its flags: bound as a {@code text[]}. */
    private static List<String> names(List<String> names) {
        return names.stream().map(String::strip).filter(n -> !n.isEmpty()).toList();
    }
}
