package io.pgvigil.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.HostResolver;
import io.pgvigil.dsn.TargetAllowList;
import io.pgvigil.dsn.TargetException;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code /discovery?auth_module=NAME}: the targets of an auth module as Prometheus {@code http_sd_configs} JSON, one
 * group per target, each pointing at this exporter with {@code __param_target} and {@code __param_auth_module} set,
 * so that the Prometheus job is {@code metrics_path: /probe} and an {@code http_sd_configs} URL. The targets are
 * the module's {@code targets} entries that name one server (wildcards and address blocks are left out); with
 * {@code discovery: {databases: true}}, every database of each of those servers instead, asked of PostgreSQL through
 * {@link ServerDatabases} with the module's credentials, pinned like a probe, in parallel and bounded by
 * {@link #TIMEOUT}, each server's list kept for the module's {@code refresh}. Requests that find a server's list
 * stale or missing at the same time share one listing (single flight): the first asks, the others wait for its
 * answer within their own {@link #TIMEOUT}; a failure is shared by those waiting and not kept.
 */
final class DiscoveryService implements HttpService {
    /** How long the answer may wait for the servers it asks; a server slower than this is skipped. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** The database a server's list is asked in: every cluster has it. */
    static final String MAINTENANCE_DATABASE = "postgres";
    private static final System.Logger LOG = System.getLogger(DiscoveryService.class.getName());
    private static final Executor ASKERS = Executors.newVirtualThreadPerTaskExecutor();

    private final Supplier<AuthConfig> authConfig;
    private final HostResolver resolver;
    private final ServerDatabases databases;
    private final Map<CacheKey, Flight> cache = new ConcurrentHashMap<>();

    DiscoveryService(Supplier<AuthConfig> authConfig, HostResolver resolver, ServerDatabases databases) {
        this.authConfig = authConfig;
        this.resolver = resolver;
        this.databases = databases;
    }

    private record CacheKey(String module, String server) {
    }

    /**
     * A server's databases as listed, or being listed, for {@code module} (a reload that changes the module asks
     * again); kept in the cache from the moment the listing starts, so that requests arriving meanwhile wait for it.
     */
    private record Flight(AuthModule module, CompletableFuture<Answer> answer) {
        /** Whether a request for {@code module} takes this flight's answer: still coming, or a fresh list. */
        boolean serves(AuthModule module, Duration refresh) {
            if (!this.module.equals(module)) {
                return false;
            }
            return switch (answer.state()) {
                case RUNNING -> true;
                case SUCCESS -> answer.resultNow().databases().isPresent()
                                && System.nanoTime() - answer.resultNow().at() < refresh.toNanos();
                case FAILED, CANCELLED -> false;
            };
        }
    }

    /**
     * @param databases the list, empty when the server did not answer
     * @param at        when the answer came ({@link System#nanoTime()})
     */
    private record Answer(Optional<List<String>> databases, long at) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/discovery", this::discover);
    }

    private void discover(ServerRequest req, ServerResponse res) {
        Optional<String> name = req.query().first("auth_module").asOptional().filter(s -> !s.isEmpty());
        if (name.isEmpty()) {
            Responses.plain(res, Status.BAD_REQUEST_400, "auth_module is required\n");
            return;
        }
        Optional<AuthModule> module = authConfig.get().module(name.get());
        if (module.isEmpty()) {
            Responses.plain(res, Status.BAD_REQUEST_400, "auth_module " + Responses.printable(name.get()) + " not found\n");
            return;
        }
        if (module.get().targets().isEmpty()) {
            Responses.plain(res, Status.BAD_REQUEST_400, "auth_module " + Responses.printable(name.get())
                    + " has no targets to list (add targets: to it in the config file)\n");
            return;
        }
        Optional<String> address = exporterAddress(req);
        if (address.isEmpty()) {
            Responses.plain(res, Status.BAD_REQUEST_400, req.query().contains("address")
                    ? "address must be host:port (a host name, an IPv4 address or a bracketed IPv6 address)\n"
                    : "the Host header is missing or not a host[:port]; give address=host:port\n");
            return;
        }
        List<String> servers = module.get().targets().get().servers();
        List<SdTargets.Group> groups = new ArrayList<>();
        if (module.get().discovery().databases()) {
            Map<String, List<String>> listed = listAll(module.get(), servers);
            listed.forEach((server, names) -> names.forEach(db -> groups.add(group(address.get(), module.get(),
                    server, Optional.of(db)))));
        } else {
            servers.forEach(server -> groups.add(group(address.get(), module.get(), server, Optional.empty())));
        }
        res.headers().set(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(SdTargets.json(groups).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code address=host:port} when given, else the {@code Host} the request came in on. */
    private static Optional<String> exporterAddress(ServerRequest req) {
        Optional<String> param = req.query().first("address").asOptional();
        if (param.isPresent()) {
            return SdTargets.address(param.get(), true);
        }
        return req.headers().first(HeaderNames.HOST).flatMap(host -> SdTargets.address(host, false));
    }

    private static SdTargets.Group group(String address, AuthModule module, String server, Optional<String> database) {
        String target = database.map(db -> ConnectionSpec.databaseTarget(server, db)).orElse(server);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("instance", target);
        labels.put("__param_target", target);
        labels.put("__param_auth_module", module.name());
        labels.put("__meta_pgvigil_server", server);
        database.ifPresent(db -> labels.put("__meta_pgvigil_database", db));
        return new SdTargets.Group(address, labels);
    }

    /** Each server's accepted databases, in the order of {@code servers}; a server without an answer is left out. */
    private Map<String, List<String>> listAll(AuthModule module, List<String> servers) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Map<String, CompletableFuture<Answer>> asked = new LinkedHashMap<>();
        for (String server : servers) {
            asked.put(server, listing(module, server));
        }
        Predicate<String> accepted = module.discovery().filter();
        Map<String, List<String>> listed = new LinkedHashMap<>();
        asked.forEach((server, future) -> {
            try {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).databases()
                        .ifPresent(names -> listed.put(server, names.stream().filter(accepted)
                                .filter(name -> probeable(module, server, name)).sorted().toList()));
            } catch (TimeoutException e) {
                LOG.log(Level.WARNING, "database discovery skipped a server that did not answer in time",
                        "auth_module", module.name(), "server", server, "timeout", TIMEOUT.toString());
            } catch (ExecutionException e) {
                LOG.log(Level.WARNING, "database discovery skipped a server", "auth_module", module.name(),
                        "server", server, "err", String.valueOf(e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return listed;
    }

    /** Whether a target can name the database: a target never holds a control character (logged when left out). */
    private static boolean probeable(AuthModule module, String server, String database) {
        if (database.chars().noneMatch(Character::isISOControl)) {
            return true;
        }
        LOG.log(Level.WARNING, "database discovery left out a database whose name has a control character",
                "auth_module", module.name(), "server", server);
        return false;
    }

    /**
     * One server's databases: the cached list while it is fresh, the answer of the listing under way if there is
     * one, else a new listing that later requests share until it is answered. A failed listing is dropped from the
     * cache, so the next request asks again.
     */
    private CompletableFuture<Answer> listing(AuthModule module, String server) {
        CacheKey key = new CacheKey(module.name(), server);
        Flight mine = new Flight(module, new CompletableFuture<>());
        Flight flight = cache.compute(key, (k, old) -> old != null && old.serves(module, module.discovery().refresh())
                ? old : mine);
        if (flight == mine) {
            CompletableFuture.supplyAsync(() -> list(module, server), ASKERS).whenComplete((databases, error) -> {
                if (error != null || databases.isEmpty()) {
                    cache.remove(key, mine);
                }
                if (error != null) {
                    mine.answer().completeExceptionally(error);
                } else {
                    mine.answer().complete(new Answer(databases, System.nanoTime()));
                }
            });
        }
        return flight.answer();
    }

    /** Asks one server for its databases; empty (logged) when the server did not answer. */
    private Optional<List<String>> list(AuthModule module, String server) {
        ConnectionSpec spec;
        try {
            spec = ConnectionSpec.parse(ConnectionSpec.databaseTarget(server, MAINTENANCE_DATABASE)).withAuthModule(module);
        } catch (TargetException e) {
            LOG.log(Level.WARNING, "database discovery skipped a server", "auth_module", module.name(), "server", server,
                    "err", e.getMessage());
            return Optional.empty();
        }
        switch (module.targets().orElseThrow().admit(spec, resolver)) {
            case TargetAllowList.Admission.Admitted admitted -> spec = admitted.spec();
            case TargetAllowList.Admission.Refused refused -> {
                LOG.log(Level.WARNING, "database discovery skipped a server", "auth_module", module.name(),
                        "server", server, "err", refused.reason());
                return Optional.empty();
            }
        }
        return switch (databases.list(spec, TIMEOUT)) {
            case ServerDatabases.Listing.Listed ok -> Optional.of(ok.databases());
            case ServerDatabases.Listing.Failed failed -> {
                LOG.log(Level.WARNING, "database discovery skipped a server", "auth_module", module.name(),
                        "server", server, "err", failed.reason());
                yield Optional.empty();
            }
        };
    }
}
