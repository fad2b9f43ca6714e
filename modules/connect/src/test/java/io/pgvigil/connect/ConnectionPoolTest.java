package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.testkit.MonitoredServer;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The connection sources alone, against a real server (the newest major configured): the sessions' safe defaults,
 * which errors retire a lease, and what a fresh source does. The scraper on top of the pool (reuse across scrapes,
 * deadlines, single-flight, the cap) is tested in collectors' PooledScrapingTest.
 */
class ConnectionPoolTest {
    private static final String PASSWORD = "c0nnect-Pa55word";
    private static final String DB = "pgvigil_connect";
    private static final long BOUND_NANOS = Duration.ofSeconds(60).toNanos();

    private static MonitoredServer mon;
    private static PgServer pg;

    @BeforeAll
    static void server() {
        mon = MonitoredServer.shared(MonitoredServer.majors().getLast(), "pgvigil_connect_monitor", PASSWORD);
        pg = mon.server();
        pg.createDatabase(DB, null);
        pg.execute(DB, "CREATE TABLE IF NOT EXISTS victim (id int)");
    }

    private static ConnectionSpec spec(String tag, String extra) {
        return ConnectionSpec.parse(mon.dsn(DB) + "&application_name=" + tag + extra);
    }

    private static PooledSource pool() {
        return ConnectionSource.pooled(new PoolOptions(10, Duration.ofMinutes(5), Duration.ofSeconds(1)));
    }

    private static long deadline() {
        return System.nanoTime() + BOUND_NANOS;
    }

    @Test
    void sessionsAreReadOnlyEvenForASuperuser() throws Exception {
        ConnectionSpec su = ConnectionSpec.parse("postgresql://" + pg.superuser() + ":" + pg.superuserPassword() + "@127.0.0.1:"
                                                 + pg.port() + "/" + DB + "?sslmode=disable");
        try (PooledSource pool = pool()) {
            try (Lease lease = pool.lease(su, deadline()); Statement st = lease.connection().createStatement()) {
                // An SQL error is not a connection error: the lease is not retired.
                assertThatThrownBy(() -> st.execute("INSERT INTO victim VALUES (1)"))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"))
                        .satisfies(e -> assertThat(lease.retireIfConnectionLost((SQLException) e)).isFalse());
                assertThatThrownBy(() -> st.execute("CREATE TABLE pgvigil_never (id int)"))
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"))
                        .satisfies(e -> assertThat(lease.retireIfConnectionLost((SQLException) e)).isFalse());
                try (ResultSet rs = st.executeQuery("SELECT current_setting('application_name'), current_setting('lock_timeout'), "
                                                    + "current_setting('idle_in_transaction_session_timeout')")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("pgvigil");
                    assertThat(rs.getString(2)).isEqualTo("1s");
                    assertThat(rs.getString(3)).isEqualTo("10s");
                }
            }
            // The session was given back and is kept.
            assertThat(pool.stats().idle()).isEqualTo(1);
            assertThat(pool.stats().retired()).isZero();
        }
        try (Connection c = pg.connectAsSuperuser(DB); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM victim")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    @Test
    void aModuleApplicationNameWinsButReadOnlyCannotBeSwitchedOff() throws Exception {
        ConnectionSpec target = spec("custom_name", "&options=-c%20default_transaction_read_only%3Doff");
        try (PooledSource pool = pool();
             Lease lease = pool.lease(target, deadline()); Statement st = lease.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('application_name'), current_setting('default_transaction_read_only')")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("custom_name");
            assertThat(rs.getString(2)).isEqualTo("on");
        }
    }

    @Test
    void aTerminatedSessionRetiresItsLeaseAndIsNotKept() throws Exception {
        try (PooledSource pool = pool()) {
            Lease lease = pool.lease(spec("pgvigil_connect_terminated", ""), deadline());
            assertThat(lease.reused()).isFalse();
            assertThat(lease.server().version().major()).isEqualTo(pg.majorVersion());
            int pid;
            try (Statement st = lease.connection().createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            try (Connection su = pg.connectAsSuperuser("postgres"); Statement st = su.createStatement()) {
                st.execute("SELECT pg_terminate_backend(" + pid + ")");
            }
            SQLException lost = null;
            try (Statement st = lease.connection().createStatement()) {
                st.execute("SELECT 1");
            } catch (SQLException e) {
                lost = e;
            }
            assertThat((Throwable) lost).isNotNull();
            assertThat(ConnectionErrors.isConnectionLevel(lost, lease.connection())).isTrue();
            assertThat(lease.retireIfConnectionLost(lost)).isTrue();
            lease.close();
            assertThat(pool.stats().retired()).isEqualTo(1);
            assertThat(pool.stats().open()).isZero();
            assertThat(pool.stats().idle()).isZero();
        }
    }

    @Test
    void aKeptSessionServesTheNextLeaseOfTheSameTarget() throws Exception {
        ConnectionSpec target = spec("pgvigil_connect_kept", "");
        try (PooledSource pool = pool()) {
            Connection first;
            try (Lease lease = pool.lease(target, deadline())) {
                first = lease.connection();
            }
            try (Lease again = pool.lease(target, deadline())) {
                assertThat(again.reused()).isTrue();
                assertThat(again.connection()).isSameAs(first);
            }
            try (Lease other = pool.lease(spec("pgvigil_connect_other", ""), deadline())) {
                assertThat(other.reused()).isFalse();
                assertThat(other.connection()).isNotSameAs(first);
            }
            PooledSource.Stats stats = pool.stats();
            assertThat(stats.opened()).isEqualTo(2);
            assertThat(stats.reused()).isEqualTo(1);
            assertThat(stats.idle()).isEqualTo(2);
        }
    }

    @Test
    void connectionLevelMeansClass08Or57POrAClosedConnection() throws Exception {
        try (Lease lease = ConnectionSource.fresh().lease(spec("pgvigil_connect_states", ""), deadline())) {
            Connection open = lease.connection();
            assertThat(ConnectionErrors.isConnectionLevel(new SQLException("x", "08006"), open)).isTrue();
            assertThat(ConnectionErrors.isConnectionLevel(new SQLException("x", "57P01"), open)).isTrue();
            assertThat(ConnectionErrors.isConnectionLevel(new SQLException("x", "57P03"), open)).isTrue();
            assertThat(ConnectionErrors.isConnectionLevel(new SQLException("x", "25006"), open)).isFalse();
            assertThat(ConnectionErrors.isConnectionLevel(new SQLException("x", "55P03"), open)).isFalse();
            assertThat(ConnectionErrors.isConnectionLevel(new SQLException("x"), open)).isFalse();
            open.close();
            assertThat(ConnectionErrors.isConnectionLevel(new SQLException("x", "42P01"), open)).isTrue();
        }
    }

    @Test
    void aFreshLeaseDetectsTheVersionAndClosesItsConnection() throws Exception {
        Lease lease = ConnectionSource.fresh().lease(spec("pgvigil_connect_fresh", ""), deadline());
        assertThat(lease.reused()).isFalse();
        assertThat(lease.server().version().major()).isEqualTo(pg.majorVersion());
        assertThat(lease.server().text()).startsWith("PostgreSQL " + pg.majorVersion());
        lease.close();
        assertThat(lease.connection().isClosed()).isTrue();
    }
}
