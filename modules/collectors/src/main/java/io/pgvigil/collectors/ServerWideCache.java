package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.CredentialFiles;
import io.pgvigil.dsn.Endpoint;
import io.pgvigil.dsn.Secret;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The result of the {@linkplain Collector.Scope#SERVER server-wide} collectors (and the legacy
 * {@code pg_stat_database_conflicts}), shared between targets of one server for {@code --collection.server-wide-ttl}.
 *
 * <p>Targets share when they differ only in their database ({@link ServerKey}: one host and port, one role, the
 * same options), because the server-wide views report the whole server from any database. Each scrape still
 * connects to its own database first; {@link #part} then gives it the server part:
 * <ul>
 *   <li>younger than the TTL: taken as it is ({@code fresh});</li>
 *   <li>younger than twice the TTL: taken ({@code stale}), and a new one is collected in the background on a lease
 *       of the first target seen for the server (usually idle between its own scrapes), once per server, so that
 *       no scrape waits for the server-wide queries while the targets of a server keep it fresh. When the scrape's
 *       own connection is new (the server's sessions take turns within its budget, so that lease would open yet
 *       another session and queue behind the scrapes), the scrape collects it itself instead and the others
 *       meanwhile take the old one;</li>
 *   <li>otherwise (no part yet, or one target per server scraped less often than the TTL): collected by this scrape
 *       on its own connection ({@code collected}); scrapes of the same server arriving meanwhile wait for that
 *       collection until their own deadline ({@code joined}), so a burst of first scrapes costs one collection.</li>
 * </ul>
 * A part that ran out of time or lost its connection is not kept (that says nothing about the server). The map of
 * servers is bounded: beyond {@value #MAX_SERVERS}, servers whose part is too old to serve are forgotten. Thread-safe.
 */
final class ServerWideCache {
    private static final System.Logger LOG = System.getLogger(Scraper.class.getName());
    private static final int MAX_SERVERS = 1000;

    private final ConnectionSource source;
    private final ScrapeOptions options;
    private final List<Collector> serverWide;
    private final ExporterFamilies families;
    private final QueryBatches batches;
    private final ConcurrentHashMap<ServerKey, Shared> shared = new ConcurrentHashMap<>();
    private final LongAdder fresh = new LongAdder();
    private final LongAdder stale = new LongAdder();
    private final LongAdder collected = new LongAdder();
    private final LongAdder joined = new LongAdder();

    ServerWideCache(ConnectionSource source, ScrapeOptions options, List<Collector> collectors, ExporterFamilies families,
                    QueryBatches batches) {
        this.source = source;
        this.options = options;
        this.serverWide = collectors.stream().filter(c -> c.scope() == Collector.Scope.SERVER).toList();
        this.families = families;
        this.batches = batches;
    }

    /**
     * Where scrapes' server parts came from, for the self-metrics.
     *
     * @param fresh     taken from an earlier scrape within the TTL
     * @param stale     taken older, while a new one was collected in the background
     * @param collected collected by the scrape itself (or in the background)
     * @param joined    waited for another scrape's collection
     */
    record Counts(long fresh, long stale, long collected, long joined) {
    }

    /** @return how many scrapes got their server part in which way so far */
    Counts counts() {
        return new Counts(fresh.sum(), stale.sum(), collected.sum(), joined.sum());
    }

    /**
     * What targets on one server share: one server (a single host and port, and the same pinned addresses when the
     * target was checked against an allow-list), one role and the same options. Only the database differs, and the
     * server-wide collectors do not depend on it. Credential files count as the role: two modules reading their user
     * or password from different files never share. The pins are part of the key so that a background collection
     * never reuses a target pinned to an address other than the one the scrape was checked for.
     */
    private record ServerKey(Endpoint endpoint, Optional<String> user, Optional<Secret> password,
                             Map<String, String> parameters, CredentialFiles credentialFiles,
                             Map<Endpoint, List<InetAddress>> pinned) {
        /** @return the key, or empty when results are not shared: sharing is off or the target names several hosts */
        static Optional<ServerKey> of(ConnectionSpec spec, Duration ttl) {
            if (ttl.isZero() || spec.endpoints().size() != 1) {
                return Optional.empty();
            }
            return Optional.of(new ServerKey(spec.endpoints().getFirst(), spec.user(), spec.password(), spec.parameters(),
                                             spec.credentialFiles(), spec.pinned()));
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
    record ServerPart(List<MetricSnapshot> snapshots, Map<String, ScrapeRun.Outcome> outcomes, boolean legacyOk,
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

    /** @return the server part for this scrape (see the class comment), empty when this target does not share */
    Optional<ServerPart> part(ScrapeRun run) {
        return ServerKey.of(run.spec(), options.serverWideTtl()).map(key -> part(key, run));
    }

    private ServerPart part(ServerKey key, ScrapeRun run) {
        long ttl = options.serverWideTtl().toNanos();
        Shared server = shared.computeIfAbsent(key, k -> new Shared(run.spec()));
        ServerPart last = server.part;
        long now = System.nanoTime();
        if (last != null && now - last.collectedAt() < ttl) {
            fresh.increment();
            return last;
        }
        if (last != null && now - last.collectedAt() < 2 * ttl) {
            stale.increment();
            CompletableFuture<ServerPart> mine = new CompletableFuture<>();
            if (server.running.compareAndSet(null, mine)) {
                if (!run.lease().reused()) {
                    // A new session: the server's sessions take turns (its budget), so a background lease would open
                    // one more and queue behind the probes. This scrape collects on its own; the others take `last`.
                    ServerPart part = collectHere(server, run, mine);
                    return part.keep() ? part : last;
                }
                if (server.collectorFailed) {
                    // e.g. that database was dropped: the target scraped now is known to work
                    server.collector = run.spec();
                    server.collectorFailed = false;
                }
                Thread.ofVirtual().name("pgvigil-server-wide").start(() -> collectInBackground(server, mine));
            }
            return last;
        }
        CompletableFuture<ServerPart> mine = new CompletableFuture<>();
        CompletableFuture<ServerPart> other = server.running.compareAndExchange(null, mine);
        if (other == null) {
            return collectHere(server, run, mine);
        }
        joined.increment();
        try {
            return other.get(Math.max(0, run.deadline() - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return failed(run, "the server-wide collectors, collected by another scrape of the same server, "
                               + (e instanceof TimeoutException ? "did not finish by the scrape deadline of " + run.bounded()
                                                                : "failed"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(run, "interrupted");
        }
    }

    /** Collects the server's part on the scrape's own connection and publishes it ({@code mine} is running). */
    private ServerPart collectHere(Shared server, ScrapeRun run, CompletableFuture<ServerPart> mine) {
        try {
            ServerPart part = collect(run);
            keep(server, part, mine);
            return part;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            server.running.set(null);
            throw e;
        }
    }

    /** Publishes a collected part: kept for others when complete, handed to the scrapes waiting for it anyway. */
    private void keep(Shared server, ServerPart part, CompletableFuture<ServerPart> mine) {
        if (part.keep()) {
            server.part = part;
        }
        server.running.set(null);
        mine.complete(part);
        forgetOldServers();
    }

    /**
     * Collects a server's part on its own lease of the server's first target, within the collection timeout; a
     * failure only leaves the old part to age (the scrapes then collect it themselves).
     */
    private void collectInBackground(Shared server, CompletableFuture<ServerPart> mine) {
        Duration budget = options.collectionTimeout();
        long deadline = System.nanoTime() + budget.toNanos();
        ConnectionSpec spec = server.collector;
        try (ScrapeRun run = ScrapeRun.open(source, spec, deadline, budget, options.collectors())) {
            keep(server, collect(run), mine);
        } catch (SQLException | RuntimeException e) {
            server.collectorFailed = true;
            LOG.log(Level.ERROR, "collector failed", "name", "server-wide", "dsn", spec.redacted(), "err", ScrapeRun.message(e));
        } finally {
            if (!mine.isDone()) {
                server.running.set(null);
                mine.complete(none());
            }
        }
    }

    /** Every server-wide collector failed, for the reason given (logged once for all of them). */
    private ServerPart failed(ScrapeRun run, String reason) {
        run.noteIfOutOfTime();
        LOG.log(Level.ERROR, "collector failed", "name", "server-wide", "dsn", run.spec().redacted(), "err", reason);
        return none();
    }

    /** A part in which every server-wide collector failed. */
    private ServerPart none() {
        Map<String, ScrapeRun.Outcome> outcomes = new HashMap<>();
        for (Collector collector : serverWide) {
            outcomes.put(collector.name(), new ScrapeRun.Outcome(false, 0));
        }
        return new ServerPart(List.of(), Map.copyOf(outcomes), options.legacy().disableDefaultMetrics(), false, System.nanoTime());
    }

    private ServerPart collect(ScrapeRun run) {
        collected.increment();
        MetricSink sink = new MetricSink();
        boolean legacyOk = families.conflicts(run, sink);
        Map<String, ScrapeRun.Outcome> outcomes = new HashMap<>();
        batches.prefetch(run, serverWide);
        for (Collector collector : serverWide) {
            outcomes.put(collector.name(), run.collector(collector, sink));
        }
        boolean keep = !run.outOfTime() && !run.broken();
        return new ServerPart(List.copyOf(sink.snapshots()), Map.copyOf(outcomes), legacyOk, keep, System.nanoTime());
    }

    /** Keeps the map of servers bounded: drops servers whose part is too old to be served and nobody collects. */
    private void forgetOldServers() {
        if (shared.size() <= MAX_SERVERS) {
            return;
        }
        long ttl = options.serverWideTtl().toNanos();
        long now = System.nanoTime();
        shared.values().removeIf(s -> s.running.get() == null && (s.part == null || now - s.part.collectedAt() >= 2 * ttl));
    }
}
