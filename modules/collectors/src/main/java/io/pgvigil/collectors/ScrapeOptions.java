package io.pgvigil.collectors;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything from the command line that shapes a scrape.
 *
 * @param collectors        options of individual collectors
 * @param legacy            options of the legacy families
 * @param collectionTimeout {@code --collection-timeout}: the budget of one scrape's queries
 */
public record ScrapeOptions(CollectorOptions collectors, LegacyOptions legacy, Duration collectionTimeout) {
    public ScrapeOptions {
        Objects.requireNonNull(collectors, "collectors");
        Objects.requireNonNull(legacy, "legacy");
        if (collectionTimeout.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("--collection-timeout must be at least 1ms");
        }
    }

    /** @return upstream's defaults, with a one-minute collection timeout */
    public static ScrapeOptions defaults() {
        return new ScrapeOptions(CollectorOptions.defaults(), LegacyOptions.defaults(), Duration.ofMinutes(1));
    }
}
