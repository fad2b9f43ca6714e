package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.ServerWide;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Scrapes one target: leases a connection from the {@link ConnectionSource} (whose server version is detected
 * once per connection), bounds every statement by the scrape deadline, runs the enabled collectors one after
 * the other on that connection, and returns an immutable snapshot of everything, including {@code pg_up}, the
 * {@code pg_exporter_*} and {@code pg_scrape_collector_*} families and the legacy {@code pg_static} and
 * {@code pg_stat_database_conflicts_*}. Never throws for database problems: those become {@code pg_up 0} or
 * {@code pg_scrape_collector_success 0} and a log line.
 *
 * <p>A scrape, in the order the code runs it:
 * <ol>
 *   <li>{@link #scrape(ConnectionSpec, Duration)}: a scrape of a target that is already being scraped joins that
 *       scrape and answers with its result, or {@code pg_up 0} when it is still running at this scrape's own
 *       deadline (single-flight).</li>
 *   <li>{@link ScrapeRun}: the lease and the deadline (statement timeout, re-armed as time passes).</li>
 *   <li>{@link ServerWide}: whether this answer holds the server-wide families at all; in {@link ServerWide#ONCE}
 *       only the server target's does, and the other targets run none of the server-wide queries.</li>
 *   <li>{@link ServerWideCache}: with a {@linkplain ScrapeOptions#serverWideTtl() server-wide TTL}, targets that
 *       differ only in their database share the result of the {@linkplain Collector.Scope#SERVER server-wide}
 *       collectors; every scrape still connects to its own database (so {@code pg_up} is its own).</li>
 *   <li>{@link QueryBatches}: the remaining collectors' queries go to the server in one round trip.</li>
 *   <li>Each collector runs ({@link ScrapeRun#collector}); {@link ExporterFamilies} adds the exporter's own
 *       families.</li>
 *   <li>On the telemetry path with {@link AutoDiscovery}: {@link DatabaseDiscovery} lists the server's other
 *       databases and runs the non-master {@link DatabaseQueries} on each, on kept connections.</li>
 * </ol>
 * Thread-safe; one scraper serves every target.
 */
public final class Scraper {
    private static final System.Logger LOG = System.getLogger(Scraper.class.getName());

    private final ConnectionSource source;
    private final List<Collector> collectors;
    /** The collectors a scrape runs itself when it takes the server-wide part from the cache. */
    private final List<Collector> notShared;
    /** The collectors of a target that does not export the server-wide families ({@link ServerWide#ONCE}). */
    private final List<Collector> databaseOnly;
    private final ScrapeOptions options;
    private final ExporterFamilies families;
    private final QueryBatches batches = new QueryBatches();
    private final ServerWideCache serverWide;
    private final UserQueryRunner userQueries;
    /** Collections running now, per target and answer shape: later scrapes of the same join them. */
    private final ConcurrentHashMap<Flight, CompletableFuture<MetricSnapshots>> inFlight = new ConcurrentHashMap<>();
    /** The same for scrapes of the default data source with auto-discovery, whose answer holds more than the target's. */
    private final ConcurrentHashMap<Flight, CompletableFuture<MetricSnapshots>> inFlightDiscovering = new ConcurrentHashMap<>();
    private final DatabaseQueries queries;
    private final DatabaseDiscovery discovery;
    /** {@code pg_exporter_scrapes_total} of {@link #scrapeDefault}; a probe always reports 1. */
    private final AtomicLong defaultScrapes = new AtomicLong();
    private final LongAdder collections = new LongAdder();
    private final LongAdder coalesced = new LongAdder();
    private final LongAdder deadlineHits = new LongAdder();

    /**
     * @param source     where connections come from
     * @param collectors names of the collectors to run (see {@link CollectorCatalog})
     * @param options    collector options, legacy options and the collection timeout
     * @throws IllegalArgumentException for an unknown collector name
     */
    public Scraper(ConnectionSource source, Set<String> collectors, ScrapeOptions options) {
        this(source, collectors, options, new UserQueryRunner(options.legacy()));
    }

    /** The custom queries ({@link #userQueries(UserQueries)}) are what runs on every database it scrapes. */
    private Scraper(ConnectionSource source, Set<String> collectors, ScrapeOptions options, UserQueryRunner runner) {
        this(source, collectors, options, runner, runner);
    }

    /**
     * A scraper that runs {@code queries} on every database it scrapes instead of the custom queries (see
     * {@link DatabaseQueries}), for tests of what runs where.
     */
    Scraper(ConnectionSource source, Set<String> collectors, ScrapeOptions options, DatabaseQueries queries) {
        this(source, collectors, options, queries, new UserQueryRunner(options.legacy()));
    }

    private Scraper(ConnectionSource source, Set<String> collectors, ScrapeOptions options, DatabaseQueries queries,
                    UserQueryRunner userQueries) {
        this.source = source;
        this.queries = queries;
        this.discovery = new DatabaseDiscovery(source, options.collectors(), queries);
        this.collectors = CollectorCatalog.select(collectors);
        this.notShared = this.collectors.stream().filter(c -> c.scope() != Collector.Scope.SERVER).toList();
        this.databaseOnly = this.collectors.stream().filter(c -> !c.scope().serverWide()).toList();
        this.options = options;
        this.families = new ExporterFamilies(options.legacy());
        this.serverWide = new ServerWideCache(source, options, this.collectors, families, batches);
        this.userQueries = userQueries;
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
     * A probe of a target within the {@linkplain ScrapeOptions#collectionTimeout() collection timeout}, see
     * {@link #scrape(ConnectionSpec, Duration)}.
     */
    public MetricSnapshots scrape(ConnectionSpec spec) {
        return scrape(spec, options.collectionTimeout());
    }

    /**
     * A probe ({@code /probe}): scrapes a target within {@code budget} (bounded by the collection timeout).
     * {@code pg_exporter_scrapes_total} is 1, as upstream builds a new exporter for every probe. Concurrent scrapes
     * of the same target are coalesced: the first runs the collection, the others wait for it and get the same
     * result, so a target is never scraped twice at once.
     *
     * @param spec   the target with credentials applied
     * @param budget how long the scrape may take, e.g. Prometheus' scrape timeout minus an offset
     * @return the metrics
     */
    public MetricSnapshots scrape(ConnectionSpec spec, Duration budget) {
        return scrape(spec, Optional.empty(), budget);
    }

    /**
     * A probe as {@link #scrape(ConnectionSpec, Duration)}, with the server-wide families where {@code serverWide}
     * says (an auth module's {@code server_wide}), or where {@code --collection.server-wide} says when it is empty.
     */
    public MetricSnapshots scrape(ConnectionSpec spec, Optional<ServerWide> serverWide, Duration budget) {
        return coalesced(inFlight, flight(spec, serverWide), AutoDiscovery.off(), () -> 1, budget);
    }

    /**
     * The exporter's own data source ({@code /metrics}): like {@link #scrape(ConnectionSpec, Duration)}, but
     * {@code pg_exporter_scrapes_total} counts every call of this method on this scraper. The server-wide families
     * follow {@code --collection.server-wide} with the rule of {@link ServerWide#serverTarget}: in {@code once} mode
     * a data source naming a database other than {@code postgres} gets its per-database families only. A scrape that joins a
     * running one gets that one's result, counter included.
     *
     * @param spec   the data source, empty when none is configured: the answer is then {@code pg_up 0} and the
     *               exporter's own families
     * @param budget how long the scrape may take
     * @return the metrics
     */
    public MetricSnapshots scrapeDefault(Optional<ConnectionSpec> spec, Duration budget) {
        return scrapeDefault(spec, AutoDiscovery.off(), budget);
    }

    /**
     * The exporter's own data source with upstream's legacy auto-discovery: as
     * {@link #scrapeDefault(Optional, Duration)}, and when {@code discovery} is enabled, the other databases of the
     * data source's server (see {@link AutoDiscovery}) are scraped too, within the same budget, each on a connection
     * kept in the pool. A discovered database gets only the non-master user queries, as upstream's; one that fails
     * sets {@code pg_exporter_last_scrape_error}, never {@code pg_up}.
     *
     * @param spec      the data source, empty when none is configured
     * @param discovery which other databases of its server to scrape
     * @param budget    how long the whole scrape may take
     * @return the metrics
     */
    public MetricSnapshots scrapeDefault(Optional<ConnectionSpec> spec, AutoDiscovery discovery, Duration budget) {
        if (spec.isEmpty()) {
            return families.unconfigured(defaultScrapes.incrementAndGet());
        }
        // A probe of the same target must not join a scrape whose answer holds the discovered databases too.
        return coalesced(discovery.enabled() ? inFlightDiscovering : inFlight, flight(spec.get(), Optional.empty()),
                         discovery, defaultScrapes::incrementAndGet, budget);
    }

    /**
     * Sets the custom queries ({@code --extend.query-path}) that every later scrape runs after the collectors;
     * results cached under the previous set are dropped. Scrapes already running finish with the set they started with.
     *
     * @param queries the queries, {@link UserQueries#none()} for none
     */
    public void userQueries(UserQueries queries) {
        userQueries.replace(queries);
    }

    /** @return the custom queries in force */
    public UserQueries userQueries() {
        return userQueries.queries();
    }

    /** What {@code --dumpmaps} prints: the built-in legacy metric map. */
    public static String dumpMaps(LegacyOptions legacy) {
        return DatabaseConflicts.dump(legacy.metricPrefix());
    }

    /** @return counters of this scraper for the self-metrics */
    public Stats stats() {
        ServerWideCache.Counts shared = serverWide.counts();
        return new Stats(collections.sum(), coalesced.sum(), deadlineHits.sum(), shared.fresh(), shared.stale(),
                         shared.collected(), shared.joined());
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

    /**
     * One collection: a target and whether its answer holds the server-wide families. Two probes of one target
     * through modules with different {@code server_wide} get answers of different shapes, so they never join.
     *
     * @param spec       the target
     * @param serverWide whether the answer holds the server-wide families (and the scrape runs their queries)
     */
    private record Flight(ConnectionSpec spec, boolean serverWide) {
    }

    private Flight flight(ConnectionSpec spec, Optional<ServerWide> serverWide) {
        return new Flight(spec, serverWide.orElse(options.serverWide()).exportsServerWide(spec));
    }

    /** {@return the collectors a collection of {@code flight} runs (or reports as failed)} */
    private List<Collector> collectors(Flight flight) {
        return flight.serverWide() ? collectors : databaseOnly;
    }

    /** Runs the collection, or joins the one running for the same target. */
    private MetricSnapshots coalesced(ConcurrentHashMap<Flight, CompletableFuture<MetricSnapshots>> inFlight,
                                      Flight flight, AutoDiscovery discover, LongSupplier scrapes, Duration budget) {
        long start = System.nanoTime();
        CompletableFuture<MetricSnapshots> mine = new CompletableFuture<>();
        CompletableFuture<MetricSnapshots> running = inFlight.putIfAbsent(flight, mine);
        if (running != null) {
            coalesced.increment();
            return join(running, flight, scrapes, budget, start);
        }
        try {
            MetricSnapshots result = collect(flight, discover, scrapes, budget, start);
            mine.complete(result);
            return result;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(flight, mine);
        }
    }

    /**
     * Waits for the running collection of the same target, but only until this scrape's own deadline: an answer
     * after it would be thrown away by Prometheus, so this scrape then answers {@code pg_up 0} in time.
     */
    private MetricSnapshots join(CompletableFuture<MetricSnapshots> running, Flight flight, LongSupplier scrapes,
                                 Duration budget, long start) {
        long deadline = start + Math.max(0, bounded(budget).toNanos());
        try {
            return running.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            deadlineHits.increment();
            // No connection was being opened by this scrape: it waited for another one's result.
            LOG.log(Level.ERROR, "Scrape of the same target still running at the scrape deadline", "dsn", flight.spec().redacted(),
                    "err", "joined a running scrape of this target, which had not finished by the scrape deadline of " + bounded(budget));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return families.down(collectors(flight), ScrapeRun.seconds(System.nanoTime() - start), scrapes.getAsLong());
    }

    private Duration bounded(Duration budget) {
        return budget.compareTo(options.collectionTimeout()) < 0 ? budget : options.collectionTimeout();
    }

    /**
     * Runs one collection. Without the server-wide families ({@link ServerWide#ONCE}, not the server target) it
     * runs neither the server-wide collectors, nor {@code pg_static} and the legacy {@code pg_stat_database_conflicts},
     * nor the {@code master: true} user queries, and reports only the collectors it ran.
     */
    private MetricSnapshots collect(Flight flight, AutoDiscovery discover, LongSupplier scrapes, Duration budget,
                                    long start) {
        collections.increment();
        ConnectionSpec spec = flight.spec();
        List<Collector> running = collectors(flight);
        Duration bounded = bounded(budget);
        long deadline = start + Math.max(0, bounded.toNanos());
        MetricSink out = new MetricSink();
        ExporterFamilies.PerCollector perCollector = families.perCollector(out);
        ScrapeRun run;
        try {
            run = ScrapeRun.open(source, spec, deadline, bounded, options.collectors());
        } catch (SQLException | RuntimeException e) {
            boolean outOfTime = System.nanoTime() - deadline >= 0;
            LOG.log(Level.ERROR, "Error opening connection to database", "dsn", spec.redacted(), "err", ScrapeRun.message(e));
            families.allFailed(perCollector, running);
            if (outOfTime) {
                deadlineHits.increment();
            }
            return families.finish(out, false, true, ScrapeRun.seconds(System.nanoTime() - start), scrapes.getAsLong());
        }
        boolean error = false;
        List<String> discovered = List.of();
        try {
            Optional<ServerWideCache.ServerPart> part = Optional.empty();
            if (flight.serverWide()) {
                families.staticFamily(out, run);
                part = serverWide.part(run);
                if (part.isPresent()) {
                    out.addFinished(part.get().snapshots());
                    error |= !part.get().legacyOk();
                } else {
                    error |= !families.conflicts(run, out);
                }
            }
            batches.prefetch(run, part.isPresent() ? notShared : running);
            for (Collector collector : running) {
                ScrapeRun.Outcome outcome = part.isPresent() && collector.scope() == Collector.Scope.SERVER
                        ? part.get().outcomes().get(collector.name())
                        : run.collector(collector, out);
                error |= !outcome.ok();
                perCollector.add(collector, outcome);
            }
            // master: true queries run where the server-wide families are: once per server in once mode
            error |= !queries.run(run, flight.serverWide(), out);
            userQueries.status(out);
            if (discover.enabled()) {
                DatabaseDiscovery.Listed listed = DatabaseDiscovery.list(run, discover);
                error |= !listed.ok();
                discovered = listed.databases();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "error scraping dsn", "dsn", spec.redacted(), "err", ScrapeRun.message(e));
            // Unexpected: the session's state is unknown, so it is not kept.
            run.lease().retire();
            error = true;
        } finally {
            run.close();
        }
        boolean outOfTime = run.outOfTime();
        if (!discovered.isEmpty()) {
            // After the data source's own connection is given back, so the scrape holds one connection at a time.
            DatabaseDiscovery.Outcome others = discovery.scrape(spec, discovered, deadline, bounded, out);
            error |= !others.ok();
            outOfTime |= others.outOfTime();
        }
        if (outOfTime) {
            deadlineHits.increment();
        }
        return families.finish(out, true, error, ScrapeRun.seconds(System.nanoTime() - start), scrapes.getAsLong());
    }
}
