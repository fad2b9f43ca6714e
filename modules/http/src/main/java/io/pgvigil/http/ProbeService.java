package io.pgvigil.http;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.TargetException;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /probe?target=...&auth_module=...}: scrapes the target with the auth module's credentials. A missing
 * target, an unknown module or an unusable target is a 400 with the reference exporter's text; a target that is
 * down is a 200 with {@code pg_up 0}.
 */
final class ProbeService implements HttpService {
    private static final System.Logger LOG = System.getLogger(ProbeService.class.getName());

    private final Scrapes scrapes;
    private final Supplier<AuthConfig> authConfig;
    private final Duration scrapeTimeoutOffset;
    private final HttpMetrics httpMetrics;

    /**
     * @param authConfig the auth modules in force, read on every probe so that a reload applies at once
     */
    ProbeService(Scrapes scrapes, Supplier<AuthConfig> authConfig, Duration scrapeTimeoutOffset, HttpMetrics httpMetrics) {
        this.scrapes = scrapes;
        this.authConfig = authConfig;
        this.scrapeTimeoutOffset = scrapeTimeoutOffset;
        this.httpMetrics = httpMetrics;
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
                Responses.plain(res, Status.BAD_REQUEST_400, "auth_module " + printable(moduleName.get()) + " not found\n");
                return;
            }
        } else {
            LOG.log(Level.INFO, "no auth_module specified, using default");
        }
        ConnectionSpec spec;
        try {
            spec = ConnectionSpec.parseUntrusted(target);
            if (module.isPresent()) {
                spec = spec.withAuthModule(module.get());
            }
        } catch (TargetException e) {
            LOG.log(Level.ERROR, "failed to configure target", "err", e.getMessage());
            Responses.plain(res, Status.BAD_REQUEST_400, "could not configure dsn for target: " + e.getMessage() + "\n");
            return;
        }
        long start = System.nanoTime();
        MetricSnapshots scraped = scrapes.probe(spec, ScrapeBudget.of(req, scrapeTimeoutOffset));
        httpMetrics.probeDuration((System.nanoTime() - start) / 1e9);
        Responses.metrics(req, res, scraped);
    }

    /** Keeps a user-supplied value to printable characters, so a 400 body cannot be used to inject lines. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }
}
