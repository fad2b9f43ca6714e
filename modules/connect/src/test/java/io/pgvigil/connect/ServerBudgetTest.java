package io.pgvigil.connect;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionBudget;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pool's per-server budget against a real server: what the server reports about its slots, rotation of idle
 * connections, the queue, the error at the deadline, and a module's budget against the flag's. The budget under many
 * concurrent scrapes of many databases is tested in collectors' ServerBudgetScrapingTest.
 */
class ServerBudgetTest {
    private static final String PASSWORD = "budg3t-Pa55word";
    private static final String DB = "pgvigil_budget";
    private static final long BOUND_NANOS = Duration.ofSeconds(60).toNanos();

    private static MonitoredServer server(String major) {
        MonitoredServer mon = MonitoredServer.shared(major, "pgvigil_budget_monitor", PASSWORD);
        mon.server().createDatabase(DB, null);
        return mon;
    }

    /** Targets that differ only in application_name: each its own pool key, all on the same server. */
    private static ConnectionSpec spec(MonitoredServer mon, String tag) {
        return ConnectionSpec.parse(mon.dsn(DB) + "&application_name=" + tag);
    }

    private static PooledSource pool(ConnectionBudget budget) {
        return ConnectionSource.pooled(new PoolOptions(10, Duration.ofMinutes(5), Duration.ofSeconds(1), budget));
    }

    private static long deadline() {
        return System.nanoTime() + BOUND_NANOS;
    }

    private static PooledSource.ServerStats only(PooledSource pool) {
        assertThat(pool.servers()).hasSize(1);
        return pool.servers().getFirst();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource(MonitoredServer.MAJORS)
    void theDefaultShareIsLearnedFromTheServersSlots(String major) throws Exception {
        MonitoredServer mon = server(major);
        PgServer pg = mon.server();
        try (PooledSource pool = ConnectionSource.pooled(PoolOptions.defaults())) {
            try (Lease lease = pool.lease(spec(mon, "pgvigil_budget_learn"), deadline())) {
                // The testkit's servers: max_connections 100, 3 for superusers; reserved_connections is 0 from
                // PostgreSQL 16 on and does not exist before (read as 0).
                assertThat(lease.server().slots()).contains(new ConnectionSlots(100, 3, 0));
                assertThat(only(pool).budget()).as("learned on the first connection: 5% of 97, rounded down").isEqualTo(4);
            }
            try (Lease again = pool.lease(spec(mon, "pgvigil_budget_learn"), deadline())) {
                assertThat(again.reused()).isTrue();
            }
            PooledSource.ServerStats stats = only(pool);
            assertThat(stats.server()).isEqualTo(pg.host() + ":" + pg.port());
            assertThat(stats.budget()).as("5% of 97, rounded down").isEqualTo(4);
            assertThat(stats.open()).isEqualTo(1);
            assertThat(stats.idle()).isEqualTo(1);
        }
    }

    @Test
    void aLeaseBeyondTheBudgetWaitsThenFailsWith53300NamingTheServer() throws Exception {
        MonitoredServer mon = server(MonitoredServer.majors().getLast());
        try (PooledSource pool = pool(ConnectionBudget.parse("2"));
             Lease a = pool.lease(spec(mon, "pgvigil_budget_a"), deadline());
             Lease b = pool.lease(spec(mon, "pgvigil_budget_b"), deadline())) {
            long soon = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            assertThatThrownBy(() -> pool.lease(spec(mon, "pgvigil_budget_c"), soon))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("server " + mon.target())
                    .hasMessageContaining("budget of 2")
                    .hasMessageNotContaining(PASSWORD)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("53300"));
            PooledSource.ServerStats stats = only(pool);
            assertThat(stats.open()).isEqualTo(2);
            assertThat(stats.waits()).isEqualTo(1);
            assertThat(stats.timeouts()).isEqualTo(1);
            assertThat(pool.stats().capWaits()).as("the global cap was not the limit").isZero();
            assertThat(mon.server().backendPids("pgvigil_budget_c")).isEmpty();
        }
    }

    @Test
    void anIdleConnectionOfTheServerIsClosedSoThatAnotherDatabaseTakesItsTurn() throws Exception {
        MonitoredServer mon = server(MonitoredServer.majors().getLast());
        try (PooledSource pool = pool(ConnectionBudget.parse("2"))) {
            for (String tag : List.of("pgvigil_budget_r1", "pgvigil_budget_r2", "pgvigil_budget_r3")) {
                try (Lease lease = pool.lease(spec(mon, tag), deadline())) {
                    assertThat(lease.reused()).isFalse();
                }
            }
            // r1 was the least recently used: closed for r3.
            assertThat(mon.server().backendPids("pgvigil_budget_r1")).isEmpty();
            assertThat(mon.server().backendPids("pgvigil_budget_r2")).hasSize(1);
            assertThat(mon.server().backendPids("pgvigil_budget_r3")).hasSize(1);
            PooledSource.ServerStats stats = only(pool);
            assertThat(stats.rotations()).isEqualTo(1);
            assertThat(stats.open()).isEqualTo(2);
            assertThat(stats.waits()).isZero();
            assertThat(pool.stats().evictedLru()).as("not the global cap's eviction").isZero();
        }
    }

