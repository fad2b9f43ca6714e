package io.pgvigil.http;

import io.helidon.webserver.http.HttpRouting;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.config.WebConfig;
import io.pgvigil.dsn.HostResolver;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The exporter's HTTP surface, one {@link io.helidon.webserver.http.HttpService} per concern: the operational
 * endpoints ({@code /-/healthy}, {@code /-/ready}, {@code /-/reload}), {@code /probe}, {@code /discovery}, the telemetry path
 * ({@code /metrics}) and the landing page, behind the request counter and the web config's basic auth and
 * headers, with a plain-text 404 for everything else. Status codes and bodies follow the reference exporter.
 */
public final class ExporterRoutes {
    /** The default of {@code --web.scrape-timeout-offset}. */
    public static final Duration DEFAULT_SCRAPE_TIMEOUT_OFFSET = Duration.ofMillis(500);
    /** How long the look-up of a probed host checked against an auth module's {@code targets} may take. */
    public static final Duration DEFAULT_RESOLVE_TIMEOUT = Duration.ofSeconds(5);

    private ExporterRoutes() {
    }

    /**
     * What the HTTP layer needs from the rest of the exporter.
     *
     * @param telemetryPath       the path of the exporter's own scrape, {@code /metrics} by default; empty for none
     * @param scrapes             runs the collectors against a probed target or the default data source
     * @param authConfig          the current auth modules (re-read on every probe, so a reload applies at once)
     * @param selfMetrics         the exporter's own families for the telemetry path (build info, process, config)
     * @param version             the version shown on the landing page
     * @param scrapeTimeoutOffset {@code --web.scrape-timeout-offset}: subtracted from Prometheus' scrape timeout
     *                            ({@code X-Prometheus-Scrape-Timeout-Seconds}) to get the scrape's deadline
     * @param lifecycle           readiness and reload, for {@code /-/ready} and {@code /-/reload}
     * @param webConfig           basic auth and headers of the web config file in force (read on every request)
     * @param resolver            resolves a probed host once, before any connection, when the auth module has
     *                            {@code targets} (the application wires {@link HostResolver#system})
     * @param databases           lists a server's databases for {@code /discovery} when a module has
     *                            {@code discovery: {databases: true}}
     */
    public record Settings(String telemetryPath,
                           Scrapes scrapes,
                           Supplier<AuthConfig> authConfig,
                           Supplier<List<MetricSnapshot>> selfMetrics,
                           String version,
                           Duration scrapeTimeoutOffset,
                           Lifecycle lifecycle,
                           Supplier<WebConfig> webConfig,
                           HostResolver resolver,
                           ServerDatabases databases) {
        /** Checks that every part is there and the offset is not negative. */
        public Settings {
            Objects.requireNonNull(telemetryPath, "telemetryPath");
            Objects.requireNonNull(scrapes, "scrapes");
            Objects.requireNonNull(authConfig, "authConfig");
            Objects.requireNonNull(selfMetrics, "selfMetrics");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(lifecycle, "lifecycle");
            Objects.requireNonNull(webConfig, "webConfig");
            Objects.requireNonNull(resolver, "resolver");
            Objects.requireNonNull(databases, "databases");
            if (scrapeTimeoutOffset.isNegative()) {
                throw new IllegalArgumentException("--web.scrape-timeout-offset must not be negative");
            }
        }

        /** Settings with the JDK's resolver, bounded by {@link #DEFAULT_RESOLVE_TIMEOUT}. */
        public Settings(String telemetryPath, Scrapes scrapes, Supplier<AuthConfig> authConfig,
                        Supplier<List<MetricSnapshot>> selfMetrics, String version, Duration scrapeTimeoutOffset,
                        Lifecycle lifecycle, Supplier<WebConfig> webConfig) {
            this(telemetryPath, scrapes, authConfig, selfMetrics, version, scrapeTimeoutOffset, lifecycle, webConfig,
                 HostResolver.system(DEFAULT_RESOLVE_TIMEOUT), ServerDatabases.NONE);
        }

        /**
         * Settings without self-metrics, with the default scrape-timeout offset, a lifecycle that is always ready
         * and cannot reload, and no web config file (no authentication, no extra headers).
         */
        public static Settings of(String telemetryPath, Scrapes scrapes, Supplier<AuthConfig> authConfig, String version) {
            return new Settings(telemetryPath, scrapes, authConfig, List::of, version, DEFAULT_SCRAPE_TIMEOUT_OFFSET,
                                Lifecycle.STATIC, WebConfig::none);
        }

        /** {@return these settings with other self-metrics} */
        public Settings withSelfMetrics(Supplier<List<MetricSnapshot>> selfMetrics) {
            return new Settings(telemetryPath, scrapes, authConfig, selfMetrics, version, scrapeTimeoutOffset, lifecycle, webConfig, resolver, databases);
        }

        /** {@return these settings with another scrape-timeout offset} */
        public Settings withScrapeTimeoutOffset(Duration offset) {
            return new Settings(telemetryPath, scrapes, authConfig, selfMetrics, version, offset, lifecycle, webConfig, resolver, databases);
        }

        /** {@return these settings with another lifecycle} */
        public Settings withLifecycle(Lifecycle lifecycle) {
            return new Settings(telemetryPath, scrapes, authConfig, selfMetrics, version, scrapeTimeoutOffset, lifecycle, webConfig, resolver, databases);
        }

        /** {@return these settings with another resolver for the hosts of targets checked against an allow-list} */
        public Settings withResolver(HostResolver resolver) {
            return new Settings(telemetryPath, scrapes, authConfig, selfMetrics, version, scrapeTimeoutOffset, lifecycle,
                                webConfig, resolver, databases);
        }

        /** {@return these settings with another source of a server's databases for {@code /discovery}} */
        public Settings withDatabases(ServerDatabases databases) {
            return new Settings(telemetryPath, scrapes, authConfig, selfMetrics, version, scrapeTimeoutOffset, lifecycle,
                                webConfig, resolver, databases);
        }

        /** {@return these settings with another web config} */
        public Settings withWebConfig(Supplier<WebConfig> webConfig) {
            return new Settings(telemetryPath, scrapes, authConfig, selfMetrics, version, scrapeTimeoutOffset, lifecycle, webConfig, resolver, databases);
        }
    }

