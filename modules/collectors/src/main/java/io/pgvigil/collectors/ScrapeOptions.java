package io.pgvigil.collectors;

import io.pgvigil.dsn.ServerWide;

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
 * @param serverWide        {@code --collection.server-wide}: where the server-wide families go when the target's
 *                          auth module does not say ({@code server_wide})
 */
public record ScrapeOptions(CollectorOptions collectors, LegacyOptions legacy, Duration collectionTimeout,
                            Duration serverWideTtl, ServerWide serverWide) {
    public ScrapeOptions {
        Objects.requireNonNull(collectors, "collectors");
        Objects.requireNonNull(legacy, "legacy");
        Objects.requireNonNull(serverWide, "serverWide");
        if (collectionTimeout.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("--collection-timeout must be at least 1ms");
        }
        if (serverWideTtl.isNegative()) {
            throw new IllegalArgumentException("--collection.server-wide-ttl must not be negative");
        }
    }

    /** Options with the server-wide families on every target, upstream's default. */
    public ScrapeOptions(CollectorOptions collectors, LegacyOptions legacy, Duration collectionTimeout,
                         Duration serverWideTtl) {
        this(collectors, legacy, collectionTimeout, serverWideTtl, ServerWide.EVERY_TARGET);
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
