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
        assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl("postgres"), credentials("monitor", "wrong")))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
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
        assertThatThrownBy(() -> pg.connect("postgres", "rotating", "first"))
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
