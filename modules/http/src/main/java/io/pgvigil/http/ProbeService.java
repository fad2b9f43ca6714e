package io.pgvigil.http;

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
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /probe?target=...&auth_module=...}: scrapes the target with the auth module's credentials. A missing
 * target, an unknown module or an unusable target is a 400 with the reference exporter's text; a target that is
 * down is a 200 with {@code pg_up 0}. A target outside the module's {@code targets} is a 403, decided before any
 * connection.
 */
final class ProbeService implements HttpService {
    private static final System.Logger LOG = System.getLogger(ProbeService.class.getName());

    private final Scrapes scrapes;
    private final Supplier<AuthConfig> authConfig;
    private final Duration scrapeTimeoutOffset;
    private final HttpMetrics httpMetrics;
    private final HostResolver resolver;

    /**
     * @param authConfig the auth modules in force, read on every probe so that a reload applies at once
     * @param resolver   resolves the hosts of a target checked against a module's {@code targets}, once per probe
     */
    ProbeService(Scrapes scrapes, Supplier<AuthConfig> authConfig, Duration scrapeTimeoutOffset, HttpMetrics httpMetrics,
                 HostResolver resolver) {
        this.scrapes = scrapes;
        this.authConfig = authConfig;
        this.scrapeTimeoutOffset = scrapeTimeoutOffset;
        this.httpMetrics = httpMetrics;
        this.resolver = resolver;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any("/probe", this::probe);
    }

    private void probe(ServerRequest req, ServerResponse res) {
        String target = req.query().first("target").orElse("");
        if (target.isBlank()) {
            Responses.plain(res, Status.BAD_REQUEST_400, "target is required\n");
            return;
        }
        Optional<String> moduleName = req.query().first("auth_module").asOptional();
        Optional<AuthModule> module = Optional.empty();
        if (moduleName.isPresent()) {
            module = authConfig.get().module(moduleName.get());
            if (module.isEmpty()) {
                Responses.plain(res, Status.BAD_REQUEST_400, "auth_module " + Responses.printable(moduleName.get()) + " not found\n");
                return;
            }
        } else {
            LOG.log(Level.INFO, "no auth_module specified, using default");
        }
        ConnectionSpec spec;
        ConnectionSpec requested;
        try {
            requested = ConnectionSpec.parseUntrusted(target);
            spec = requested;
            if (module.isPresent()) {
                spec = spec.withAuthModule(module.get());
            }
        } catch (TargetException e) {
            LOG.log(Level.ERROR, "failed to configure target", "err", e.getMessage());
            Responses.plain(res, Status.BAD_REQUEST_400, "could not configure dsn for target: " + e.getMessage() + "\n");
            return;
        }
        if (module.isPresent() && module.get().targets().isPresent()) {
            // Before any connection: the module's credentials go only to the addresses checked here.
            switch (module.get().targets().get().admit(spec, resolver)) {
                case TargetAllowList.Admission.Admitted admitted -> spec = admitted.spec();
                case TargetAllowList.Admission.Refused refused -> {
                    LOG.log(Level.WARNING, "target refused: not in the auth module's targets", "auth_module",
                            module.get().name(), "target", requested.redacted(), "reason", refused.reason());
                    Responses.plain(res, Status.FORBIDDEN_403, "target is not in the targets allowed for auth_module "
                            + Responses.printable(module.get().name()) + "\n");
                    return;
                }
            }
        }
        long start = System.nanoTime();
        MetricSnapshots scraped = scrapes.probe(spec, module.flatMap(AuthModule::serverWide),
                                                ScrapeBudget.of(req, scrapeTimeoutOffset));
        httpMetrics.probeDuration((System.nanoTime() - start) / 1e9);
        Responses.metrics(req, res, scraped);
    }
}
