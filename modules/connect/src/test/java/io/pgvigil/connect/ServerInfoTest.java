package io.pgvigil.connect;

import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a new connection learns of its server in one round trip, on the oldest and newest supported majors: the
 * session's {@code statement_timeout} in whatever unit it was set, and the connection slots.
 */
class ServerInfoTest {
    static Stream<Arguments> timeouts() {
        List<String> majors = PgServer.majors();
        return Stream.of(majors.getFirst(), majors.getLast()).distinct().flatMap(major -> Stream.of(
                Arguments.of(major, "0", Optional.empty()),
                Arguments.of(major, "1500", Optional.of(Duration.ofMillis(1500))),
                Arguments.of(major, "'2.5s'", Optional.of(Duration.ofMillis(2500))),
                Arguments.of(major, "'90s'", Optional.of(Duration.ofSeconds(90))),
                Arguments.of(major, "'2min'", Optional.of(Duration.ofMinutes(2))),
                Arguments.of(major, "'3h'", Optional.of(Duration.ofHours(3))),
                Arguments.of(major, "'1d'", Optional.of(Duration.ofDays(1))),
                Arguments.of(major, "'1500us'", Optional.of(Duration.ofMillis(2))),
                Arguments.of(major, "2147483647", Optional.of(Duration.ofMillis(Integer.MAX_VALUE)))));
    }

    @ParameterizedTest(name = "PostgreSQL {0}, statement_timeout = {1}")
    @MethodSource("timeouts")
    void learnsTheStatementTimeoutInMilliseconds(String major, String value, Optional<Duration> expected) throws SQLException {
        PgServer pg = PgServer.shared(major);
        try (Connection c = pg.connectAsSuperuser("postgres"); Statement st = c.createStatement()) {
            st.execute("SET statement_timeout = " + value);
            ServerInfo info = ServerInfo.detect(c);
            assertThat(info.statementTimeout()).isEqualTo(expected);
            assertThat(info.version().number()).isGreaterThanOrEqualTo(Integer.parseInt(major) * 10_000);
            assertThat(info.slots()).hasValueSatisfying(slots -> assertThat(slots.available()).isPositive());
        }
    }
}
