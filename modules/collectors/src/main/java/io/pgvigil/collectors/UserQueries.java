package io.pgvigil.collectors;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The custom queries of upstream's {@code --extend.query-path} file, as the scraper runs them: each namespace's
 * query runs on the scrape's own connection (read-only, prepared, inside the scrape deadline) and its rows become
 * metrics by upstream's rules ({@code <namespace>_<column>}, the {@code LABEL} columns and {@code server} as
 * labels, unmapped numeric columns untyped). Immutable; a reload replaces the whole set
 * ({@link Scraper#userQueries(UserQueries)}).
 *
 * @param namespaces the namespaces, in file order
 * @param status     how the last load of the file went, for {@code pg_exporter_user_queries_load_error};
 *                   empty when no file is configured (then that family is not reported)
 */
public record UserQueries(List<Namespace> namespaces, Optional<Status> status) {
    public UserQueries {
        namespaces = List.copyOf(namespaces);
        Objects.requireNonNull(status, "status");
    }

    /** {@return no file, no queries} */
    public static UserQueries none() {
        return new UserQueries(List.of(), Optional.empty());
    }

    /** How a column of a namespace's result is used (upstream's {@code usage}). */
    public enum Usage {
        /** Ignored. */
        DISCARD,
        /** A label of every metric of the namespace. */
        LABEL,
        /** A counter {@code <namespace>_<column>}. */
        COUNTER,
        /** A gauge {@code <namespace>_<column>}. */
        GAUGE,
        /** A gauge through a value mapping, which upstream never applies to custom queries: never a sample. */
        MAPPEDMETRIC,
        /** A gauge {@code <namespace>_<column>_milliseconds} from a Go duration text such as {@code 1h2m3s}. */
        DURATION,
        /** A histogram from the columns {@code <column>} (bounds), {@code _bucket}, {@code _sum} and {@code _count}. */
        HISTOGRAM
    }

    /**
     * One column's use.
     *
     * @param name        the column name
     * @param usage       how it is used
     * @param description the help text of its metric
     */
    public record Column(String name, Usage usage, String description) {
        public Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(usage, "usage");
            Objects.requireNonNull(description, "description");
        }
    }

    /**
     * One namespace.
     *
     * @param name    the namespace as written; {@code --metric-prefix} replaces its first {@code pg}
     * @param sql     the query; empty: the namespace reports nothing
     * @param master  run only on a data source itself, not on databases discovered from it
     * @param cache   how long a target's result is served again without running the query; zero is never
     * @param runsOn  which server versions ({@code major.minor.patch}) it runs on
     * @param columns the mapped columns
     */
    public record Namespace(String name, String sql, boolean master, Duration cache, Predicate<String> runsOn,
                            List<Column> columns) {
        public Namespace {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sql, "sql");
            Objects.requireNonNull(cache, "cache");
            Objects.requireNonNull(runsOn, "runsOn");
            columns = List.copyOf(columns);
            if (cache.isNegative()) {
                throw new IllegalArgumentException("cache must not be negative");
            }
        }
    }

    /**
     * The outcome of the last load, reported as {@code pg_exporter_user_queries_load_error{filename,hashsum}}.
     *
     * @param filename the file as given on the command line
     * @param hashsum  the SHA-256 (hex) of the file last read, empty when it could not be read
     * @param failed   whether that load failed (the queries are then the last good ones)
     */
    public record Status(String filename, String hashsum, boolean failed) {
        public Status {
            Objects.requireNonNull(filename, "filename");
            Objects.requireNonNull(hashsum, "hashsum");
        }
    }
}
