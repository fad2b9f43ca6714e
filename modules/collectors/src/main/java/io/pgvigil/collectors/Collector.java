package io.pgvigil.collectors;

import java.sql.SQLException;
import java.util.Objects;

/**
 * A named group of metrics read from one server. A collector that does not apply to the server's
 * version adds nothing and still counts as successful, as upstream does.
 *
 * @param name             the name used in {@code --[no-]collector.<name>} and the {@code collector} label
 * @param enabledByDefault whether the collector runs when no flag says otherwise (upstream's default)
 * @param body             reads the server and adds samples
 */
record Collector(String name, boolean enabledByDefault, Body body) {

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
        Objects.requireNonNull(body, "body");
    }

    void collect(Session session, MetricSink out) throws SQLException {
        body.collect(session, out);
    }
}