    /**
     * Registers every route on {@code routing}: what the application serves, and what the HTTP tests set up. A
     * route registered earlier wins (a telemetry path of {@code /probe} would not hide the probe).
     *
     * @param routing  the routing being built
     * @param settings what the routes serve
     */
    public static void register(HttpRouting.Builder routing, Settings settings) {
        HttpMetrics httpMetrics = new HttpMetrics(settings.telemetryPath());
        String telemetry = settings.telemetryPath();
        routing.addFilter((chain, req, res) -> {
            try {
                chain.proceed();
            } finally {
                httpMetrics.request(httpMetrics.handlerOf(req.path().path()), res.status().code());
            }
        });
        routing.addFilter(new WebSecurity(settings.webConfig())::filter);
        routing.register(new OperationalService(settings.lifecycle()));
        routing.register(new ProbeService(settings.scrapes(), settings.authConfig(), settings.scrapeTimeoutOffset(), httpMetrics,
                                          settings.resolver()));
        routing.register(new DiscoveryService(settings.authConfig(), settings.resolver(), settings.databases()));
        if (!telemetry.isEmpty()) {
            routing.register(new TelemetryService(telemetry, settings.scrapes(), settings.selfMetrics(),
                                                  settings.scrapeTimeoutOffset(), httpMetrics));
        }
        if (!telemetry.isEmpty() && !telemetry.equals("/")) {
            routing.register(new LandingService(telemetry, settings.version()));
        }
        routing.any(Responses::notFound);
    }
}
