package io.pgvigil.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MonitoredServerTest {

    @ParameterizedTest
    @MethodSource(MonitoredServer.MAJORS)
    void sharedGivesTheSharedServerWithALoginRoleInPgMonitorOnly(String major) throws SQLException {
        MonitoredServer mon = MonitoredServer.shared(major);
        assertThat(mon.server()).isSameAs(PgServer.shared(major));
        assertThat(mon.role()).isEqualTo(MonitoredServer.DEFAULT_ROLE);
        assertThat(mon.password()).isEqualTo(MonitoredServer.DEFAULT_PASSWORD);
        try (Connection c = mon.server().connect("postgres", mon.role(), mon.password());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_user, pg_has_role(current_user, 'pg_monitor', 'MEMBER'),"
                     + " rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(MonitoredServer.DEFAULT_ROLE);
            assertThat(rs.getBoolean(2)).as("member of pg_monitor").isTrue();
            assertThat(rs.getBoolean(3)).as("superuser").isFalse();
            assertThat(rs.getBoolean(4)).as("createrole").isFalse();
            assertThat(rs.getBoolean(5)).as("createdb").isFalse();
        }
    }

    @Test
    void sharedWithARoleGivesThatRoleItsPasswordAgain() throws SQLException {
        String major = MonitoredServer.majors().getFirst();
        MonitoredServer.shared(major, "pgvigil_mon_test", "first-pw");
        MonitoredServer mon = MonitoredServer.shared(major, "pgvigil_mon_test", "second-pw");
        try (Connection c = mon.server().connect("postgres", "pgvigil_mon_test", "second-pw")) {
            assertThat(c.isValid(5)).isTrue();
        }
        PgServerTest.assertPasswordRefused(() -> mon.server().connect("postgres", "pgvigil_mon_test", "first-pw"));
    }

    @Test
    void createGivesAPrivateServerTheRole() throws SQLException {
        try (PgServer own = PgServer.start(MonitoredServer.majors().getFirst())) {
            MonitoredServer mon = MonitoredServer.create(own, "pgvigil_mon_own", "own-pw");
            assertThat(mon).isEqualTo(new MonitoredServer(own, "pgvigil_mon_own", "own-pw"));
            try (Connection c = own.connect("postgres", "pgvigil_mon_own", "own-pw"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_has_role(current_user, 'pg_monitor', 'MEMBER')")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(1)).as("member of pg_monitor").isTrue();
            }
        }
    }

    @Test
    void dsnNamesRolePasswordPortAndDatabaseAndDisablesTls() {
        MonitoredServer mon = MonitoredServer.shared(MonitoredServer.majors().getFirst());
        assertThat(mon.dsn("postgres")).isEqualTo("postgresql://pgvigil_monitor:mon-Pa55word@127.0.0.1:"
                + mon.server().port() + "/postgres?sslmode=disable");
    }

    @Test
    void dsnPercentEncodesWhatAUrlWouldMisread() {
        MonitoredServer odd = new MonitoredServer(PgServer.shared(MonitoredServer.majors().getFirst()), "us@er",
                "p:w/é %");
        assertThat(odd.dsn("my db")).isEqualTo("postgresql://us%40er:p%3Aw%2F%C3%A9%20%25@127.0.0.1:"
                + odd.server().port() + "/my%20db?sslmode=disable");
    }

    @Test
    void targetIsHostAndPortWithOrWithoutADatabase() {
        MonitoredServer mon = MonitoredServer.shared(MonitoredServer.majors().getFirst());
        assertThat(mon.target()).isEqualTo("127.0.0.1:" + mon.server().port());
        assertThat(mon.target("app")).isEqualTo("127.0.0.1:" + mon.server().port() + "/app");
        assertThat(mon.on(PgServer.shared(MonitoredServer.majors().getLast())).target("app"))
                .isEqualTo("127.0.0.1:" + PgServer.shared(MonitoredServer.majors().getLast()).port() + "/app");
    }

    @Test
    void onAsRoleAndWithPasswordKeepTheRestAndToStringHidesThePassword() {
        MonitoredServer mon = MonitoredServer.shared(MonitoredServer.majors().getFirst());
        PgServer other = PgServer.shared(MonitoredServer.majors().getLast());
        assertThat(mon.on(other)).isEqualTo(new MonitoredServer(other, mon.role(), mon.password()));
        assertThat(mon.asRole("someone")).isEqualTo(new MonitoredServer(mon.server(), "someone", mon.password()));
        assertThat(mon.withPassword("other-pw")).isEqualTo(new MonitoredServer(mon.server(), mon.role(), "other-pw"));
        assertThat(mon.toString()).contains(mon.role()).doesNotContain(mon.password());
    }
}
