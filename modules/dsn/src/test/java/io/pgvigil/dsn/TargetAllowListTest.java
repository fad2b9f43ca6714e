package io.pgvigil.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TargetAllowListTest {

    private static TargetAllowList list(String... entries) {
        return TargetAllowList.parse(List.of(entries));
    }

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    @ParameterizedTest
    @CsvSource({
            "db1.example.com, db1.example.com, 5432, true",
            "db1.example.com, DB1.Example.COM, 5432, true",
            "db1.example.com, db1.example.com., 5432, true",
            "DB1.example.com., db1.example.com, 5432, true",
            "db1.example.com, db2.example.com, 5432, false",
            "db1.example.com, xdb1.example.com, 5432, false",
            "db1.example.com, db1.example.com.evil.org, 5432, false",
            "db1.example.com:5432, db1.example.com, 5432, true",
            "db1.example.com:5432, db1.example.com, 5433, false",
            "*.prod.example.com, a.prod.example.com, 5432, true",
            "*.prod.example.com, A.B.PROD.example.com., 1, true",
            "*.prod.example.com, prod.example.com, 5432, false",
            "*.prod.example.com, evilprod.example.com, 5432, false",
            "*.prod.example.com, .prod.example.com, 5432, false",
            "*.prod.example.com, a.prod.example.com.evil.org, 5432, false",
            "*.prod.example.com:6432, a.prod.example.com, 6432, true",
            "*.prod.example.com:6432, a.prod.example.com, 5432, false",
            "localhost, localhost, 5432, true",
            "127.0.0.1, 127.0.0.1, 5432, false",
            "10.0.0.0/8, 10.0.0.1, 5432, false",
    })
    void namesMatchNameEntriesOnly(String entry, String host, int port, boolean allowed) {
        assertThat(list(entry).allowsName(host, port)).isEqualTo(allowed);
    }

    @Test
    void aNumericLastLabelIsNeverANameEvenUnderAWildcard() {
        TargetAllowList list = list("*.example.com", "localhost");
        assertThat(list.allowsName("2130706433", 5432)).isFalse();
        assertThat(list.allowsName("127.1", 5432)).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
            "10.0.0.0/16, 10.0.0.0, true",
            "10.0.0.0/16, 10.0.255.255, true",
            "10.0.0.0/16, 10.1.0.0, false",
            "10.0.0.0/16, 9.255.255.255, false",
            "10.0.0.0/15, 10.1.255.255, true",
            "10.0.0.0/15, 10.2.0.0, false",
            "10.0.0.128/25, 10.0.0.127, false",
            "10.0.0.128/25, 10.0.0.128, true",
            "10.0.0.128/25, 10.0.0.255, true",
            "127.0.0.0/8, 127.255.0.1, true",
            "0.0.0.0/0, 203.0.113.9, true",
            "0.0.0.0/0, ::1, false",
            "10.0.0.5, 10.0.0.5, true",
            "10.0.0.5, 10.0.0.4, false",
            "10.0.0.5/32, 10.0.0.6, false",
            "2001:db8::/32, 2001:db8:ffff::1, true",
            "2001:db8::/32, 2001:db9::1, false",
            "2001:DB8::/33, 2001:db8:7fff::1, true",
            "2001:db8::/33, 2001:db8:8000::1, false",
            "::1, 0:0:0:0:0:0:0:1, true",
            "[::1]:5432, ::1, true",
            "::/0, 10.0.0.1, false",
            "::/0, fe80::1, true",
            "fd00::/8, fdff:ffff::1, true",
    })
    void addressesMatchNetworkEntries(String entry, String address, boolean allowed) {
        assertThat(list(entry).allowsAddress(ip(address), 5432)).isEqualTo(allowed);
    }

    @Test
    void anIpv4MappedIpv6AddressIsTheIpv4Address() {
        assertThat(list("10.0.0.0/8").allowsAddress(ip("::ffff:10.1.2.3"), 5432)).isTrue();
    }

    @Test
    void addressEntriesWithAPortAllowThatPortOnly() {
        TargetAllowList list = list("10.0.0.5:5432", "[2001:db8::5]:6432");
        assertThat(list.allowsAddress(ip("10.0.0.5"), 5432)).isTrue();
        assertThat(list.allowsAddress(ip("10.0.0.5"), 5433)).isFalse();
        assertThat(list.allowsAddress(ip("2001:db8::5"), 6432)).isTrue();
        assertThat(list.allowsAddress(ip("2001:db8::5"), 5432)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "db1 .example.com", "*", "*.", "*example.com", "db*.example.com",
            "a.*.example.com", "db1..example.com", ".example.com", "-db.example.com", "db1.example.com:",
            "db1.example.com:0", "db1.example.com:65536", "db1.example.com:54a", "10.0.0.0/33", "10.0.0.1/16",
            "10.0.0.0/", "10.0.0.0/-1", "db1.example.com/24", "[10.0.0.0]/8", "2001:db8::/129", "2001:db8::1/32",
            "::1%eth0", "[::1", "[::1]:", "[::1]:99999", "[db1]:5432", "1:2:3", "10.0.0", "10.0.0.256",
            "010.0.0.1/8", "*.1", "db1.example.com:5432:5432", "ex\u00e4mple.com", "tab\there"})
    void invalidEntriesAreRefused(String entry) {
        assertThatThrownBy(() -> TargetAllowList.Entry.parse(entry)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void entriesBuiltDirectlyMustBeNormalized() {
        assertThatThrownBy(() -> new TargetAllowList.Entry.Name("DB1.example.com", java.util.Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TargetAllowList.Entry.Wildcard("example.com.", java.util.Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TargetAllowList.Entry.Name("db1", java.util.Optional.of(0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TargetAllowList.Entry.Network(ip("10.0.0.0"), 33, java.util.Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new TargetAllowList.Entry.Name("db1", java.util.Optional.of(5432)))
                .isEqualTo(TargetAllowList.Entry.parse("DB1.:5432"));
    }

    @Test
    void anEmptyListIsRefusedAndAnInvalidEntryIsNamedByIndex() {
        assertThatThrownBy(() -> TargetAllowList.parse(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> list("db1", "10.0.0.1/8"))
                .hasMessageStartingWith("entry #2: \"10.0.0.1/8\"")
                .hasMessageContaining("first address of the block");
    }

    @Test
    void entriesAreShownNormalized() {
        assertThat(list("DB1.Example.com.", "*.Prod.example.com:6432", "10.0.0.0/8", "[2001:DB8::5]:5432", "::1")
                .toString())
                .isEqualTo("[db1.example.com, *.prod.example.com:6432, 10.0.0.0/8, [2001:db8:0:0:0:0:0:5]:5432, "
                        + "0:0:0:0:0:0:0:1]");
    }

    /** A resolver with fixed answers that records every host it is asked for. */
    private static final class Answers implements HostResolver {
        final Map<String, List<InetAddress>> answers;
        final List<String> asked = new ArrayList<>();

        Answers(Map<String, List<InetAddress>> answers) {
            this.answers = answers;
        }

        @Override
        public List<InetAddress> resolve(String host) throws UnknownHostException {
            asked.add(host);
            List<InetAddress> a = answers.get(host);
            if (a == null) {
                throw new UnknownHostException("no such host");
            }
            return a;
        }
    }

    @Test
    void everyResolvedAddressMustBeAllowedWhenTheNameIsNot() {
        Answers dns = new Answers(Map.of(
                "inside.example.org", List.of(ip("10.0.0.5"), ip("10.0.1.5")),
                "straddling.example.org", List.of(ip("10.0.0.5"), ip("192.0.2.1"))));
        TargetAllowList list = list("10.0.0.0/16");
        ConnectionSpec inside = ConnectionSpec.parse("inside.example.org:5432");
        assertThat(list.admit(inside, dns)).isEqualTo(new TargetAllowList.Admission.Admitted(inside.pinnedTo(
                Map.of(new Endpoint("inside.example.org", 5432), List.of(ip("10.0.0.5"), ip("10.0.1.5"))))));
        assertThat(list.admit(ConnectionSpec.parse("straddling.example.org"), dns))
                .isInstanceOf(TargetAllowList.Admission.Refused.class);
        assertThat(dns.asked).containsExactly("inside.example.org", "straddling.example.org");
    }

    @Test
    void aNameEntryAdmitsWhateverTheNameResolvesToAndPinsIt() {
        Answers dns = new Answers(Map.of("db1.example.com", List.of(ip("192.0.2.7"))));
        TargetAllowList.Admission admission = list("db1.example.com").admit(ConnectionSpec.parse("db1.example.com"), dns);
        assertThat(admission).isInstanceOfSatisfying(TargetAllowList.Admission.Admitted.class, a ->
                assertThat(a.spec().pinned()).containsExactly(
                        Map.entry(new Endpoint("db1.example.com", 5432), List.of(ip("192.0.2.7")))));
    }

    @Test
    void anAllowedNameThatDoesNotResolveIsPinnedToNothingAndAnUnlistedOneIsRefused() {
        Answers dns = new Answers(Map.of());
        assertThat(list("db1.example.com").admit(ConnectionSpec.parse("db1.example.com"), dns))
                .isInstanceOfSatisfying(TargetAllowList.Admission.Admitted.class, a ->
                        assertThat(a.spec().pinned().values()).containsExactly(List.of()));
        assertThat(list("10.0.0.0/8").admit(ConnectionSpec.parse("db1.example.com"), dns))
                .isEqualTo(new TargetAllowList.Admission.Refused(
                        "the host could not be resolved to check it against the allowed targets"));
    }

    @Test
    void ipLiteralsAreNotResolvedAndReasonsNameNoAddress() {
        Answers dns = new Answers(Map.of());
        assertThat(list("10.0.0.0/8").admit(ConnectionSpec.parse("10.9.8.7:5433"), dns))
                .isInstanceOf(TargetAllowList.Admission.Admitted.class);
        TargetAllowList.Admission refused = list("10.0.0.0/8").admit(ConnectionSpec.parse("[2001:db8::1]:5432"), dns);
        assertThat(refused).isEqualTo(new TargetAllowList.Admission.Refused("the host is not in an allowed network"));
        assertThat(dns.asked).isEmpty();
    }

    @Test
    void everyHostOfAMultiHostTargetIsChecked() {
        Answers dns = new Answers(Map.of("a.prod.example.com", List.of(ip("10.0.0.1")),
                                         "b.staging.example.com", List.of(ip("10.0.0.2"))));
        TargetAllowList list = list("*.prod.example.com");
        TargetAllowList.Admission admission = list.admit(
                ConnectionSpec.parse("postgresql://a.prod.example.com:5432,b.staging.example.com:5433/app"), dns);
        assertThat(admission).isEqualTo(new TargetAllowList.Admission.Refused(
                "host #2 is not an allowed name and resolves to an address outside the allowed networks"));
    }

    @Test
    void theSecondAnswerOfARebindingResolverIsNeverUsed() {
        List<InetAddress> answers = new ArrayList<>(List.of(ip("127.0.0.1"), ip("192.0.2.66")));
        List<String> asked = new ArrayList<>();
        HostResolver rebinding = host -> {
            asked.add(host);
            return List.of(answers.removeFirst());
        };
        TargetAllowList.Admission admission = list("127.0.0.0/8").admit(ConnectionSpec.parse("rebind.invalid"), rebinding);
        assertThat(asked).containsExactly("rebind.invalid");
        assertThat(admission).isInstanceOfSatisfying(TargetAllowList.Admission.Admitted.class, a ->
                assertThat(a.spec().pinned().values()).containsExactly(List.of(ip("127.0.0.1"))));
        assertThat(list("127.0.0.0/8").admit(ConnectionSpec.parse("rebind.invalid"), rebinding))
                .isInstanceOf(TargetAllowList.Admission.Refused.class);
    }

    @Test
    void pinningSurvivesTheModuleMergeAndIsNeverRendered() {
        ConnectionSpec pinned = ConnectionSpec.parse("db1.example.com/app")
                .pinnedTo(Map.of(new Endpoint("db1.example.com", 5432), List.of(ip("192.0.2.44"))));
        ConnectionSpec merged = pinned.withAuthModule(new AuthModule("m",
                new Credentials.UserPass("u", Secret.of("pw")), Map.of("sslmode", "verify-full")));
        assertThat(merged.pinned()).isEqualTo(pinned.pinned());
        assertThat(merged.redacted()).doesNotContain("192.0.2.44");
        assertThat(merged).isNotEqualTo(merged.pinnedTo(Map.of(new Endpoint("db1.example.com", 5432),
                                                               List.of(ip("192.0.2.45")))));
        assertThatThrownBy(() -> merged.pinnedTo(Map.of(new Endpoint("other", 5432), List.of())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theModuleShowsItsTargetsButNoSecret() {
        AuthModule module = new AuthModule("m", new Credentials.UserPass("u", Secret.of("s3cr3t-pw")), Map.of(),
                                           java.util.Optional.of(list("*.prod.example.com", "10.0.0.0/8")));
        assertThat(module.toString()).contains("targets=[*.prod.example.com, 10.0.0.0/8]").doesNotContain("s3cr3t-pw");
    }

    @Test
    void theSystemResolverGivesUpOnASlowLookupWithAClearAnswer() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        SystemResolver resolver = new SystemResolver(Duration.ofMillis(50), host -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of();
        });
        try {
            assertThatThrownBy(() -> resolver.resolve("slow.example.com"))
                    .isInstanceOf(UnknownHostException.class)
                    .hasMessage("host name lookup took longer than 50 ms");
        } finally {
            never.countDown();
        }
        SystemResolver failing = new SystemResolver(Duration.ofSeconds(5), host -> {
            throw new UnknownHostException(host + ": secret-looking detail");
        });
        assertThatThrownBy(() -> failing.resolve("nx.example.com"))
                .isInstanceOf(UnknownHostException.class).hasMessage("host name lookup failed");
    }
}
