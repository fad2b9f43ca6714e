package io.pgvigil.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.pgvigil.collectors.Scraper;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.config.WebConfig;
import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.TargetException;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.ByteArrayOutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The exporter's HTTP surface: {@code /probe}, the telemetry path ({@code /metrics}), the landing page
 * and a plain-text 404 for everything else. Status codes and bodies follow the reference exporter.
 */
public final class ExporterService {
    private static final System.Logger LOG = System.getLogger(ExporterService.class.getName());

    private final Settings settings;
    private final HttpMetrics httpMetrics;

    /**
     * What the HTTP layer needs from the rest of the exporter.
     *
     * @param telemetryPath  the path of the exporter's own scrape, {@code /metrics} by default
     * @param scraper        runs the collectors against a target
     * @param authConfig     the current auth modules (re-read on every probe, so a reload applies at once)
     * @param defaultTarget  the data source of {@code /metrics}, empty when none is configured
     * @param selfMetrics    the exporter's own families for {@code /metrics} (build info, process, config)
     * @param version        the version shown on the landing page
     * @param scrapeTimeoutOffset {@code --web.scrape-timeout-offset}: subtracted from Prometheus' scrape timeout
     *                       ({@code X-Prometheus-Scrape-Timeout-Seconds}) to get the scrape's deadline
     * @param lifecycle      readiness and reload, for {@code /-/ready} and {@code /-/reload}
     * @param webConfig      basic auth and headers of the web config file in force (read on every request)
     */
    public record Settings(String telemetryPath,
                           Scraper scraper,
                           Supplier<AuthConfig> authConfig,
                           Optional<ConnectionSpec> defaultTarget,
                           Supplier<List<MetricSnapshot>> selfMetrics,
                           String version,
                           Duration scrapeTimeoutOffset,
                           Lifecycle lifecycle,
                           Supplier<WebConfig> webConfig) {
        /** Settings with the default scrape-timeout offset, a lifecycle that is always ready and cannot reload, no web config. */
        public Settings(String telemetryPath, Scraper scraper, Supplier<AuthConfig> authConfig,
                        Optional<ConnectionSpec> defaultTarget, Supplier<List<MetricSnapshot>> selfMetrics, String version) {
            this(telemetryPath, scraper, authConfig, defaultTarget, selfMetrics, version, DEFAULT_SCRAPE_TIMEOUT_OFFSET);
        }

        /** Settings with the given scrape-timeout offset, a static lifecycle and no web config file. */
        public Settings(String telemetryPath, Scraper scraper, Supplier<AuthConfig> authConfig,
                        Optional<ConnectionSpec> defaultTarget, Supplier<List<MetricSnapshot>> selfMetrics, String version,
                        Duration scrapeTimeoutOffset) {
            this(telemetryPath, scraper, authConfig, defaultTarget, selfMetrics, version, scrapeTimeoutOffset,
                 Lifecycle.STATIC, WebConfig::none);
        }

        /** Settings with the default scrape-timeout offset and no web config file (no authentication, no extra headers). */
        public Settings(String telemetryPath, Scraper scraper, Supplier<AuthConfig> authConfig,
                        Optional<ConnectionSpec> defaultTarget, Supplier<List<MetricSnapshot>> selfMetrics, String version,
                        Lifecycle lifecycle) {
            this(telemetryPath, scraper, authConfig, defaultTarget, selfMetrics, version, DEFAULT_SCRAPE_TIMEOUT_OFFSET,
                 lifecycle, WebConfig::none);
        }

        public Settings {
            Objects.requireNonNull(lifecycle, "lifecycle");
            Objects.requireNonNull(webConfig, "webConfig");
            Objects.requireNonNull(telemetryPath, "telemetryPath");
            Objects.requireNonNull(scraper, "scraper");
            Objects.requireNonNull(authConfig, "authConfig");
            Objects.requireNonNull(defaultTarget, "defaultTarget");
            Objects.requireNonNull(selfMetrics, "selfMetrics");
            Objects.requireNonNull(version, "version");
            if (scrapeTimeoutOffset.isNegative()) {
                throw new IllegalArgumentException("--web.scrape-timeout-offset must not be negative");
            }
        }
    }

