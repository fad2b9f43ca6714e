package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.connect.Lease;
import io.pgvigil.connect.ServerInfo;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Endpoint;
import io.pgvigil.dsn.Redaction;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One scrape's connection, session and deadline, for running collectors one after the other: what keeps every
 * statement of a scrape inside the time Prometheus gives it.
 *
 * <p>{@link #open} leases a connection and bounds it by the deadline: the server's {@code statement_timeout} is
 * set to the time left (or to the session's own statement timeout when that is shorter), and the driver's socket read timeout to a little more, so that even a server that stops
 * answering cannot hold the scrape past its deadline. That {@code SET} is also the first round trip on a kept
 * connection: when it fails with a connection-level error (the server restarted while the connection was idle),
 * the connection is dropped and one new connection is tried within the same deadline.
 *
 * <p>The statement timeout is not set again before every collector, only when {@link #REBOUND_NANOS} have passed
 * since it was last set ({@link #reboundIfDue()}). {@link #collector} runs one collector and reports an
 * {@link Outcome}; {@link #outOfTime()} tells the {@link Scraper} whether the deadline was hit. Used by one thread.
 */
final class ScrapeRun implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Scraper.class.getName());

    /** The socket read timeout exceeds the statement timeout by this much, so the server's cancel comes first. */
    private static final long NETWORK_GRACE_MILLIS = 200;
    /**
     * The statement timeout is set to the time left when a scrape starts, and again before a collector only when
     * this long has passed since: a statement can then overrun the deadline by at most this much, well inside
     * the default scrape-timeout offset, while a fast scrape costs one {@code SET} instead of one per collector.
     */
    private static final long REBOUND_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** How one collector did in a scrape: whether it succeeded, and how long it took in seconds. */
    record Outcome(boolean ok, double seconds) {
    }

    private final ConnectionSpec spec;
    private final Lease lease;
    private final Session session;
    private final long deadline;
    private final Duration bounded;
    private long boundAt;
    private boolean outOfTime;

    private ScrapeRun(ConnectionSpec spec, Lease lease, Session session, long deadline, Duration bounded, long boundAt) {
        this.spec = spec;
        this.lease = lease;
        this.session = session;
        this.deadline = deadline;
        this.bounded = bounded;
        this.boundAt = boundAt;
    }

    /**
     * Leases a connection for {@code spec} and bounds its statements by the deadline.
     *
     * @param deadline on the {@link System#nanoTime()} clock
     * @param bounded  the budget the deadline came from, for log lines
     * @throws SQLException when no usable connection could be had in time
     */
    static ScrapeRun open(ConnectionSource source, ConnectionSpec spec, long deadline, Duration bounded,
                          CollectorOptions options) throws SQLException {
        // Taken before the statement timeout is first set, so the time since it is never underestimated.
        long boundAt = System.nanoTime();
        Lease lease = acquire(source, spec, deadline);
        ServerInfo server = lease.server();
        return new ScrapeRun(spec, lease, new Session(lease.connection(), server.version(), hostPort(spec), options),
                             deadline, bounded, boundAt);
    }

    /**
     * Gets a connection and bounds its statements by the deadline. A kept connection that turns out broken on this
     * first round trip (e.g. the server restarted while it was idle) is dropped and one fresh connection is tried.
     */
    private static Lease acquire(ConnectionSource source, ConnectionSpec spec, long deadline) throws SQLException {
        Lease lease = source.lease(spec, deadline);
        try {
            bound(lease, deadline);
            return lease;
        } catch (SQLException e) {
            boolean connectionLevel = lease.retireIfConnectionLost(e);
            lease.close();
            if (!connectionLevel || !lease.reused()) {
                throw e;
            }
            LOG.log(Level.DEBUG, "kept connection was broken, opening a new one", "dsn", spec.redacted(), "err", message(e));
        }
        Lease fresh = source.lease(spec, deadline);
        try {
            bound(fresh, deadline);
            return fresh;
        } catch (SQLException e) {
            fresh.retireIfConnectionLost(e);
            fresh.close();
            throw e;
        }
    }

    /**
     * Sets the server-side {@code statement_timeout} to the time left, or to the session's own
     * {@linkplain ServerInfo#statementTimeout() statement timeout} when that is shorter (a target's or auth module's
     * {@code statement_timeout} is an upper bound that the deadline may lower but never raise), and the client's
     * socket read timeout to a little more than the time left, so that even a server that does not answer cannot
     * hold the scrape past its deadline (the connection is then closed by the driver and never reused).
     */
    private static void bound(Lease lease, long deadline) throws SQLException {
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        long millis = lease.server().statementTimeout().map(t -> Math.min(left, Math.max(1, t.toMillis()))).orElse(left);
        Connection connection = lease.connection();
        connection.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, left + NETWORK_GRACE_MILLIS));
        try (Statement st = connection.createStatement()) {
            st.execute("SET statement_timeout = " + millis);
        }
    }

    /** Sets the statement timeout to the time left again when {@link #REBOUND_NANOS} have passed since it was set. */
    void reboundIfDue() throws SQLException {
        long now = System.nanoTime();
        if (now - boundAt >= REBOUND_NANOS) {
            boundAt = now;
            bound(lease, deadline);
        }
    }

    /** Runs a collector within the deadline; its samples go to {@code out} only when it succeeds. */
    Outcome collector(Collector collector, MetricSink out) {
        long t0 = System.nanoTime();
        boolean ok = false;
        if (t0 - deadline >= 0) {
            outOfTime = true;
            LOG.log(Level.ERROR, "collector failed", "name", collector.name(), "dsn", spec.redacted(),
                    "err", "scrape deadline of " + bounded + " exceeded");
        } else if (broken()) {
            LOG.log(Level.ERROR, "collector failed", "name", collector.name(), "dsn", spec.redacted(),
                    "err", "the connection was lost");
        } else {
            MetricSink own = new MetricSink();
            try {
                reboundIfDue();
                collector.collect(session, own);
                out.addAll(own);
                if (own.duplicates() > 0) {
                    LOG.log(Level.WARNING, "dropped duplicate series", "collector", collector.name(), "count", own.duplicates());
                }
                ok = true;
            } catch (SQLException | RuntimeException e) {
                LOG.log(Level.ERROR, "collector failed", "name", collector.name(), "dsn", spec.redacted(), "err", message(e));
                if (e instanceof SQLException sql) {
                    lease.retireIfConnectionLost(sql);
                }
            }
            if (!ok && pastDeadline()) {
                outOfTime = true;
            }
        }
        return new Outcome(ok, seconds(System.nanoTime() - t0));
    }

    /** Notes that the scrape ran out of time, when its deadline has passed. */
    void noteIfOutOfTime() {
        if (pastDeadline()) {
            outOfTime = true;
        }
    }

    boolean pastDeadline() {
        return System.nanoTime() - deadline >= 0;
    }

    /** @return whether a collector or a wait ran into the deadline */
    boolean outOfTime() {
        return outOfTime;
    }

    /** @return whether the connection is closed (lost, or closed by the driver after a read timeout) */
    boolean broken() {
        try {
            return lease.connection().isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    ConnectionSpec spec() {
        return spec;
    }

    Lease lease() {
        return lease;
    }

    Session session() {
        return session;
    }

    long deadline() {
        return deadline;
    }

    Duration bounded() {
        return bounded;
    }

    /** Releases what the session fetched ahead and gives the connection back; never throws. */
    @Override
    public void close() {
        try {
            session.release();
        } finally {
            lease.close();
        }
    }

    /** @return {@code host:port} of the first host, as upstream's {@code server} label shows it */
    static String hostPort(ConnectionSpec spec) {
        Endpoint e = spec.endpoints().getFirst();
        String host = e.host().contains(":") ? "[" + e.host() + "]" : e.host();
        return host + ":" + e.port();
    }

    /** @return the error's message, with anything that looks like a secret masked */
    static String message(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return Redaction.redact(m);
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
