package io.pgvigil.collectors;

import io.pgvigil.connect.ConnectionSource;
import io.pgvigil.connect.PoolOptions;
import io.pgvigil.connect.PooledSource;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.pgvigil.testkit.Snapshots.value;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Targets that differ only in their database share the server-wide collectors' result for
 * {@code --collection.server-wide-ttl}, and nothing else: a database created after the first scrape is missing from
 * the second target's server-wide families until the TTL has passed, while its per-database families are its own.
 */
class ServerWideSharingTest {
    private static MonitoredServer mon;
    private static PgServer pg;

    @BeforeAll
    static void databases() {
        mon = MonitoredServer.shared(MonitoredServer.majors().getLast()); // pgvigil_monitor
        pg = mon.server();
        pg.createRole("pgvigil_other", mon.password(), "IN ROLE pg_monitor");
        pg.createDatabase("share_a", null);
        pg.createDatabase("share_b", null);
        pg.execute("share_a", "CREATE TABLE IF NOT EXISTS only_in_a (id int)");
        pg.execute("share_b", "CREATE TABLE IF NOT EXISTS only_in_b (id int)");
    }

    /** {@code database} as {@code user}, a role with the password of {@link #mon}. */
    private static ConnectionSpec target(String user, String database) {
        return ConnectionSpec.parse(mon.asRole(user).dsn(database));
    }

    private final List<PooledSource> pools = new ArrayList<>();

    @AfterEach
    void closePools() {
        pools.forEach(PooledSource::close);
    }

    /** A scraper whose every scrape opens its own session (as when a server's sessions take turns in its budget). */
    private static Scraper scraper(Duration ttl) {
        return scraper(ConnectionSource.fresh(), ttl);
    }

    private static Scraper scraper(ConnectionSource source, Duration ttl) {
        return new Scraper(source, CollectorCatalog.enabledByDefault(),
                           new ScrapeOptions(CollectorOptions.defaults(), LegacyOptions.defaults(), Duration.ofMinutes(1), ttl));
    }

    /** A scraper that keeps its sessions between scrapes. */
    private Scraper keeping(Duration ttl) {
        PooledSource pool = ConnectionSource.pooled(PoolOptions.defaults());
        pools.add(pool);
        return scraper(pool, ttl);
    }