    /** The default of {@code --web.scrape-timeout-offset}. */
    public static final Duration DEFAULT_SCRAPE_TIMEOUT_OFFSET = Duration.ofMillis(500);
    /** The header in which Prometheus sends its scrape timeout, in seconds. */
    static final HeaderName SCRAPE_TIMEOUT = HeaderNames.create("X-Prometheus-Scrape-Timeout-Seconds");
    /** What a scrape gets when Prometheus' timeout minus the offset leaves nothing: enough to answer pg_up 0. */
    private static final Duration MINIMUM_BUDGET = Duration.ofMillis(1);

    private ExporterService(Settings settings) {
        this.settings = settings;
        this.httpMetrics = new HttpMetrics(settings.telemetryPath());
    }

    /** The handler label of a request: its route, or {@code other} (never the raw path, which anyone can vary). */
    private String handlerOf(String path) {
        if (path.equals(settings.telemetryPath()) || path.equals("/probe") || path.equals("/")
            || path.equals("/-/healthy") || path.equals("/-/ready") || path.equals("/-/reload")) {
            return path;
        }
        return "other";
    }

    /**
     * Registers every route on {@code routing}.
     *
     * @param routing  the routing being built
     * @param settings what the routes serve
     */
    public static void register(HttpRouting.Builder routing, Settings settings) {
        ExporterService service = new ExporterService(settings);
        String telemetry = settings.telemetryPath();
        routing.addFilter((chain, req, res) -> {
            try {
                chain.proceed();
            } finally {
                service.httpMetrics.request(service.handlerOf(req.path().path()), res.status().code());
            }
        });
        routing.addFilter(new WebSecurity(settings.webConfig())::filter);
        routing.get("/-/healthy", (req, res) -> plain(res, Status.OK_200, "Healthy.\n"));
        routing.head("/-/healthy", (req, res) -> res.send());
        routing.get("/-/ready", service::ready);
        routing.head("/-/ready", (req, res) -> {
            res.status(settings.lifecycle().ready() ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
            res.send();
        });
        routing.post("/-/reload", service::reload);
        routing.put("/-/reload", service::reload);
        routing.any("/-/reload", (req, res) -> {
            res.headers().set(HeaderNames.ALLOW, "POST, PUT");
            plain(res, Status.METHOD_NOT_ALLOWED_405, "Only POST or PUT requests allowed.\n");
        });
        routing.any("/probe", service::probe);
        if (!telemetry.isEmpty()) {
            routing.get(telemetry, service::metrics);
        }
        if (!telemetry.isEmpty() && !telemetry.equals("/")) {
            routing.get("/", service::landing);
        }
        routing.any(ExporterService::notFound);
    }

    private void ready(ServerRequest req, ServerResponse res) {
        if (settings.lifecycle().ready()) {
            plain(res, Status.OK_200, "Ready.\n");
        } else {
            plain(res, Status.SERVICE_UNAVAILABLE_503, "Not ready.\n");
        }
    }

    private void reload(ServerRequest req, ServerResponse res) {
        Lifecycle.ReloadOutcome outcome = settings.lifecycle().reload();
        if (outcome.successful()) {
            plain(res, Status.OK_200, outcome.message() + "\n");
        } else {
            plain(res, Status.INTERNAL_SERVER_ERROR_500, "failed to reload config: " + outcome.message() + "\n");
        }
    }

    private void probe(ServerRequest req, ServerResponse res) {
        String target = req.query().first("target").orElse("");
        if (target.isBlank()) {
            plain(res, Status.BAD_REQUEST_400, "target is required\n");
            return;
        }
        Optional<String> moduleName = req.query().first("auth_module").asOptional();
        Optional<AuthModule> module = Optional.empty();
        if (moduleName.isPresent()) {
            module = settings.authConfig().get().module(moduleName.get());
            if (module.isEmpty()) {
                plain(res, Status.BAD_REQUEST_400, "auth_module " + printable(moduleName.get()) + " not found\n");
                return;
            }
        } else {
            LOG.log(Level.INFO, "no auth_module specified, using default");
        }
        ConnectionSpec spec;
        try {
            spec = ConnectionSpec.parse(target);
            if (spec.parameters().containsKey("options")) {
                // Server options from whoever can reach /probe could set search_path and make the
                // module's privileged user run look-alike functions: only the operator's config may set them.
                throw new TargetException("invalid target: parameter \"options\" is only accepted in an auth module's options");
            }
            if (module.isPresent()) {
                spec = spec.withAuthModule(module.get());
            }
        } catch (TargetException e) {
            LOG.log(Level.ERROR, "failed to configure target", "err", e.getMessage());
            plain(res, Status.BAD_REQUEST_400, "could not configure dsn for target: " + e.getMessage() + "\n");
            return;
        }
        long start = System.nanoTime();
        MetricSnapshots scraped = settings.scraper().scrape(spec, budget(req));
        httpMetrics.probeDuration((System.nanoTime() - start) / 1e9);
        send(req, res, scraped);
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        httpMetrics.telemetryInFlight().incrementAndGet();
        try {
            metricsInFlight(req, res);
        } finally {
            httpMetrics.telemetryInFlight().decrementAndGet();
        }
    }

    private void metricsInFlight(ServerRequest req, ServerResponse res) {
        MetricSnapshots scraped = settings.scraper().scrapeDefault(settings.defaultTarget(), budget(req));
        List<MetricSnapshot> all = new ArrayList<>(scraped.size() + 16);
        scraped.forEach(all::add);
        all.addAll(settings.selfMetrics().get());
        all.addAll(httpMetrics.snapshots());
        send(req, res, new MetricSnapshots(all));
    }

    /**
     * The time a scrape may take: Prometheus' scrape timeout minus the offset, when the header is there and valid;
     * otherwise unbounded here (the scraper bounds it by {@code --collection-timeout} in every case).
     */
    Duration budget(ServerRequest req) {
        Optional<String> header = req.headers().first(SCRAPE_TIMEOUT);
        if (header.isEmpty()) {
            return ChronoUnit.FOREVER.getDuration();
        }
        double seconds;
        try {
            seconds = Double.parseDouble(header.get().trim());
        } catch (NumberFormatException e) {
            return ChronoUnit.FOREVER.getDuration();
        }
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            return ChronoUnit.FOREVER.getDuration();
        }
        Duration budget = Duration.ofNanos((long) Math.min(seconds * 1e9, Long.MAX_VALUE / 2.0)).minus(settings.scrapeTimeoutOffset());
        return budget.compareTo(MINIMUM_BUDGET) < 0 ? MINIMUM_BUDGET : budget;
    }

