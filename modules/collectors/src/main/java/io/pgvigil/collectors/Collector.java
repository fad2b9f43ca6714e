package io.pgvigil.collectors;

import java.sql.SQLException;
import java.util.Objects;

/**
 * A named group of metrics read from one server. A collector that does not apply to the server's
 * version adds nothing and still counts as successful, as upstream does.
 *
 * @param name             the name used in {@code --[no-]collector.<name>} and the {@code collector} label
 * @param enabledByDefault whether the collector runs when no flag says otherwise (upstream's default)
 * @param scope            whether its result depends on the database it is read from
 * @param locking          whether its queries may wait for a relation lock
 * @param body             reads the server and adds samples
 */
record Collector(String name, boolean enabledByDefault, Scope scope, Locking locking, Body body) {

    /** A collector whose queries never wait for a relation lock, the usual case. */
    Collector(String name, boolean enabledByDefault, Scope scope, Body body) {
        this(name, enabledByDefault, scope, Locking.NEVER_WAITS, body);
    }

    /**
     * What a collector's result depends on, which decides whether targets may share it (only {@link #SERVER}) and
     * whether it is exported once per server with {@code --collection.server-wide=once} (every scope but
     * {@link #DATABASE}, see {@link #serverWide()}).
     */
    enum Scope {
        /**
         * The same from every database of the server for the same role: shared cluster-wide views and catalogs
         * ({@code pg_stat_database}, {@code pg_locks}, {@code pg_stat_activity}, {@code pg_database},
         * {@code pg_roles}, the WAL and replication views, ...).
         */
        SERVER,
        /**
         * The server's configuration ({@code pg_settings}): one value per server, except where
         * {@code ALTER DATABASE ... SET} overrides it for a database, so it is never shared between targets, but its
         * families carry no database label and so are exported once per server in {@code once} mode (as the
         * maintenance database sees them).
         */
        CONFIGURATION,
        /**
         * Depends on the database connected to: per-database catalogs ({@code pg_class}, the {@code *_user_*}
         * views) or an extension installed per database.
         */
        DATABASE;

        /** {@return whether its families describe the server rather than the database connected to} */
        boolean serverWide() {
            return this != DATABASE;
        }
    }

    /** Whether a collector's queries may queue behind another session's lock. */
    enum Locking {
        /** Reads statistics views and catalogs only, which take no lock that a user's DDL could hold up. */
        NEVER_WAITS,
        /**
         * Calls functions that take {@code ACCESS SHARE} on relations ({@code pg_table_size()} and friends), so it
         * waits behind an {@code ACCESS EXCLUSIVE} lock (until {@code lock_timeout}): its query is never sent in the
         * batch of the others ({@link QueryBatches}), so that such a wait fails this collector alone.
         */
        MAY_WAIT
    }

    /** What a collector does. */
    @FunctionalInterface
    interface Body {
        /**
         * Reads the server and adds samples to {@code out}.
         *
         * @throws SQLException when a query fails; the collector then reports success 0
         */
        void collect(Session session, MetricSink out) throws SQLException;
    }

    Collector {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(locking, "locking");
        Objects.requireNonNull(body, "body");
    }

    void collect(Session session, MetricSink out) throws SQLException {
        body.collect(session, out);
    }
}
