package io.pgvigil.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A custom-queries file ({@code --extend.query-path}, upstream's {@code queries.yaml}) as read: its metric
 * namespaces in file order, and the SHA-256 of its bytes, which upstream reports in
 * {@code pg_exporter_user_queries_load_error{hashsum}}.
 *
 * @param file       the file, as given
 * @param sha256     lower-case hex SHA-256 of the file's bytes
 * @param namespaces the namespaces, in file order (a namespace given twice: the later one)
 * @param warnings   things upstream accepts silently but an operator should see (an unknown {@code usage})
 */
public record UserQueriesFile(Path file, String sha256, List<Namespace> namespaces, List<String> warnings) {
    public UserQueriesFile {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sha256, "sha256");
        namespaces = List.copyOf(namespaces);
        warnings = List.copyOf(warnings);
    }

    /**
     * One metric namespace: a query and how its columns become metrics.
     *
     * @param name         the namespace, the metric names' prefix (before {@code --metric-prefix} is applied)
     * @param query        the SQL; empty means the namespace reports nothing, as upstream
     * @param master       {@code master}: run only on the data source itself, not on databases discovered from it
     * @param cacheSeconds {@code cache_seconds}: how long a target's result is served again; 0 is never
     * @param runOnServer  {@code runonserver}: the server versions to run on; empty is every version
     * @param columns      the {@code metrics} entries, in file order (a column given twice: the later one)
     * @param line         the line of the namespace's key, counted from 1
     */
    public record Namespace(String name, String query, boolean master, long cacheSeconds,
                            Optional<VersionRange> runOnServer, List<Column> columns, int line) {
        public Namespace {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(query, "query");
            Objects.requireNonNull(runOnServer, "runOnServer");
            columns = List.copyOf(columns);
            if (cacheSeconds < 0) {
                throw new IllegalArgumentException("cacheSeconds must not be negative");
            }
        }
    }

    /**
     * How one result column is used.
     *
     * @param name        the column name
     * @param usage       one of {@link #USAGES}
     * @param description the help text of its metric
     */
    public record Column(String name, String usage, String description) {
        /** The usages upstream knows; any other text is {@code DISCARD}, as upstream. */
        public static final List<String> USAGES =
                List.of("DISCARD", "LABEL", "COUNTER", "GAUGE", "MAPPEDMETRIC", "DURATION", "HISTOGRAM");

        public Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(description, "description");
            if (!USAGES.contains(usage)) {
                throw new IllegalArgumentException("unknown usage " + usage);
            }
        }
    }
}