    private void landing(ServerRequest req, ServerResponse res) {
        String metricsLink = settings.telemetryPath().startsWith("/") ? settings.telemetryPath().substring(1)
                                                                        : settings.telemetryPath();
        String page = """
                <!DOCTYPE html>
                <html lang="en">
                <head><meta charset="UTF-8"><title>Postgres Exporter</title></head>
                <body>
                <h1>Postgres Exporter</h1>
                <h2>Prometheus PostgreSQL server Exporter</h2>
                <p>pgvigil %s</p>
                <ul>
                <li><a href="%s">Metrics</a>: the exporter's own metrics and its default data source.</li>
                </ul>
                <h3>Multi-target probing</h3>
                <p><code>/probe?target=host:port/db&amp;auth_module=NAME</code> scrapes the target with the
                credentials of the auth module <code>NAME</code> from the config file.</p>
                </body>
                </html>
                """.formatted(html(settings.version()), html(metricsLink));
        res.headers().set(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
        res.send(page.getBytes(StandardCharsets.UTF_8));
    }

    private static void notFound(ServerRequest req, ServerResponse res) {
        plain(res, Status.NOT_FOUND_404, "404 page not found\n");
    }

    private static void send(ServerRequest req, ServerResponse res, MetricSnapshots snapshots) {
        TextFormat.Page page = TextFormat.render(snapshots);
        res.headers().set(HeaderNames.CONTENT_TYPE, TextFormat.CONTENT_TYPE);
        if (!acceptsGzip(req)) {
            res.send(page.toByteArray());
            return;
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(page.size() / 4 + 64);
        page.writeGzip(buffer);
        res.headers().set(HeaderNames.CONTENT_ENCODING, "gzip");
        res.send(buffer.toByteArray());
    }

    static boolean acceptsGzip(ServerRequest req) {
        for (String value : req.headers().values(HeaderNames.ACCEPT_ENCODING)) {
            for (String part : value.split(",")) {
                String[] codingAndParams = part.trim().split(";");
                if (codingAndParams[0].trim().equalsIgnoreCase("gzip")) {
                    boolean refused = codingAndParams.length > 1 && codingAndParams[1].trim().replace(" ", "").matches("q=0(\\.0*)?");
                    return !refused;
                }
            }
        }
        return false;
    }

    private static void plain(ServerResponse res, Status status, String body) {
        res.status(status);
        res.headers().set(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send(body.getBytes(StandardCharsets.UTF_8));
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

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
