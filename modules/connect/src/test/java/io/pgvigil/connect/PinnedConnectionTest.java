package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Endpoint;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Targets pinned to checked addresses, against a real server on 127.0.0.1. The host names end in {@code .invalid}
 * (RFC 6761: never resolvable), so a session that opens at all was connected to the pinned address, not to a lookup.
 */
class PinnedConnectionTest {
    private static final String PASSWORD = "p1nned-Pa55word";
    private static final long BOUND_NANOS = Duration.ofSeconds(60).toNanos();
    private static PgServer pg;

    @BeforeAll
    static void server() {
        pg = PgServer.shared(PgServer.majors().getLast());
        pg.createRole("pgvigil_pinned", PASSWORD, "IN ROLE pg_monitor");
    }

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    private static ConnectionSpec spec(String hosts) {
        return ConnectionSpec.parse("postgresql://pgvigil_pinned:" + PASSWORD + "@" + hosts + "/postgres?sslmode=disable");
    }

    private static String serverAddress(ConnectionSpec spec) throws SQLException {
        try (Lease lease = ConnectionSource.fresh().lease(spec, System.nanoTime() + BOUND_NANOS);
             Statement st = lease.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT host(inet_server_addr())")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void anUnresolvableNameConnectsToItsPinnedAddress() throws SQLException {
        ConnectionSpec spec = spec("pgvigil-pinned.invalid:" + pg.port());
        ConnectionSpec pinned = spec.pinnedTo(Map.of(new Endpoint("pgvigil-pinned.invalid", pg.port()), List.of(ip("127.0.0.1"))));
        assertThat(serverAddress(pinned)).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> serverAddress(spec)).isInstanceOf(SQLException.class);
    }

    @Test
    void pinnedAddressesAreTriedInOrder() throws SQLException {
        // Nothing listens on 127.0.0.2 (the server listens on 127.0.0.1 only): refused at once, then the next.
        ConnectionSpec pinned = spec("pgvigil-order.invalid:" + pg.port()).pinnedTo(Map.of(
                new Endpoint("pgvigil-order.invalid", pg.port()), List.of(ip("127.0.0.2"), ip("127.0.0.1"))));
        assertThat(serverAddress(pinned)).isEqualTo("127.0.0.1");
    }

    @Test
    void aPinnedAddressOtherThanTheServersIsNotReplacedByALookup() {
        // "localhost" would resolve to the server; the pin says 127.0.0.2, where nothing listens.
        ConnectionSpec pinned = spec("localhost:" + pg.port()).pinnedTo(Map.of(
                new Endpoint("localhost", pg.port()), List.of(ip("127.0.0.2"))));
        assertThatThrownBy(() -> serverAddress(pinned)).isInstanceOf(SQLException.class);
    }

    @Test
    void anEndpointPinnedToNothingIsNeverConnected() {
        ConnectionSpec pinned = spec("pgvigil-none.invalid:" + pg.port()).pinnedTo(Map.of(
                new Endpoint("pgvigil-none.invalid", pg.port()), List.of()));
        assertThatThrownBy(() -> serverAddress(pinned)).isInstanceOf(SQLException.class);
    }

    @Test
    void severalHostsEachConnectToTheirPin() throws SQLException {
        // pgjdbc asks the socket for the first host, whose pin is closed, then for the second.
        ConnectionSpec pinned = spec("pgvigil-a.invalid:" + pg.port() + ",pgvigil-b.invalid:" + pg.port()).pinnedTo(Map.of(
                new Endpoint("pgvigil-a.invalid", pg.port()), List.of(ip("127.0.0.2")),
                new Endpoint("pgvigil-b.invalid", pg.port()), List.of(ip("127.0.0.1"))));
        assertThat(serverAddress(pinned)).isEqualTo("127.0.0.1");
    }

    @Test
    void thePooledSourceKeysByThePinsToo() throws SQLException {
        ConnectionSpec spec = spec("pgvigil-pool.invalid:" + pg.port());
        ConnectionSpec good = spec.pinnedTo(Map.of(new Endpoint("pgvigil-pool.invalid", pg.port()), List.of(ip("127.0.0.1"))));
        ConnectionSpec other = spec.pinnedTo(Map.of(new Endpoint("pgvigil-pool.invalid", pg.port()), List.of(ip("127.0.0.2"))));
        try (PooledSource pool = ConnectionSource.pooled(new PoolOptions(4, Duration.ofMinutes(1), Duration.ofSeconds(1)))) {
            try (Lease lease = pool.lease(good, System.nanoTime() + BOUND_NANOS)) {
                assertThat(lease.reused()).isFalse();
            }
            // A kept session of the same name but another pin is never handed out.
            assertThatThrownBy(() -> pool.lease(other, System.nanoTime() + BOUND_NANOS)).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void thePinsTravelInTheDriverPropertiesWithoutAnySecret() {
        ConnectionSpec pinned = spec("Db1.Example.com.:" + pg.port() + ",[2001:db8::1]:6432").pinnedTo(Map.of(
                new Endpoint("Db1.Example.com.", pg.port()), List.of(ip("192.0.2.1"), ip("2001:db8::7")),
                new Endpoint("2001:db8::1", 6432), List.of(ip("2001:db8::1"))));
        Properties props = SessionDefaults.properties(pinned, Duration.ofSeconds(1));
        assertThat(props.getProperty("socketFactory")).isEqualTo("io.pgvigil.connect.PinnedSocketFactory");
        assertThat(props.getProperty("socketFactoryArg"))
                .isEqualTo("db1.example.com.|" + pg.port() + "|192.0.2.1,2001:db8:0:0:0:0:0:7;2001:db8:0:0:0:0:0:1|6432|"
                        + "2001:db8:0:0:0:0:0:1")
                .doesNotContain(PASSWORD);
        Properties plain = SessionDefaults.properties(spec("db1:5432"), Duration.ofSeconds(1));
        assertThat(plain.getProperty("socketFactory")).isEqualTo("io.pgvigil.connect.SessionSocketFactory");
        assertThat(plain).doesNotContainKey("socketFactoryArg");
    }
}
