package io.pgvigil.dsn;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where the server-wide families of a scrape go ({@code --collection.server-wide}, an auth module's
 * {@code server_wide}): on every target, as upstream does, or once per server, on its {@linkplain #serverTarget
 * server target}, so that N databases of one server probed as N targets send O(N) series instead of O(N²).
 */
public enum ServerWide {
    /** Every target's answer holds the server-wide families (upstream's behaviour, the default). */
    EVERY_TARGET("every-target"),
    /**
     * Only the server target's answer holds them; every other target answers with its per-database families and
     * the families every answer has, and the server-wide queries are not run for it at all.
     */
    ONCE("once");

    /** The maintenance database: a target naming it is the server target, as one naming no database is. */
    public static final String MAINTENANCE_DATABASE = "postgres";

    private final String spelling;

    ServerWide(String spelling) {
        this.spelling = spelling;
    }

    /** {@return the value as written on the command line and in the config file} */
    public String spelling() {
        return spelling;
    }

    /** {@return every spelling, in declaration order, for messages and help} */
    public static List<String> spellings() {
        return Arrays.stream(values()).map(ServerWide::spelling).toList();
    }

    /** {@return the value spelled {@code text} exactly, empty for anything else} */
    public static Optional<ServerWide> parse(String text) {
        return Arrays.stream(values()).filter(v -> v.spelling.equals(text)).findFirst();
    }

    /**
     * Whether a scrape of {@code target} (credentials and module options merged) exports the server-wide families.
     *
     * @return true in {@link #EVERY_TARGET}; in {@link #ONCE}, true for the server target only
     */
    public boolean exportsServerWide(ConnectionSpec target) {
        return this == EVERY_TARGET || serverTarget(target);
    }

    /**
     * The server target of {@link #ONCE}: a target that names no database, or names the maintenance database
     * {@value #MAINTENANCE_DATABASE}. Decided on the target as given (after an auth module's {@code dbname}), not on
     * the database libpq falls back to, so {@code host:5432} is a server target whatever its user is called.
     */
    public static boolean serverTarget(ConnectionSpec target) {
        return target.database().map(MAINTENANCE_DATABASE::equals).orElse(true);
    }
}
