package io.pgvigil.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The telemetry path ({@code /metrics}, {@code --web.telemetry-path}): the default data source's metrics, then the
 * exporter's own (build info, process, config, connections) and the HTTP layer's.
 */
final class TelemetryService implements HttpService {
    private final String path;
    private final Scrapes scrapes;
    private final Supplier<List<MetricSnapshot>> selfMetrics;
    private final Duration scrapeTimeoutOffset;
    private final HttpMetrics httpMetrics;

    TelemetryService(String path, Scrapes scrapes, Supplier<List<MetricSnapshot>> selfMetrics, Duration scrapeTimeoutOffset,
                     HttpMetrics httpMetrics) {
        this.path = path;
        this.scrapes = scrapes;
        this.selfMetrics = selfMetrics;
        this.scrapeTimeoutOffset = scrapeTimeoutOffset;
        this.httpMetrics = httpMetrics;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(path, this::metrics);
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        httpMetrics.telemetryInFlight().incrementAndGet();
        try {
            MetricSnapshots scraped = scrapes.metrics(ScrapeBudget.of(req, scrapeTimeoutOffset));
            List<MetricSnapshot> all = new ArrayList<>(scraped.size() + 16);
            scraped.forEach(all::add);
            all.addAll(selfMetrics.get());
            all.addAll(httpMetrics.snapshots());
            Responses.metrics(req, res, new MetricSnapshots(all));
        } finally {
            httpMetrics.telemetryInFlight().decrementAndGet();
        }
    }
}
