package io.pgvigil.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PgServerTest {

    static List<String> majors() {
        return PgServer.majors();
    }

    @Test
    void majorsComeFromTheConfiguredVersions() {
        assertThat(PgServer.majors()).isNotEmpty().contains("13", "17");
    }

    @Test
    void unknownMajorListsWhatIsAvailable() {
        assertThatThrownBy(() -> PgServer.shared("8"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("No PostgreSQL 8")
                .hasMessageContaining("13");
    }

    @ParameterizedTest
    @MethodSource("majors")
    void sharedServerRunsTheRequestedMajor(String major) throws SQLException {
        PgServer pg = PgServer.shared(major);
        assertThat(PgServer.shared(major)).isSameAs(pg);
        assertThat(pg.host()).isEqualTo("127.0.0.1");
        assertThat(pg.port()).isPositive();
        assertThat(pg.majorVersion()).isEqualTo(Integer.parseInt(major));
        assertThat(pg.version()).startsWith(major + ".");
        assertThat(pg.superuser()).isEqualTo("postgres");
        try (Connection c = pg.connectAsSuperuser("postgres")) {
            assertThat(queryString(c, "SHOW server_version_num")).startsWith(major);
            assertThat(Integer.parseInt(queryString(c, "SHOW server_version_num")) / 10000)
                    .isEqualTo(Integer.parseInt(major));
            assertThat(queryString(c, "SHOW listen_addresses")).isEqualTo("127.0.0.1");
            assertThat(queryString(c, "SHOW password_encryption")).isEqualTo("scram-sha-256");
            assertThat(queryString(c, "SHOW fsync")).isEqualTo("off");
            assertThat(queryString(c, "SHOW track_io_timing")).isEqualTo("on");
            assertThat(queryString(c, "SHOW max_connections")).isEqualTo("100");
            assertThat(queryString(c, "SELECT rolpassword FROM pg_authid WHERE rolname = 'postgres'"))
                    .startsWith("SCRAM-SHA-256$");
        }
    }

    @ParameterizedTest
    @MethodSource("majors")
    void pgStatStatementsIsPreloaded(String major) throws SQLException {
        PgServer pg = PgServer.shared(major);
        pg.execute("postgres", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        try (Connection c = pg.connectAsSuperuser("postgres")) {
            assertThat(queryString(c, "SHOW shared_preload_libraries")).contains("pg_stat_statements");
            assertThat(queryString(c, "SELECT count(*) FROM pg_stat_statements")).isNotNull();
        }
    }

    @ParameterizedTest
    @MethodSource("majors")
    void createdRoleLogsInWithItsPasswordOnly(String major) throws SQLException {
        PgServer pg = PgServer.shared(major);
        pg.createRole("monitor", "s3cret", "IN ROLE pg_monitor");
        pg.createRole("monitor", "s3cret", "IN ROLE pg_monitor"); // idempotent
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), credentials("monitor", "s3cret"))) {
            assertThat(queryString(c, "SELECT current_user")).isEqualTo("monitor");
            assertThat(queryString(c, "SELECT pg_has_role('monitor', 'pg_monitor', 'MEMBER')")).isEqualTo("t");
        }
        assertPasswordRefused(() -> DriverManager.getConnection(pg.jdbcUrl("postgres"), credentials("monitor", "wrong")));
    }

    @ParameterizedTest
    @MethodSource("majors")
    void createdRoleGetsTheNewPasswordWhenCreatedAgain(String major) throws SQLException {
        PgServer pg = PgServer.shared(major);
        pg.createRole("rotating", "first");
        pg.createRole("rotating", "second", "CONNECTION LIMIT 5");
        try (Connection c = pg.connect("postgres", "rotating", "second")) {
            assertThat(queryString(c, "SELECT rolconnlimit FROM pg_roles WHERE rolname = 'rotating'"))
                    .isEqualTo("5");
        }
        assertPasswordRefused(() -> pg.connect("postgres", "rotating", "first"));
    }

    /** Asserts that {@code login} fails for a wrong password (SQLSTATE 28P01, invalid_password). */
    static void assertPasswordRefused(ThrowingCallable login) {
        assertThatThrownBy(login)
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
    }

    @ParameterizedTest
    @MethodSource("majors")
    void createDatabaseIsIdempotent(String major) throws SQLException {
        PgServer pg = PgServer.shared(major);
        pg.createRole("app_owner", "pw");
        pg.createDatabase("app", "app_owner");
        pg.createDatabase("app", "app_owner");
        pg.execute("app", "CREATE TABLE IF NOT EXISTS t(x int); INSERT INTO t VALUES (1)");
        try (Connection c = pg.connect("app", "app_owner", "pw")) {
            assertThat(queryString(c, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'app'"))
                    .isEqualTo("app_owner");
            assertThat(queryString(c, "SELECT current_database()")).isEqualTo("app");
        }
    }

    @Test
    void privateServerStopsRestartsAndCleansUp() throws Exception {
        String major = PgServer.majors().getLast();
        PgServer pg = PgServer.start(major);
        java.nio.file.Path dir = pg.dataDirectory().getParent();
        try (pg) {
            assertThat(pg).isNotSameAs(PgServer.shared(major));
            int port = pg.port();
            pg.execute("postgres", "CREATE TABLE kept(x int)");
            pg.stop();
            assertThat(pg.isRunning()).isFalse();
            assertThatThrownBy(() -> pg.connectAsSuperuser("postgres"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).startsWith("08"));
            pg.restart();
            assertThat(pg.port()).isEqualTo(port);
            try (Connection c = pg.connectAsSuperuser("postgres")) {
                assertThat(queryString(c, "SELECT count(*) FROM kept")).isEqualTo("0");
            }
            pg.restart();
            try (Connection c = pg.connectAsSuperuser("postgres")) {
                assertThat(queryString(c, "SELECT 1")).isEqualTo("1");
            }
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void sharedServerCannotBeStoppedByATest() {
        PgServer pg = PgServer.shared(PgServer.majors().getFirst());
        pg.close();
        assertThat(pg.isRunning()).isTrue();
        assertThatThrownBy(pg::stop).isInstanceOf(UnsupportedOperationException.class);
    }

    @ParameterizedTest
    @MethodSource("majors")
    void privateStandbyStreamsThroughItsSlotAndDropsItWhenClosed(String major) throws SQLException {
        PgServer primary = PgServer.shared(major);
        String slot = "pgvigil_testkit_slot";
        PgServer standby = PgServer.startStandby(primary, slot);
        java.nio.file.Path dir = standby.dataDirectory().getParent();
        try (standby) {
            assertThat(standby.isStandby()).isTrue();
            assertThat(standby.primary()).containsSame(primary);
            assertThat(standby.replicationSlot()).contains(slot);
            assertThat(standby.majorVersion()).isEqualTo(primary.majorVersion());
            assertThat(standby.port()).isNotEqualTo(primary.port());
            assertThat(primary.isStandby()).isFalse();
            try (Connection c = standby.connectAsSuperuser("postgres")) {
                assertThat(queryString(c, "SELECT pg_is_in_recovery()")).isEqualTo("t");
                assertThat(queryString(c, "SELECT status || ' ' || slot_name FROM pg_stat_wal_receiver"))
                        .isEqualTo("streaming " + slot);
            }
            try (Connection c = primary.connectAsSuperuser("postgres")) {
                assertThat(queryString(c, "SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                        .isEqualTo("t");
                assertThat(queryString(c, "SELECT state FROM pg_stat_replication WHERE application_name = '"
                        + standby.standbyName().orElseThrow() + "'")).isEqualTo("streaming");
            }
            primary.execute("postgres", "CREATE TABLE IF NOT EXISTS replicated(x int); INSERT INTO replicated VALUES (42)");
            standby.awaitCaughtUp();
            try (Connection c = standby.connectAsSuperuser("postgres")) {
                assertThat(queryString(c, "SELECT count(*) > 0 FROM replicated WHERE x = 42")).isEqualTo("t");
                assertThatThrownBy(() -> c.createStatement().execute("CREATE TABLE not_on_a_standby(x int)"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
            }
        }
        assertThat(dir).doesNotExist();
        try (Connection c = primary.connectAsSuperuser("postgres")) {
            assertThat(queryString(c, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                    .isEqualTo("0");
        }
    }

    @Test
    void sharedStandbyIsStartedOnceAndStreamsThroughTheSharedSlot() throws SQLException {
        String major = PgServer.majors().getLast();
        PgServer standby = PgServer.sharedStandby(major);
        assertThat(PgServer.sharedStandby(major)).isSameAs(standby);
        assertThat(standby.isShared()).isTrue();
        assertThat(standby.primary()).containsSame(PgServer.shared(major));
        assertThat(standby.replicationSlot()).contains(PgServer.SHARED_STANDBY_SLOT);
        standby.close();
        assertThatThrownBy(standby::stop).isInstanceOf(UnsupportedOperationException.class);
        try (Connection c = standby.connectAsSuperuser("postgres")) {
            assertThat(queryString(c, "SELECT slot_name FROM pg_stat_wal_receiver"))
                    .isEqualTo(PgServer.SHARED_STANDBY_SLOT);
        }
    }

    @Test
    void standbyOfAStandbyIsRefused() {
        PgServer standby = PgServer.sharedStandby(PgServer.majors().getLast());
        assertThatThrownBy(() -> PgServer.startStandby(standby))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cascading");
        assertThatThrownBy(() -> PgServer.startStandby(standby.primary().orElseThrow(), "Bad-Name"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slot name");
    }

    @Test
    void walStreamIsAWalSenderWithTheGivenApplicationName() throws SQLException {
        PgServer pg = PgServer.shared(PgServer.majors().getLast());
        try (WalStream a = pg.openWalStream("testkit-twin"); WalStream b = pg.openWalStream("testkit-twin")) {
            assertThat(a.pid()).isNotEqualTo(b.pid());
            try (Connection c = pg.connectAsSuperuser("postgres")) {
                assertThat(queryString(c, "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'testkit-twin'"
                        + " AND state = 'streaming' AND pid IN (" + a.pid() + ", " + b.pid() + ")")).isEqualTo("2");
            }
        }
    }

    @Test
    void queriesReadOneValueAsTheSuperuserAndThePidsOfAnApplication() throws SQLException {
        PgServer pg = PgServer.shared(PgServer.majors().getFirst());
        pg.createDatabase("testkit_query", null);
        assertThat(pg.queryDouble("testkit_query", "SELECT 2.5::float8")).isEqualTo(2.5);
        assertThat(pg.queryDouble("postgres", "SELECT NULL::float8")).isZero();
        assertThat(pg.queryDouble("postgres", "SELECT x FROM (VALUES (7), (8)) v(x) ORDER BY x DESC")).isEqualTo(8);
        assertThat(pg.queryString("testkit_query", "SELECT current_database() || ? || current_user", "/"))
                .isEqualTo("testkit_query/" + pg.superuser());
        assertThatThrownBy(() -> pg.queryDouble("postgres", "SELECT 1 WHERE false"))
                .isInstanceOf(AssertionError.class).hasMessage("no row from SELECT 1 WHERE false");
        assertThatThrownBy(() -> pg.queryString("postgres", "SELECT NULL::text")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pg.queryDouble("postgres", "SELECT no_such_column"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no_such_column");

        assertThat(pg.backendPids("testkit-pids")).isEmpty();
        try (Connection a = pg.connectAsSuperuser("postgres"); Connection b = pg.connectAsSuperuser("testkit_query");
             Connection other = pg.connectAsSuperuser("postgres")) {
            List<Integer> pids = new java.util.ArrayList<>();
            for (Connection c : List.of(a, b)) {
                try (Statement st = c.createStatement()) {
                    st.execute("SET application_name = 'testkit-pids'");
                }
                pids.add(Integer.parseInt(queryString(c, "SELECT pg_backend_pid()")));
            }
            pids.sort(null);
            assertThat(pg.backendPids("testkit-pids")).isEqualTo(pids).hasSize(2);
            assertThat(pg.backendPids("testkit-pids")).doesNotContain(Integer.parseInt(queryString(other, "SELECT pg_backend_pid()")));
        }
    }

    private static Properties credentials(String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return p;
    }

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).as("a row from %s", sql).isTrue();
            return rs.getString(1);
        }
    }
}
