/**
 * Runs SQL against a monitored PostgreSQL server and turns the rows into immutable metric snapshots. The public
 * face is {@link io.pgvigil.collectors.Scraper} (and {@link io.pgvigil.collectors.CollectorCatalog} for the
 * command line); connections come from {@code io.pgvigil.connect}.
 *
 * <h2>Adding a collector</h2>
 * <ol>
 *   <li><b>One class</b>, {@code FooCollector}, package-private and final, holding
 *       {@code static final Collector COLLECTOR = new Collector("foo", enabledByDefault, scope, FooCollector::collect)}:
 *       the name is the {@code --[no-]collector.foo} flag and the {@code collector} label; {@code enabledByDefault}
 *       is upstream's default.</li>
 *   <li><b>Scope</b> ({@link io.pgvigil.collectors.Collector.Scope}): {@code SERVER} when the result is the same from
 *       every database of the server (cluster-wide views), so targets of one server may share it;
 *       {@code CONFIGURATION} for server settings that {@code ALTER DATABASE ... SET} can change (not shared, but
 *       exported once per server with {@code --collection.server-wide=once}, like {@code SERVER}); {@code DATABASE}
 *       when it reads per-database catalogs or an extension installed per database. When in doubt,
 *       {@code DATABASE}.</li>
 *   <li><b>Locks</b>: if its query calls something that takes a relation lock ({@code pg_table_size()},
 *       {@code pg_indexes_size()}, ...), pass {@link io.pgvigil.collectors.Collector.Locking#MAY_WAIT}: it then runs
 *       outside the batch of the others, so a wait behind an {@code ACCESS EXCLUSIVE} lock fails it alone.</li>
 *   <li><b>SQL</b>: a {@link io.pgvigil.collectors.VersionedSql} with one variant per range of majors
 *       ({@code VersionedSql.of(since(13, ...), since(16, ...))}, or {@code always(...)}); run it with
 *       {@code session.query(SQL, row -> ...)}, which runs nothing on a major before the first variant. Bind values
 *       (never string concatenation of user input) go through {@code session.query(SQL, values, row -> ...)}.
 *       Qualify catalog objects with {@code pg_catalog.}; the session is read-only.</li>
 *   <li><b>Families</b>: declare them on the {@code MetricSink} before the query (name, help, label names fixed up
 *       front), add samples per row. A view read column by column is a list of
 *       {@link io.pgvigil.collectors.Column}s and {@link io.pgvigil.collectors.Columns#declare}; a column or family
 *       that exists on some majors only says so with {@code .since(n)}/{@code .until(n)} or a
 *       {@link io.pgvigil.collectors.Majors} constant, never with a hand-written {@code major()} comparison.</li>
 *   <li><b>Register</b> {@code FooCollector.COLLECTOR} in {@link io.pgvigil.collectors.CollectorCatalog} (or in one of
 *       its group lists: {@code ReplicationCollectors}, {@code ActivityCollectors}, {@code TableCollectors}).</li>
 *   <li><b>Golden list</b>: run {@code GoldenFamiliesTest} with {@code -Dpgvigil.golden.update=true} (every major of
 *       the matrix), which rewrites {@code golden-families.tsv} and {@code docs/metrics.md}; review both diffs.
 *       Add a test with real rows next to the group's others (e.g. {@code TableCollectorsTest}).</li>
 * </ol>
 * A collector throws {@link java.sql.SQLException} for a failed query: the scraper then reports
 * {@code pg_scrape_collector_success 0} for it, drops its partial output and runs the others.
 */
package io.pgvigil.collectors;
