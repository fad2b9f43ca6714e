package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.connect.Lease;
import io.pgvigil.connect.ServerInfo;
import io.pgvigil.connect.ServerVersion;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Endpoint;
import io.pgvigil.dsn.Redaction;
import io.pgvigil.dsn.Secret;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Scrapes one target: leases a connection from the {@link ConnectionSource} (whose server version is detected
 * once per connection), bounds every statement by the scrape deadline, runs the enabled collectors one after
 * the other on that connection, and returns
 * an immutable snapshot of everything, including {@code pg_up}, the {@code pg_exporter_*} and
 * {@code pg_scrape_collector_*} families and the legacy {@code pg_static} and
 * {@code pg_stat_database_conflicts_*}. Never throws for database problems: those become
 * {@code pg_up 0} or {@code pg_scrape_collector_success 0} and a log line.
 *
 * <p>With a {@linkplain ScrapeOptions#serverWideTtl() server-wide TTL}, targets that differ only in their database
 * share the result of the {@linkplain Collector.Scope#SERVER server-wide} collectors for that long: every scrape
 * still connects to its own database (so {@code pg_up} is its own) and runs the per-database collectors, but the
 * server-wide families (which report the whole server from any database) are collected once per TTL per server.
 */
public final class Scraper {
    private static final System.Logger LOG = System.getLogger(Scraper.class.getName());

    private final ConnectionSource source;
    private final List<Collector> collectors;
    private final ScrapeOptions options;
    /** Collections running now, per target: later scrapes of the same target join them. */
    private final ConcurrentHashMap<ConnectionSpec, CompletableFuture<MetricSnapshots>> inFlight = new ConcurrentHashMap<>();
    private final LongAdder collections = new LongAdder();
    private final LongAdder coalesced = new LongAdder();
    private final LongAdder deadlineHits = new LongAdder();
    /** The server-wide part of each server with sharing on, see {@link #serverPart}. */
    private final ConcurrentHashMap<ServerKey, Shared> shared = new ConcurrentHashMap<>();
    private static final int MAX_SHARED_SERVERS = 1000;
    private final LongAdder sharedFresh = new LongAdder();
    private final LongAdder sharedStale = new LongAdder();
    private final LongAdder sharedCollected = new LongAdder();
    private final LongAdder sharedJoined = new LongAdder();
    /** The socket read timeout exceeds the statement timeout by this much, so the server's cancel comes first. */
    private static final long NETWORK_GRACE_MILLIS = 200;
    /**
     * The statement timeout is set to the time left when a scrape starts, and again before a collector only when
     * this long has passed since: a statement can then overrun the deadline by at most this much, well inside
     * the default scrape-timeout offset, while a fast scrape costs one {@code SET} instead of one per collector.
     */
    private static final long REBOUND_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * Collectors whose queries may wait for a relation lock ({@code pg_table_size()} and friends take
     * {@code ACCESS SHARE}): never fetched in the batch, see {@link Run#prefetch}.
     */
    private static final Set<String> MAY_WAIT_FOR_LOCKS = Set.of("stat_user_tables");
    /** Off only to measure the difference ({@code -Dpgvigil.batch=false}). */
    private static final boolean BATCH = !"false".equals(System.getProperty("pgvigil.batch"));

    /**
     * @param source     where connections come from
     * @param collectors names of the collectors to run (see {@link CollectorCatalog})
     * @param options    collector options, legacy options and the collection timeout
     * @throws IllegalArgumentException for an unknown collector name
     */
    public Scraper(ConnectionSource source, Set<String> collectors, ScrapeOptions options) {
        this.source = source;
        this.collectors = CollectorCatalog.select(collectors);
        this.options = options;
    }

    /** A scraper with the given collector options and upstream's defaults otherwise. */
    public Scraper(ConnectionSource source, Set<String> collectors, CollectorOptions options) {
        this(source, collectors, new ScrapeOptions(options, LegacyOptions.defaults(), ScrapeOptions.defaults().collectionTimeout()));
    }

    /** A scraper with upstream's default options. */
    public Scraper(ConnectionSource source, Set<String> collectors) {
        this(source, collectors, ScrapeOptions.defaults());
    }

    /** @return the names of the collectors this scraper runs, sorted */
    public List<String> collectorNames() {
        return collectors.stream().map(Collector::name).toList();
    }

    /**
     * Scrapes a target within the {@linkplain ScrapeOptions#collectionTimeout() collection timeout}.
     *
     * @param spec    the target with credentials applied
     * @param scrapes the counter behind {@code pg_exporter_scrapes_total}; incremented here
     * @return the metrics
     */
    public MetricSnapshots scrape(ConnectionSpec spec, AtomicLong scrapes) {
        return scrape(spec, scrapes, options.collectionTimeout());
    }

    /**
     * Scrapes a target within {@code budget} (bounded by the collection timeout). Concurrent scrapes of the same
     * target are coalesced: the first runs the collection, the others wait for it and get the same result (with
     * the first caller's {@code pg_exporter_scrapes_total}), so a target is never scraped twice at once.
     *
     * @param spec    the target with credentials applied
     * @param scrapes the counter behind {@code pg_exporter_scrapes_total}; incremented by the collection
     * @param budget  how long the scrape may take, e.g. Prometheus' scrape timeout minus an offset
     * @return the metrics
     */
    public MetricSnapshots scrape(ConnectionSpec spec, AtomicLong scrapes, Duration budget) {
        long start = System.nanoTime();
        CompletableFuture<MetricSnapshots> mine = new CompletableFuture<>();
        CompletableFuture<MetricSnapshots> running = inFlight.putIfAbsent(spec, mine);
        if (running != null) {
            coalesced.increment();
            return join(running, spec, scrapes, budget, start);
        }
        try {
            MetricSnapshots result = collect(spec, scrapes, budget, start);
            mine.complete(result);
            return result;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(spec, mine);
        }
    }

    /**
     * Waits for the running collection of the same target, but only until this scrape's own deadline: an answer
     * after it would be thrown away by Prometheus, so this scrape then answers {@code pg_up 0} in time.
     */
    private MetricSnapshots join(CompletableFuture<MetricSnapshots> running, ConnectionSpec spec, AtomicLong scrapes,
                                 Duration budget, long start) {
        long deadline = start + Math.max(0, bounded(budget).toNanos());
        try {
            return running.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            deadlineHits.increment();
            LOG.log(Level.ERROR, "Error opening connection to database", "dsn", spec.redacted(),
                    "err", "a scrape of the same target was still running at the scrape deadline of " + bounded(budget));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return down(scrapes, start);
    }

    /** {@code pg_up 0}, every collector failed. */
    private MetricSnapshots down(AtomicLong scrapes, long start) {
        MetricSink out = new MetricSink();
        Family success = out.gauge("pg_scrape_collector_success", "postgres_exporter: Whether a collector succeeded.", "collector");
        out.gauge("pg_scrape_collector_duration_seconds", "postgres_exporter: Duration of a collector scrape.", "collector");
        collectors.forEach(c -> success.add(0, c.name()));
        exporterFamilies(out, options.legacy(), false, true, seconds(System.nanoTime() - start), scrapes.incrementAndGet());
        return new MetricSnapshots(out.snapshots());
    }

    private Duration bounded(Duration budget) {
        return budget.compareTo(options.collectionTimeout()) < 0 ? budget : options.collectionTimeout();
    }

    /** @return counters of this scraper for the self-metrics */
    public Stats stats() {
        return new Stats(collections.sum(), coalesced.sum(), deadlineHits.sum(), sharedFresh.sum(), sharedStale.sum(),
                         sharedCollected.sum(), sharedJoined.sum());
    }

    /**
     * @param collections      collections run (coalesced scrapes are not counted)
     * @param coalesced        scrapes that joined a collection already running for the same target
     * @param deadlineHits     collections that ran out of time (set-up or a collector)
     * @param serverWideFresh  scrapes that took the server-wide part from an earlier scrape within the TTL
     * @param serverWideStale  scrapes that took an older server-wide part while another scrape collected a new one
     * @param serverWideCollected scrapes (with sharing on) that collected the server-wide part themselves
     * @param serverWideJoined scrapes that waited for another scrape's collection of the server-wide part (none was kept)
     */
    public record Stats(long collections, long coalesced, long deadlineHits, long serverWideFresh, long serverWideStale,
                        long serverWideCollected, long serverWideJoined) {
    }

    private MetricSnapshots collect(ConnectionSpec spec, AtomicLong scrapes, Duration budget, long start) {
        collections.increment();
        Duration bounded = bounded(budget);
        long deadline = start + Math.max(0, bounded.toNanos());
        LegacyOptions legacy = options.legacy();
        MetricSink out = new MetricSink();
        Family success = out.gauge("pg_scrape_collector_success", "postgres_exporter: Whether a collector succeeded.", "collector");
        Family duration = out.gauge("pg_scrape_collector_duration_seconds", "postgres_exporter: Duration of a collector scrape.", "collector");
        boolean up = false;
        boolean error = false;
        Lease lease;
        // Taken before the statement timeout is first set, so the time since it is never underestimated.
        long boundAt = System.nanoTime();
        try {
            lease = acquire(spec, deadline);
        } catch (SQLException | RuntimeException e) {
            boolean outOfTime = System.nanoTime() - deadline >= 0;
            LOG.log(Level.ERROR, "Error opening connection to database", "dsn", spec.redacted(), "err", message(e));
            collectors.forEach(c -> success.add(0, c.name()));
            if (outOfTime) {
                deadlineHits.increment();
            }
            exporterFamilies(out, legacy, false, true, seconds(System.nanoTime() - start), scrapes.incrementAndGet());
            return new MetricSnapshots(out.snapshots());
        }
        Run run = new Run(spec, lease, deadline, bounded, boundAt);
        ServerInfo server = lease.server();
        Session session = new Session(lease.connection(), server.version(), server(spec), options.collectors());
        try {
            up = true;
            if (!legacy.disableDefaultMetrics()) {
                legacyFamily(out.untyped("pg_static", "Version string as reported by postgres", withConstant(legacy, "version", "short_version", "server")),
                             legacy, 1, server.text(), server.version().semver(), session.server());
            }
            Optional<ServerKey> key = ServerKey.of(spec, options.serverWideTtl());
            ServerPart part = key.isPresent() ? serverPart(key.get(), run, session) : null;
            if (part != null) {
                out.addFinished(part.snapshots());
                error |= !part.legacyOk();
            } else if (!legacy.disableDefaultMetrics()) {
                error |= !runLegacy(lease, session.server(), legacy, out, spec);
            }
            boolean serverWideShared = part != null;
            run.prefetch(collectors.stream().filter(c -> !serverWideShared || c.scope() != Collector.Scope.SERVER).toList(), session);
            for (Collector collector : collectors) {
                Outcome outcome = part != null && collector.scope() == Collector.Scope.SERVER
                        ? part.outcomes().get(collector.name())
                        : run.collector(collector, session, out);
                error |= !outcome.ok();
                duration.add(outcome.seconds(), collector.name());
                success.add(outcome.ok() ? 1 : 0, collector.name());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "error scraping dsn", "dsn", spec.redacted(), "err", message(e));
            // Unexpected: the session's state is unknown, so it is not kept.
            lease.retire();
            error = true;
        } finally {
            session.release();
            lease.close();
        }
        if (run.outOfTime) {
            deadlineHits.increment();
        }
        exporterFamilies(out, legacy, up, error, seconds(System.nanoTime() - start), scrapes.incrementAndGet());
        return new MetricSnapshots(out.snapshots());
    }

    /**
     * The SQL a list of collectors sends for one server version, noted once by a recording run
     * ({@link Session#recording()}): the statements depend only on the version and the command line, so
     * recording them again on every scrape would be the same work each time.
     */
    private final ConcurrentHashMap<BatchKey, List<String>> batches = new ConcurrentHashMap<>();

    private record BatchKey(ServerVersion version, List<Collector> collectors) {
    }

    /** Runs the collectors against a recording session, except those that may wait for a lock (they run alone). */
    private static List<String> record(List<Collector> list, Session session) {
        Session recorder = session.recording();
        for (Collector collector : list) {
            if (MAY_WAIT_FOR_LOCKS.contains(collector.name())) {
                continue;
            }
            try {
                collector.collect(recorder, new MetricSink());
            } catch (SQLException | RuntimeException e) {
                // It noted what it could (a collector that needs the connection itself noted nothing).
            }
        }
        return recorder.recorded();
    }

    /** How one collector did in a scrape. */
    private record Outcome(boolean ok, double seconds) {
    }

    /** One scrape's connection and deadline, for running collectors one after the other. */
    private final class Run {
        private final ConnectionSpec spec;
        private final Lease lease;
        private final long deadline;
        private final Duration bounded;
        private long boundAt;
        private boolean outOfTime;

        Run(ConnectionSpec spec, Lease lease, long deadline, Duration bounded, long boundAt) {
            this.spec = spec;
            this.lease = lease;
            this.deadline = deadline;
            this.bounded = bounded;
            this.boundAt = boundAt;
        }

        /**
         * Fetches the results of these collectors' queries in one round trip ({@link Session#prefetch}), except for
         * collectors that may wait for a lock: those run alone, so that one stuck behind an {@code ACCESS EXCLUSIVE}
         * lock cannot take the others' results with it (a failed list is run again one query at a time).
         */
        void prefetch(List<Collector> list, Session session) {
            if (!BATCH || broken(lease) || System.nanoTime() - deadline >= 0) {
                return;
            }
            List<String> sqls = batches.computeIfAbsent(new BatchKey(session.version(), list), k -> record(list, session));
            try {
                reboundIfDue();
                session.prefetch(sqls);
            } catch (SQLException e) {
                LOG.log(Level.DEBUG, "batch of collector queries failed", "dsn", spec.redacted(), "err", message(e));
                lease.retireIfConnectionLost(e);
            }
        }

        /** Sets the statement timeout to the time left again when {@link #REBOUND_NANOS} have passed since it was set. */
        private void reboundIfDue() throws SQLException {
            long now = System.nanoTime();
            if (now - boundAt >= REBOUND_NANOS) {
                boundAt = now;
                bound(lease.connection(), deadline);
            }
        }

        /** Runs a collector within the deadline; its samples go to {@code out} only when it succeeds. */
        Outcome collector(Collector collector, Session session, MetricSink out) {
            long t0 = System.nanoTime();
            boolean ok = false;
            if (t0 - deadline >= 0) {
                outOfTime = true;
                LOG.log(Level.ERROR, "collector failed", "name", collector.name(), "dsn", spec.redacted(),
                        "err", "scrape deadline of " + bounded + " exceeded");
            } else if (broken(lease)) {
                LOG.log(Level.ERROR, "collector failed", "name", collector.name(), "dsn", spec.redacted(),
                        "err", "the connection was lost");
            } else {
                try {
                    reboundIfDue();
                    ok = runCollector(collector, session, out, spec, lease);
                } catch (SQLException e) {
                    LOG.log(Level.ERROR, "collector failed", "name", collector.name(), "dsn", spec.redacted(), "err", message(e));
                    lease.retireIfConnectionLost(e);
                }
                if (!ok && System.nanoTime() - deadline >= 0) {
                    outOfTime = true;
                }
            }
            return new Outcome(ok, seconds(System.nanoTime() - t0));
        }
    }

    /**
     * What targets on one server share: one server (a single host and port), one role and the same options.
     * Only the database differs, and the server-wide collectors do not depend on it.
     */
    private record ServerKey(Endpoint endpoint, Optional<String> user, Optional<Secret> password,
                             Map<String, String> parameters) {
        /** @return the key, or empty when results are not shared: sharing is off or the target names several hosts */
        static Optional<ServerKey> of(ConnectionSpec spec, Duration ttl) {
            if (ttl.isZero() || spec.endpoints().size() != 1) {
                return Optional.empty();
            }
            return Optional.of(new ServerKey(spec.endpoints().getFirst(), spec.user(), spec.password(), spec.parameters()));
        }
    }

    /**
     * The result of the server-wide collectors and the legacy {@code pg_stat_database_conflicts} in one scrape.
     *
     * @param snapshots   their families, finished
     * @param outcomes    per server-wide collector name
     * @param legacyOk    whether the legacy query succeeded (true when disabled)
     * @param keep        whether others may take it: false when it ran out of time or lost its connection, which
     *                    says nothing about the server; a collector that fails for the server's own reasons (a
     *                    permission, a missing view) would fail for every target alike, so that failure is shared
     * @param collectedAt {@link System#nanoTime()} when it was collected
     */
    private record ServerPart(List<MetricSnapshot> snapshots, Map<String, Outcome> outcomes, boolean legacyOk,
                              boolean keep, long collectedAt) {
    }

    /**
     * The last complete part of one server, the collection of a new one running now (if any), and the target
     * whose connection collects it in the background.
     */
    private static final class Shared {
        /** Whose connection collects in the background: the first target seen, replaced when that fails. */
        private volatile ConnectionSpec collector;
        private volatile boolean collectorFailed;
        private volatile ServerPart part;
        private final AtomicReference<CompletableFuture<ServerPart>> running = new AtomicReference<>();

        Shared(ConnectionSpec collector) {
            this.collector = collector;
        }
    }

    /**
     * The server-wide part for this scrape.
     * <ul>
     *   <li>A part younger than the TTL is taken as it is.</li>
     *   <li>A part younger than twice the TTL is taken too, and a new one is collected in the background on the
     *       connection of the first target seen for the server (usually idle between its own scrapes), so that no
     *       scrape waits for the server-wide queries while the targets of a server keep it fresh.</li>
     *   <li>Otherwise (no part yet, or a part too old: one target per server scraped less often than the TTL) this
     *       scrape collects it on its own connection, or, when another scrape is doing that already, waits for that
     *       collection until its own deadline, so that a burst of first scrapes costs the server one collection.</li>
     * </ul>
     * A part that ran out of time or lost its connection is not kept for others.
     */
    private ServerPart serverPart(ServerKey key, Run run, Session session) {
        long ttl = options.serverWideTtl().toNanos();
        Shared shared = this.shared.computeIfAbsent(key, k -> new Shared(run.spec));
        ServerPart last = shared.part;
        long now = System.nanoTime();
        if (last != null && now - last.collectedAt() < ttl) {
            sharedFresh.increment();
            return last;
        }
        if (last != null && now - last.collectedAt() < 2 * ttl) {
            sharedStale.increment();
            CompletableFuture<ServerPart> mine = new CompletableFuture<>();
            if (shared.running.compareAndSet(null, mine)) {
                if (shared.collectorFailed) {
                    // e.g. that database was dropped: the target scraped now is known to work
                    shared.collector = run.spec;
                    shared.collectorFailed = false;
                }
                Thread.ofVirtual().name("pgvigil-server-wide").start(() -> collectInBackground(shared, mine, ttl));
            }
            return last;
        }
        CompletableFuture<ServerPart> mine = new CompletableFuture<>();
        CompletableFuture<ServerPart> other = shared.running.compareAndExchange(null, mine);
        if (other == null) {
            try {
                ServerPart part = collectServerPart(run, session);
                keep(shared, part, mine, ttl);
                return part;
            } catch (RuntimeException | Error e) {
                mine.completeExceptionally(e);
                shared.running.set(null);
                throw e;
            }
        }
        sharedJoined.increment();
        try {
            return other.get(Math.max(0, run.deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return failedServerPart(run, "the server-wide collectors, collected by another scrape of the same server, "
                                         + (e instanceof TimeoutException ? "did not finish by the scrape deadline of " + run.bounded
                                                                          : "failed"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failedServerPart(run, "interrupted");
        }
    }

    /** Publishes a collected part: kept for others when complete, handed to the scrapes waiting for it anyway. */
    private void keep(Shared shared, ServerPart part, CompletableFuture<ServerPart> mine, long ttl) {
        if (part.keep()) {
            shared.part = part;
        }
        shared.running.set(null);
        mine.complete(part);
        forgetOldServers(ttl);
    }

    /**
     * Collects a server's part on its own lease of the server's first target, within the collection timeout; a
     * failure only leaves the old part to age (the scrapes then collect it themselves).
     */
    private void collectInBackground(Shared shared, CompletableFuture<ServerPart> mine, long ttl) {
        long start = System.nanoTime();
        Duration budget = options.collectionTimeout();
        long deadline = start + budget.toNanos();
        ConnectionSpec spec = shared.collector;
        try {
            Lease lease = acquire(spec, deadline);
            try {
                ServerInfo server = lease.server();
                Session session = new Session(lease.connection(), server.version(), server(spec), options.collectors());
                try {
                    keep(shared, collectServerPart(new Run(spec, lease, deadline, budget, start), session), mine, ttl);
                } finally {
                    session.release();
                }
            } finally {
                lease.close();
            }
        } catch (SQLException | RuntimeException e) {
            shared.collectorFailed = true;
            LOG.log(Level.ERROR, "collector failed", "name", "server-wide", "dsn", spec.redacted(), "err", message(e));
        } finally {
            if (!mine.isDone()) {
                shared.running.set(null);
                mine.complete(noServerPart());
            }
        }
    }

    /** Every server-wide collector failed, for the reason given (logged once for all of them). */
    private ServerPart failedServerPart(Run run, String reason) {
        if (System.nanoTime() - run.deadline >= 0) {
            run.outOfTime = true;
        }
        LOG.log(Level.ERROR, "collector failed", "name", "server-wide", "dsn", run.spec.redacted(), "err", reason);
        return noServerPart();
    }

    /** A part in which every server-wide collector failed. */
    private ServerPart noServerPart() {
        Map<String, Outcome> outcomes = new HashMap<>();
        for (Collector collector : collectors) {
            if (collector.scope() == Collector.Scope.SERVER) {
                outcomes.put(collector.name(), new Outcome(false, 0));
            }
        }
        return new ServerPart(List.of(), Map.copyOf(outcomes), options.legacy().disableDefaultMetrics(), false, System.nanoTime());
    }

    private ServerPart collectServerPart(Run run, Session session) {
        sharedCollected.increment();
        MetricSink sink = new MetricSink();
        LegacyOptions legacy = options.legacy();
        boolean legacyOk = legacy.disableDefaultMetrics() || runLegacy(run.lease, session.server(), legacy, sink, run.spec);
        Map<String, Outcome> outcomes = new HashMap<>();
        List<Collector> serverWide = collectors.stream().filter(c -> c.scope() == Collector.Scope.SERVER).toList();
        run.prefetch(serverWide, session);
        for (Collector collector : serverWide) {
            outcomes.put(collector.name(), run.collector(collector, session, sink));
        }
        boolean keep = !run.outOfTime && !broken(run.lease);
        return new ServerPart(List.copyOf(sink.snapshots()), Map.copyOf(outcomes), legacyOk, keep, System.nanoTime());
    }

    /** Keeps the map of servers bounded: drops servers whose part is too old to be served and nobody collects. */
    private void forgetOldServers(long ttl) {
        if (shared.size() <= MAX_SHARED_SERVERS) {
            return;
        }
        long now = System.nanoTime();
        shared.values().removeIf(s -> s.running.get() == null && (s.part == null || now - s.part.collectedAt() >= 2 * ttl));
    }

    /**
     * Gets a connection and bounds its statements by the deadline. A kept connection that turns out broken on this
     * first round trip (e.g. the server restarted while it was idle) is dropped and one fresh connection is tried.
     */
    private Lease acquire(ConnectionSpec spec, long deadline) throws SQLException {
        Lease lease = source.lease(spec, deadline);
        try {
            bound(lease.connection(), deadline);
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
            bound(fresh.connection(), deadline);
            return fresh;
        } catch (SQLException e) {
            fresh.retireIfConnectionLost(e);
            fresh.close();
            throw e;
        }
    }

    /**
     * Sets the server-side {@code statement_timeout} to the time left, and the client's socket read timeout to a
     * little more, so that even a server that does not answer cannot hold the scrape past its deadline (the
     * connection is then closed by the driver and never reused).
     */
    private static void bound(Connection connection, long deadline) throws SQLException {
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        connection.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, millis + NETWORK_GRACE_MILLIS));
        try (Statement st = connection.createStatement()) {
            st.execute("SET statement_timeout = " + millis);
        }
    }

    private static boolean broken(Lease lease) {
        try {
            return lease.connection().isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    /**
     * The answer when no data source is configured: {@code pg_up 0} and the exporter's own families.
     */
    public MetricSnapshots unconfigured(AtomicLong scrapes) {
        MetricSink out = new MetricSink();
        exporterFamilies(out, options.legacy(), false, true, 0, scrapes.incrementAndGet());
        return new MetricSnapshots(out.snapshots());
    }

    /** What {@code --dumpmaps} prints: the built-in legacy metric map. */
    public static String dumpMaps(LegacyOptions legacy) {
        return DatabaseConflicts.dump(legacy.metricPrefix());
    }

    private boolean runCollector(Collector collector, Session session, MetricSink out, ConnectionSpec spec, Lease lease) {
        MetricSink own = new MetricSink();
        try {
            collector.collect(session, own);
            out.addAll(own);
            if (own.duplicates() > 0) {
                LOG.log(Level.WARNING, "dropped duplicate series", "collector", collector.name(), "count", own.duplicates());
            }
            return true;
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.ERROR, "collector failed", "name", collector.name(), "dsn", spec.redacted(), "err", message(e));
            if (e instanceof SQLException sql) {
                lease.retireIfConnectionLost(sql);
            }
            return false;
        }
    }

    private static boolean runLegacy(Lease lease, String server, LegacyOptions legacy, MetricSink out, ConnectionSpec spec) {
        MetricSink own = new MetricSink();
        try {
            DatabaseConflicts.collect(lease.connection(), server, legacy, own);
            out.addAll(own);
            return true;
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.ERROR, "error scraping dsn", "namespace", "pg_stat_database_conflicts", "dsn", spec.redacted(),
                    "err", message(e));
            if (e instanceof SQLException sql) {
                lease.retireIfConnectionLost(sql);
            }
            return false;
        }
    }

    private static String[] withConstant(LegacyOptions legacy, String... labelNames) {
        List<String> names = new ArrayList<>(List.of(labelNames));
        names.addAll(legacy.constantLabels().keySet());
        return names.toArray(String[]::new);
    }

    private static void legacyFamily(Family family, LegacyOptions legacy, double value, String... labelValues) {
        List<String> values = new ArrayList<>(List.of(labelValues));
        values.addAll(legacy.constantLabels().values());
        family.add(value, values.toArray(String[]::new));
    }

    private static void exporterFamilies(MetricSink out, LegacyOptions legacy, boolean up, boolean error, double seconds, long scrapes) {
        legacyFamily(out.gauge("pg_up", "Whether the last scrape of metrics from PostgreSQL was able to connect to the server (1 for yes, 0 for no).",
                               withConstant(legacy)), legacy, up ? 1 : 0);
        legacyFamily(out.gauge("pg_exporter_last_scrape_duration_seconds", "Duration of the last scrape of metrics from PostgreSQL.",
                               withConstant(legacy)), legacy, seconds);
        legacyFamily(out.counter("pg_exporter_scrapes_total", "Total number of times PostgreSQL was scraped for metrics.",
                                 withConstant(legacy)), legacy, scrapes);
        legacyFamily(out.gauge("pg_exporter_last_scrape_error", "Whether the last scrape of metrics from PostgreSQL resulted in an error (1 for error, 0 for success).",
                               withConstant(legacy)), legacy, error ? 1 : 0);
    }

    private static String server(ConnectionSpec spec) {
        Endpoint e = spec.endpoints().getFirst();
        String host = e.host().contains(":") ? "[" + e.host() + "]" : e.host();
        return host + ":" + e.port();
    }

    private static String message(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return Redaction.redact(m);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