    /** Sleeps until {@code nanoTime} (on the {@link System#nanoTime()} clock), if it is still to come. */
    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));
        }
    }

    private static boolean sized(MetricSnapshots m, String database) {
        return value(m, "pg_database_size_bytes", "datname", database).isPresent();
    }

    private static boolean hasTable(MetricSnapshots m, String database, String table) {
        return value(m, "pg_stat_user_tables_seq_scan", "datname", database, "schemaname", "public", "relname", table).isPresent();
    }

    @Test
    void databasesOfOneServerShareTheServerWidePartWithinTheTtl() {
        Scraper sharing = scraper(Duration.ofMinutes(1));
        MetricSnapshots a = sharing.scrape(target("pgvigil_monitor", "share_a"));
        pg.createDatabase("share_late", null);
        MetricSnapshots b = sharing.scrape(target("pgvigil_monitor", "share_b"));

        assertThat(value(a, "pg_up")).contains(1.0);
        assertThat(value(b, "pg_up")).contains(1.0);
        // Server-wide: B got A's result, collected before share_late existed.
        assertThat(sized(a, "share_b")).isTrue();
        assertThat(sized(b, "share_late")).isFalse();
        assertThat(value(b, "pg_scrape_collector_success", "collector", "database")).contains(1.0);
        // Per database: each target reads its own.
        assertThat(hasTable(a, "share_a", "only_in_a")).isTrue();
        assertThat(hasTable(b, "share_b", "only_in_b")).isTrue();
        assertThat(hasTable(b, "share_a", "only_in_a")).isFalse();
        assertThat(sharing.stats().serverWideCollected()).isEqualTo(1);
        assertThat(sharing.stats().serverWideFresh()).isEqualTo(1);

        // Another role may see other things: not shared.
        MetricSnapshots other = sharing.scrape(target("pgvigil_other", "share_b"));
        assertThat(sized(other, "share_late")).isTrue();
        assertThat(sharing.stats().serverWideCollected()).isEqualTo(2);

        // Without sharing, every scrape collects.
        Scraper notSharing = scraper(Duration.ZERO);
        MetricSnapshots own = notSharing.scrape(target("pgvigil_monitor", "share_b"));
        assertThat(sized(own, "share_late")).isTrue();
        assertThat(notSharing.stats().serverWideCollected()).isZero();
        assertThat(notSharing.stats().serverWideFresh()).isZero();
    }

    /** A target pinned to other checked addresses (an allow-list, another DNS answer) never shares. */
    @Test
    void targetsPinnedToOtherAddressesDoNotShare() {
        Scraper sharing = scraper(Duration.ofMinutes(1));
        ConnectionSpec a = target("pgvigil_monitor", "share_a");
        ConnectionSpec b = target("pgvigil_monitor", "share_b");
        io.pgvigil.dsn.Endpoint server = a.endpoints().getFirst();
        java.net.InetAddress address = java.net.InetAddress.ofLiteral(pg.host());
        java.net.InetAddress closed = java.net.InetAddress.ofLiteral("127.0.0.2");
        MetricSnapshots first = sharing.scrape(a.pinnedTo(java.util.Map.of(server, java.util.List.of(address))));
        MetricSnapshots second = sharing.scrape(b.pinnedTo(java.util.Map.of(server, java.util.List.of(closed, address))));
        assertThat(value(first, "pg_up")).contains(1.0);
        assertThat(value(second, "pg_up")).contains(1.0);
        assertThat(sharing.stats().serverWideCollected()).isEqualTo(2);
        assertThat(sharing.stats().serverWideFresh()).isZero();
        sharing.scrape(b.pinnedTo(java.util.Map.of(server, java.util.List.of(closed, address))));
        assertThat(sharing.stats().serverWideFresh()).isEqualTo(1);
    }

    @Test
    void aPartOlderThanTwiceTheTtlIsCollectedByTheScrape() throws InterruptedException {
        Scraper sharing = scraper(Duration.ofMillis(300));
        sharing.scrape(target("pgvigil_monitor", "share_a"));
        pg.createDatabase("share_later", null);
        Thread.sleep(1000);
        MetricSnapshots b = sharing.scrape(target("pgvigil_monitor", "share_b"));
        assertThat(sized(b, "share_later")).isTrue();
        assertThat(sharing.stats().serverWideCollected()).isEqualTo(2);
        assertThat(sharing.stats().serverWideFresh()).isZero();
        assertThat(sharing.stats().serverWideStale()).isZero();
    }

    /**
     * Between one and two TTLs the old part is served at once and a new one is collected in the background (on the
     * kept session of the server's first target).
     */
    @Test
    void aPartBetweenOneAndTwoTtlsIsServedAndRenewedInTheBackground() throws InterruptedException {
        Scraper sharing = keeping(Duration.ofSeconds(2));
        sharing.scrape(target("pgvigil_monitor", "share_a"));
        long collected = System.nanoTime();
        sharing.scrape(target("pgvigil_monitor", "share_b")); // fresh: share_b's session is kept from now on
        pg.createDatabase("share_renewed", null);
        sleepUntil(collected + Duration.ofMillis(2300).toNanos());
        MetricSnapshots stale = sharing.scrape(target("pgvigil_monitor", "share_b"));
        assertThat(sized(stale, "share_renewed")).isFalse();
        assertThat(value(stale, "pg_scrape_collector_success", "collector", "database")).contains(1.0);
        assertThat(sharing.stats().serverWideStale()).isEqualTo(1);
        // Scrapes go on meanwhile (getting the old part, never starting a second collection) until the new one is there.
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        MetricSnapshots renewed = stale;
        while (!sized(renewed, "share_renewed") && System.nanoTime() < until) {
            Thread.sleep(50);
            renewed = sharing.scrape(target("pgvigil_monitor", "share_b"));
        }
        assertThat(sized(renewed, "share_renewed")).isTrue();
        assertThat(sharing.stats().serverWideCollected()).isEqualTo(2);
        assertThat(sharing.stats().serverWideFresh()).isPositive();
    }

    /**
     * Between one and two TTLs, a scrape on a session of its own (not kept: the server's sessions take turns)
     * collects the new part itself instead of opening yet another session in the background; scrapes meanwhile take
     * the old one.
     */
    @Test
    void aScrapeOnANewSessionRenewsAStalePartItself() throws InterruptedException {
        Scraper sharing = scraper(Duration.ofSeconds(2));
        sharing.scrape(target("pgvigil_monitor", "share_a"));
        long collected = System.nanoTime();
        pg.createDatabase("share_self", null);
        sleepUntil(collected + Duration.ofMillis(2300).toNanos());
        MetricSnapshots stale = sharing.scrape(target("pgvigil_monitor", "share_b"));
        assertThat(sized(stale, "share_self")).as("collected by this scrape, not served old").isTrue();
        assertThat(value(stale, "pg_scrape_collector_success", "collector", "database")).contains(1.0);
        assertThat(sharing.stats().serverWideStale()).isEqualTo(1);
        assertThat(sharing.stats().serverWideCollected()).isEqualTo(2);
        MetricSnapshots next = sharing.scrape(target("pgvigil_monitor", "share_a"));
        assertThat(sized(next, "share_self")).isTrue();
        assertThat(sharing.stats().serverWideFresh()).isEqualTo(1);
        assertThat(sharing.stats().serverWideCollected()).isEqualTo(2);
    }

    /** The first target's database disappears: the next renewal runs on the connection of a target that works. */
    @Test
    void aFailedBackgroundCollectionMovesToAnotherTarget() throws InterruptedException {
        Duration ttl = Duration.ofSeconds(4);
        Scraper sharing = keeping(ttl);
        pg.createDatabase("share_gone", null);
        long t0 = System.nanoTime();
        sharing.scrape(target("pgvigil_monitor", "share_gone"));
        long collected = System.nanoTime();
        sharing.scrape(target("pgvigil_monitor", "share_b")); // fresh: share_b's session is kept from now on
        pg.execute("postgres", "DROP DATABASE share_gone WITH (FORCE)");
        pg.createDatabase("share_after", null);
        // Counted from the end of the first scrape, not after the slow DROP/CREATE: the part is then just past its TTL.
        sleepUntil(collected + ttl.plusMillis(300).toNanos());
        // Stale: served, and renewed in the background on share_gone's connection, which fails.
        sharing.scrape(target("pgvigil_monitor", "share_b"));
        Thread.sleep(300);
        MetricSnapshots b;
        do {
            b = sharing.scrape(target("pgvigil_monitor", "share_b"));
            Thread.sleep(50);
        } while (!sized(b, "share_after") && System.nanoTime() - t0 < ttl.multipliedBy(2).minusMillis(500).toNanos());
        // Renewed before the part was two TTLs old (it was collected after t0), so by the background collection on
        // share_b's connection.
        assertThat(sized(b, "share_after")).isTrue();
        assertThat(System.nanoTime() - t0).isLessThan(ttl.multipliedBy(2).toNanos());
        assertThat(sharing.stats().serverWideStale()).isGreaterThanOrEqualTo(2);
    }

    /** A collector that fails for the server's own reasons (here a permission) fails alike for every target: shared. */
    @Test
    void aPartWithACollectorFailingForThePermissionIsStillShared() {
        pg.createRole("pgvigil_plain", mon.password()); // not in pg_monitor: pg_ls_waldir() of the wal collector is refused
        Scraper sharing = scraper(Duration.ofMinutes(1));
        MetricSnapshots a = sharing.scrape(target("pgvigil_plain", "share_a"));
        MetricSnapshots b = sharing.scrape(target("pgvigil_plain", "share_b"));
        assertThat(value(a, "pg_scrape_collector_success", "collector", "wal")).contains(0.0);
        assertThat(value(b, "pg_scrape_collector_success", "collector", "wal")).contains(0.0);
        assertThat(value(b, "pg_scrape_collector_success", "collector", "stat_database")).contains(1.0);
        assertThat(sharing.stats().serverWideCollected()).isEqualTo(1);
        assertThat(sharing.stats().serverWideFresh()).isEqualTo(1);
    }

    @Test
    void aTargetWithSeveralHostsIsNeverShared() {
        Scraper sharing = scraper(Duration.ofMinutes(1));
        ConnectionSpec twoHosts = ConnectionSpec.parse("postgresql://" + mon.role() + ":" + mon.password() + "@127.0.0.1:" + pg.port()
                                                       + ",127.0.0.1:" + pg.port() + "/share_a?sslmode=disable");
        sharing.scrape(twoHosts);
        MetricSnapshots again = sharing.scrape(twoHosts);
        assertThat(value(again, "pg_up")).contains(1.0);
        assertThat(sharing.stats().serverWideCollected()).isZero();
        assertThat(sharing.stats().serverWideFresh()).isZero();
    }
}
