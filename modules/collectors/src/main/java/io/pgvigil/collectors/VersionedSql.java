package io.pgvigil.collectors;

import io.pgvigil.connect.ServerVersion;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The SQL a collector runs, chosen by server major version. Written so that a reader sees at a glance
 * which statement runs on which major:
 * <pre>{@code
 * VersionedSql.of(
 *     VersionedSql.since(13, "SELECT ... FROM pg_stat_database"),
 *     VersionedSql.since(14, "SELECT ..., active_time FROM pg_stat_database"));
 * }</pre>
 * A variant applies from its major up to (not including) the next variant's major. Before the first
 * variant there is no statement: the collector does not apply to that server, and
 * {@link Session#query(VersionedSql, Session.RowHandler)} runs nothing (the collector reports no samples and
 * succeeds). Columns and families that exist on some majors only are gated with {@link Majors}.
 */
final class VersionedSql {
    /** One statement and the first major it applies to. */
    record Variant(int sinceMajor, String sql) {
    }

    private final List<Variant> variants;

    private VersionedSql(List<Variant> variants) {
        this.variants = variants;
    }

    static Variant since(int major, String sql) {
        return new Variant(major, sql);
    }

    static VersionedSql of(Variant... variants) {
        List<Variant> sorted = Arrays.stream(variants).sorted(Comparator.comparingInt(Variant::sinceMajor)).toList();
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).sinceMajor() == sorted.get(i - 1).sinceMajor()) {
                throw new IllegalArgumentException("two statements for major " + sorted.get(i).sinceMajor());
            }
        }
        return new VersionedSql(sorted);
    }

    /** The same statement on every supported major. */
    static VersionedSql always(String sql) {
        return of(since(0, sql));
    }

    /** @return the same variants with {@code edit} applied to each statement, e.g. to fill in options */
    VersionedSql map(UnaryOperator<String> edit) {
        return new VersionedSql(variants.stream().map(v -> new Variant(v.sinceMajor(), edit.apply(v.sql()))).toList());
    }

    /** @return the statement for that server, empty when the collector does not apply to it */
    Optional<String> forVersion(ServerVersion version) {
        String chosen = null;
        for (Variant v : variants) {
            if (version.major() >= v.sinceMajor()) {
                chosen = v.sql();
            }
        }
        return Optional.ofNullable(chosen);
    }
}
