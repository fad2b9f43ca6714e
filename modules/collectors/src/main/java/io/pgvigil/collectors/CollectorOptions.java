package io.pgvigil.collectors;

import java.util.List;
import java.util.Objects;

/**
 * Options that change what some collectors read, from the command line.
 *
 * @param statStatements    the {@code --collector.stat_statements.*} options
 * @param excludeDatabases  {@code --exclude-databases}: databases the {@code database} collector leaves out
 */
public record CollectorOptions(StatStatements statStatements, List<String> excludeDatabases) {
    public CollectorOptions {
        Objects.requireNonNull(statStatements, "statStatements");
        excludeDatabases = List.copyOf(excludeDatabases);
    }

    /** @return upstream's defaults */
    public static CollectorOptions defaults() {
        return new CollectorOptions(StatStatements.defaults(), List.of());
    }

    /**
     * The {@code stat_statements} collector's options.
     *
     * @param includeQuery     also export {@code pg_stat_statements_query_id{queryid,query}}
     * @param queryLength      characters of query text in that label
     * @param limit            at most this many statements
     * @param excludeDatabases databases whose statements are left out
     * @param excludeUsers     users whose statements are left out
     */
    public record StatStatements(boolean includeQuery, int queryLength, int limit,
                                 List<String> excludeDatabases, List<String> excludeUsers) {
        public StatStatements {
            if (queryLength <= 0) {
                throw new IllegalArgumentException("--collector.stat_statements.query_length must be greater than zero");
            }
            if (limit < 0) {
                throw new IllegalArgumentException("--collector.stat_statements.limit must not be negative");
            }
            excludeDatabases = List.copyOf(excludeDatabases);
            excludeUsers = List.copyOf(excludeUsers);
        }

        /** @return upstream's defaults: no query text, 120 characters, 100 statements, nothing excluded */
        public static StatStatements defaults() {
            return new StatStatements(false, 120, 100, List.of(), List.of());
        }
    }
}
