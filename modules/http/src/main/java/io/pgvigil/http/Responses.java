package io.pgvigil.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.pgvigil.exposition.Page;
import io.pgvigil.exposition.TextFormat;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.nio.charset.StandardCharsets;

/** The answers every service gives the same way: a plain-text line, a metrics page, the 404. */
final class Responses {
    private Responses() {
    }

    static void plain(ServerResponse res, Status status, String body) {
        res.status(status);
        res.headers().set(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send(body.getBytes(StandardCharsets.UTF_8));
    }

    /** The reference exporter's answer to any other path. */
    static void notFound(ServerRequest req, ServerResponse res) {
        plain(res, Status.NOT_FOUND_404, "404 page not found\n");
    }

    /** Sends snapshots in the text format, gzip-compressed when the client accepts it (Prometheus always does). */
    static void metrics(ServerRequest req, ServerResponse res, MetricSnapshots snapshots) {
        Page page = TextFormat.render(snapshots);
        res.headers().set(HeaderNames.CONTENT_TYPE, TextFormat.CONTENT_TYPE);
        if (!acceptsGzip(req)) {
            res.send(page.toByteArray());
            return;
        }
        res.headers().set(HeaderNames.CONTENT_ENCODING, "gzip");
        res.send(page.gzipped());
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

    /** Keeps a user-supplied value to printable characters, so a 400 body cannot be used to inject lines. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }
}
