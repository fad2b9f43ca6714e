package io.pgvigil.collectors;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything from the command line that shapes a scrape.
 *
 * @param collectors        options of individual collectors
 * @param legacy            options of the legacy families
 * @param collectionTimeout {@code --collection-timeout}: the budget of one scrape's queries
 * @param serverWideTtl     {@code --collection.server-wide-ttl}: how long the result of the server-wide collectors
 *                          (and the legacy {@code pg_stat_database_conflicts}) is shared between scrapes of the same
 *                          server with the same credentials and options; zero: never shared
 */
public record ScrapeOptions(CollectorOptions collectors, LegacyOptions legacy, Duration collectionTimeout,
                            Duration serverWideTtl) {
    public ScrapeOptions {
        Objects.requireNonNull(collectors, "collectors");
        Objects.requireNonNull(legacy, "legacy");
        if (collectionTimeout.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("--collection-timeout must be at least 1ms");
        }
        if (serverWideTtl.isNegative()) {
            throw new IllegalArgumentException("--collection.server-wide-ttl must not be negative");
        }
    }

    /** Options whose results are never shared between scrapes. */
    public ScrapeOptions(CollectorOptions collectors, LegacyOptions legacy, Duration collectionTimeout) {
        this(collectors, legacy, collectionTimeout, Duration.ZERO);
    }

    /** @return upstream's defaults, with a one-minute collection timeout */
    public static ScrapeOptions defaults() {
        return new ScrapeOptions(CollectorOptions.defaults(), LegacyOptions.defaults(), Duration.ofMinutes(1));
    }
}
