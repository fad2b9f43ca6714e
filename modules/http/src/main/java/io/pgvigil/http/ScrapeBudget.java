package io.pgvigil.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** The time a scrape may take, from Prometheus' scrape-timeout header. */
final class ScrapeBudget {
    /** The header in which Prometheus sends its scrape timeout, in seconds. */
    static final HeaderName SCRAPE_TIMEOUT = HeaderNames.create("X-Prometheus-Scrape-Timeout-Seconds");
    /** What a scrape gets when Prometheus' timeout minus the offset leaves nothing: enough to answer pg_up 0. */
    private static final Duration MINIMUM_BUDGET = Duration.ofMillis(1);

    private ScrapeBudget() {
    }

    /**
     * Prometheus' scrape timeout minus the offset, when the header is there and valid; otherwise unbounded here
     * (the scraper bounds it by {@code --collection-timeout} in every case).
     *
     * @param offset {@code --web.scrape-timeout-offset}
     */
    static Duration of(ServerRequest req, Duration offset) {
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
        Duration budget = Duration.ofNanos((long) Math.min(seconds * 1e9, Long.MAX_VALUE / 2.0)).minus(offset);
        return budget.compareTo(MINIMUM_BUDGET) < 0 ? MINIMUM_BUDGET : budget;
    }
}