    private static void signal(int pid, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Integer.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", signal, pid).isZero();
    }

    /**
     * A rotation waits for its own victim's backend only: while one lease's victim cannot exit (its backend stopped,
     * so the close takes SessionSocket's whole exit wait), the server's next lease rotates another idle connection.
     */
    @Test
    void rotationsOfOneServerDoNotWaitForEachOthersBackends() throws Exception {
        MonitoredServer mon = server(MonitoredServer.majors().getLast());
        try (PooledSource pool = pool(ConnectionBudget.parse("2"))) {
            for (String tag : List.of("pgvigil_budget_x", "pgvigil_budget_y")) {
                pool.lease(spec(mon, tag), deadline()).close();
            }
            int stuck = mon.server().backendPids("pgvigil_budget_x").getFirst();
            signal(stuck, "STOP");
            CompletableFuture<Boolean> first;
            long secondTook;
            try {
                // x is the least recently used: the first lease closes it, and waits for a backend that cannot exit.
                first = CompletableFuture.supplyAsync(() -> {
                    try (Lease lease = pool.lease(spec(mon, "pgvigil_budget_p"), deadline())) {
                        return !lease.reused();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                long until = System.nanoTime() + BOUND_NANOS;
                while (only(pool).rotations() < 1 && System.nanoTime() < until) {
                    Thread.sleep(5);
                }
                long t0 = System.nanoTime();
                try (Lease second = pool.lease(spec(mon, "pgvigil_budget_q"), deadline())) {
                    secondTook = System.nanoTime() - t0;
                    assertThat(second.reused()).isFalse();
                    assertThat(first).as("the first lease is still closing x").isNotDone();
                }
            } finally {
                signal(stuck, "CONT");
            }
            // Queued behind the first lease, the second would have waited out the whole exit wait.
            assertThat(secondTook).isLessThan(TimeUnit.MILLISECONDS.toNanos(SessionSocket.EXIT_WAIT_MILLIS));
            assertThat(first.get(60, TimeUnit.SECONDS)).isTrue();
            assertThat(mon.server().backendPids("pgvigil_budget_y")).isEmpty();
            PooledSource.ServerStats stats = only(pool);
            assertThat(stats.rotations()).isEqualTo(2);
            assertThat(stats.open()).isEqualTo(2);
        }
    }

    @Test
    void aWaitingLeaseGetsTheSlotWhenOneIsGivenBack() throws Exception {
        MonitoredServer mon = server(MonitoredServer.majors().getLast());
        try (PooledSource pool = pool(ConnectionBudget.parse("1"))) {
            Lease held = pool.lease(spec(mon, "pgvigil_budget_held"), deadline());
            CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
                try (Lease next = pool.lease(spec(mon, "pgvigil_budget_next"), deadline())) {
                    return !next.reused();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            while (only(pool).waits() == 0) {
                Thread.onSpinWait();
            }
            assertThat(waiter).isNotDone();
            held.close();
            assertThat(waiter.get(60, TimeUnit.SECONDS)).isTrue();
            PooledSource.ServerStats stats = only(pool);
            assertThat(stats.rotations()).isEqualTo(1);
            assertThat(stats.open()).isEqualTo(1);
            assertThat(stats.timeouts()).isZero();
        }
    }

    @Test
    void aModulesBudgetAppliesToItsOwnLeasesTheFlagToTheOthers() throws Exception {
        MonitoredServer mon = server(MonitoredServer.majors().getLast());
        AuthModule wide = new AuthModule("wide", new Credentials.UserPass(mon.role(), Secret.of(PASSWORD)), Map.of(),
                                         Optional.empty(), Optional.of(ConnectionBudget.parse("2")), Optional.empty(), io.pgvigil.dsn.DiscoveryOptions.SERVERS_ONLY);
        try (PooledSource pool = pool(ConnectionBudget.parse("1"));
             Lease a = pool.lease(spec(mon, "pgvigil_budget_m1").withAuthModule(wide), deadline());
             Lease b = pool.lease(spec(mon, "pgvigil_budget_m2").withAuthModule(wide), deadline())) {
            assertThat(only(pool).open()).isEqualTo(2);
            long soon = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            assertThatThrownBy(() -> pool.lease(spec(mon, "pgvigil_budget_m3"), soon))
                    .hasMessageContaining("budget of 1");
        }
    }
}
