package io.pgvigil.collectors;

import java.sql.SQLException;

/**
 * A named group of metrics read from one server. A collector that does not apply to the server's
 * version adds nothing and still counts as successful, as upstream does.
 */
interface Collector {
    /** @return the name used in {@code --[no-]collector.<name>} and the {@code collector} label */
    String name();

    /** @return whether the collector runs when no flag says otherwise (upstream's default) */
    boolean enabledByDefault();

    /**
     * Reads the server and adds samples to {@code out}.
     *
     * @throws SQLException when a query fails; the collector then reports success 0
     */
    void collect(Session session, MetricSink out) throws SQLException;
}
