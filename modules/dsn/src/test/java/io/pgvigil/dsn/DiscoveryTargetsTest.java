package io.pgvigil.dsn;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@code /discovery} takes from {@code dsn}: the allow-list entries that name one server, the target of a
 * database of a server (which parses back to exactly that database), and the checks of {@link DiscoveryOptions}.
 */
class DiscoveryTargetsTest {

    @Test
    void onlyEntriesThatNameOneServerAreServers() {
        TargetAllowList list = TargetAllowList.parse(List.of("DB1.example.com:5432", "db1.example.com:5432", "db2.",
                "10.0.0.5", "10.0.0.5:6432", "10.0.0.0/8", "10.0.0.7/32", "*.prod.example.com", "2001:db8::5",
                "[2001:db8::6]:5433", "fd00::/8"));
        assertThat(list.servers()).containsExactly("db1.example.com:5432", "db2", "10.0.0.5", "10.0.0.5:6432",
                "10.0.0.7", "[2001:db8:0:0:0:0:0:5]", "[2001:db8:0:0:0:0:0:6]:5433");
        for (String server : list.servers()) {
            assertThat(ConnectionSpec.parse(server).endpoints()).hasSize(1);
        }
    }

    @Test
    void aDatabaseTargetParsesBackToThatDatabase() {
        for (String name : List.of("app", "my db", "a/b?c=d&e#f", "50%", "x@y", "quote\"s", "snow☃", "and+plus")) {
            String target = ConnectionSpec.databaseTarget("[2001:db8::5]:5432", name);
            ConnectionSpec spec = ConnectionSpec.parseUntrusted(target);
            assertThat(spec.database()).as(target).contains(name);
            assertThat(spec.endpoints()).containsExactly(new Endpoint("2001:db8::5", 5432));
        }
        assertThat(ConnectionSpec.databaseTarget("db1:5432", "my db")).isEqualTo("db1:5432/my%20db");
        // A control character is refused in any target (so /discovery leaves such a database out).
        assertThatThrownBy(() -> ConnectionSpec.parseUntrusted(ConnectionSpec.databaseTarget("db1", "tab\there")))
                .isInstanceOf(TargetException.class);
    }

    @Test
    void discoveryOptionsCheckTheirPatternsAndRefresh() {
        DiscoveryOptions options = new DiscoveryOptions(true, List.of("app_.*"), List.of("app_test"), Duration.ofSeconds(5));
        assertThat(options.filter()).accepts("app_1").rejects("app_test", "xapp_1", "app");
        assertThat(DiscoveryOptions.SERVERS_ONLY.filter()).accepts("anything");
        assertThatThrownBy(() -> new DiscoveryOptions(true, List.of("("), List.of(), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("invalid regular expression");
        assertThatThrownBy(() -> new DiscoveryOptions(true, List.of(), List.of(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        // Equal when written the same, so that a reload of an unchanged file changes no module.
        assertThat(new DiscoveryOptions(true, List.of("a"), List.of(), Duration.ofSeconds(5)))
                .isEqualTo(new DiscoveryOptions(true, List.of("a"), List.of(), Duration.ofSeconds(5)));
        Credentials creds = new Credentials.UserPass("u", Secret.of("p"));
        assertThat(new AuthModule("m", creds, Map.of(), Optional.empty()).discovery()).isEqualTo(DiscoveryOptions.SERVERS_ONLY);
    }
}
