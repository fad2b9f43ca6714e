package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.ServerWide;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import io.pgvigil.testkit.Snapshots;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The point of {@code --collection.server-wide=once}: the samples of one interval, for every database of a server
 * probed as its own target, grow with N instead of N². A private server with {@code pgvigil.samples.databases}
 * databases (default 30): the maintenance database {@code postgres} (the server target) and N-1 created ones, each
 * probed once per mode with the default collectors; the totals are printed, and {@code once} must be at least ten
 * times smaller. With {@code -Dpgvigil.samples.databases=500} this is the measurement of docs/performance.md.
 */
class ServerWideSamplesTest {
    private static final int DATABASES = Integer.getInteger("pgvigil.samples.databases", 30);

    /** The samples of one interval in one mode, and how they split between the server target and the others. */
    private record Interval(long total, long serverTarget, long otherMin, long otherMax) {
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void onceSendsAtLeastTenTimesFewerSamples(String major) {
        try (PgServer pg = PgServer.start(major)) {
            MonitoredServer mon = MonitoredServer.create(pg, MonitoredServer.DEFAULT_ROLE, MonitoredServer.DEFAULT_PASSWORD);
            List<String> databases = new ArrayList<>(List.of("postgres"));
            for (int i = 1; i < DATABASES; i++) {
                String name = String.format(Locale.ROOT, "samples_%03d", i);
                pg.createDatabase(name, null);
                databases.add(name);
            }
            pg.execute("samples_001", "CREATE TABLE orders (id int); INSERT INTO orders VALUES (1)");
            Interval every = interval(mon, databases, ServerWide.EVERY_TARGET);
            Interval once = interval(mon, databases, ServerWide.ONCE);
            System.out.printf(Locale.ROOT, "server-wide samples, PostgreSQL %s, %d databases as %d targets:"
                              + " every-target %d (server target %d, others %d..%d), once %d (server target %d, others %d..%d),"
                              + " ratio %.1f%n", pg.version(), DATABASES, databases.size(), every.total(), every.serverTarget(),
                              every.otherMin(), every.otherMax(), once.total(), once.serverTarget(), once.otherMin(),
                              once.otherMax(), (double) every.total() / once.total());
            // The server target answers alike in both modes (the same families; a sample count may move by a backend).
            assertThat(once.serverTarget()).isCloseTo(every.serverTarget(), org.assertj.core.data.Percentage.withPercentage(5));
            assertThat(once.otherMax()).isLessThan(every.otherMin() / 5);
            assertThat(every.total()).isGreaterThanOrEqualTo(10 * once.total());
        }
    }

    /** Probes every database once, one after the other, as Prometheus would in one interval. */
    private static Interval interval(MonitoredServer mon, List<String> databases, ServerWide mode) {
        Scraper scraper = new Scraper(ConnectionSource.fresh(), CollectorCatalog.enabledByDefault(),
                                      new ScrapeOptions(CollectorOptions.defaults(), LegacyOptions.defaults(),
                                                        Duration.ofMinutes(1), Duration.ofSeconds(5), mode));
        long total = 0;
        long server = 0;
        long min = Long.MAX_VALUE;
        long max = 0;
        for (String database : databases) {
            MetricSnapshots page = scraper.scrape(ConnectionSpec.parse(mon.dsn(database)));
            assertThat(Snapshots.value(page, "pg_up")).as(database).contains(1.0);
            long samples = Snapshots.samples(page);
            total += samples;
            if (database.equals("postgres")) {
                server = samples;
            } else {
                min = Math.min(min, samples);
                max = Math.max(max, samples);
            }
        }
        return new Interval(total, server, min, max);
    }
}
