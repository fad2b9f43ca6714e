package io.pgvigil.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;

/** The landing page at {@code /}: a link to the telemetry path and how to probe. */
final class LandingService implements HttpService {
    private final byte[] page;

    /**
     * @param telemetryPath where the metrics are, neither empty nor {@code /}
     * @param version       the version shown on the page
     */
    LandingService(String telemetryPath, String version) {
        String metricsLink = telemetryPath.startsWith("/") ? telemetryPath.substring(1) : telemetryPath;
        this.page = """
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
                <p><a href="discovery?auth_module=NAME"><code>/discovery?auth_module=NAME</code></a> lists the targets
                of the auth module <code>NAME</code> (its <code>targets</code>, or their databases) as Prometheus
                <code>http_sd_configs</code> JSON.</p>
                </body>
                </html>
                """.formatted(html(version), html(metricsLink)).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::landing);
    }

    private void landing(ServerRequest req, ServerResponse res) {
        res.headers().set(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
        res.send(page);
    }

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
