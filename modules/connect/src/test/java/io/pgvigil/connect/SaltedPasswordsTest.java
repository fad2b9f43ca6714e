package io.pgvigil.connect;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.Security;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SCRAM salted-password cache: the same keys as the JDK's PBKDF2, found again only for the very same inputs, and
 * against a real server a second login derives nothing while a wrong or changed password still behaves as without it.
 */
class SaltedPasswordsTest {
    private static final long DEADLINE = Duration.ofSeconds(60).toNanos();
    private static final SaltedPasswords CACHE = SaltedPasswords.instance();

    private static PgServer pg;

    @BeforeAll
    static void server() {
        pg = PgServer.start(PgServer.majors().getLast());
        pg.createRole("salted", "Salted-One-7f2a");
        pg.hbaRule("salted", "scram-sha-256");
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void installed() {
        SaltedPasswords.install();
        CACHE.forget();
    }

    private static byte[] derive(String password, byte[] salt, int iterations) throws Exception {
        return SecretKeyFactory.getInstance(SaltedPasswords.ALGORITHM)
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
    }

    private static byte[] jdk(String password, byte[] salt, int iterations) throws Exception {
        return SecretKeyFactory.getInstance(SaltedPasswords.ALGORITHM, "SunJCE")
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
    }

    @Test
    void isTheFirstProviderOfTheAlgorithmAndInstallsOnce() throws Exception {
        SaltedPasswords.install();
        long ours = java.util.Arrays.stream(Security.getProviders()).filter(p -> p.getName().equals("pgvigil-scram")).count();
        assertThat(ours).isEqualTo(1);
        assertThat(SecretKeyFactory.getInstance(SaltedPasswords.ALGORITHM).getProvider().getName()).isEqualTo("pgvigil-scram");
    }

    @Test
    void givesTheJdksKeysAndDerivesEachInputOnce() throws Exception {
        byte[] salt = HexFormat.of().parseHex("a1b2c3d4e5f60718293a4b5c");
        long before = CACHE.derivations();
        byte[] first = derive("pässwörd", salt, 4096);
        byte[] second = derive("pässwörd", salt, 4096);
        assertThat(first).isEqualTo(jdk("pässwörd", salt, 4096)).isEqualTo(second);
        assertThat(CACHE.derivations() - before).isEqualTo(1);

        // Any other input is another entry, with the JDK's key for it.
        byte[] otherSalt = HexFormat.of().parseHex("a1b2c3d4e5f60718293a4b5d");
        assertThat(derive("pässwörd", otherSalt, 4096)).isEqualTo(jdk("pässwörd", otherSalt, 4096)).isNotEqualTo(first);
        assertThat(derive("pässwörd", salt, 4097)).isEqualTo(jdk("pässwörd", salt, 4097)).isNotEqualTo(first);
        assertThat(derive("passwörd", salt, 4096)).isEqualTo(jdk("passwörd", salt, 4096)).isNotEqualTo(first);
        assertThat(CACHE.derivations() - before).isEqualTo(4);
        assertThat(CACHE.kept()).isEqualTo(4);
    }

    @Test
    void keepsAtMostItsCapacityLeastRecentlyUsedFirstOut() throws Exception {
        byte[] salt = {1, 2, 3, 4};
        derive("p-0", salt, 1);
        for (int i = 1; i <= SaltedPasswords.CAPACITY; i++) {
            derive("p-" + i, salt, 1);
            derive("p-1", salt, 1); // kept in use: never the eldest
        }
        assertThat(CACHE.kept()).isEqualTo(SaltedPasswords.CAPACITY);
        long before = CACHE.derivations();
        derive("p-1", salt, 1);
        assertThat(CACHE.derivations()).isEqualTo(before);
        derive("p-0", salt, 1);
        assertThat(CACHE.derivations()).isEqualTo(before + 1);
    }

    @Test
    void refusesWhatTheJdkRefuses() {
        assertThatThrownBy(() -> SecretKeyFactory.getInstance(SaltedPasswords.ALGORITHM)
                .generateSecret(new PBEKeySpec("x".toCharArray())))
                .isInstanceOf(java.security.spec.InvalidKeySpecException.class);
    }

    private static String login(String password) {
        AuthModule module = new AuthModule("m", new Credentials.UserPass("salted", Secret.guarded(password)),
                                           Map.of("sslmode", "disable"));
        ConnectionSpec spec = ConnectionSpec.parseUntrusted("127.0.0.1:" + pg.port() + "/postgres").withAuthModule(module);
        try (Lease lease = ConnectionSource.fresh().lease(spec, System.nanoTime() + DEADLINE)) {
            assertThat(lease.server().version().number()).isPositive();
            return "ok";
        } catch (SQLException e) {
            assertThat(e.getMessage()).doesNotContain(password);
            return "refused";
        }
    }

    @Test
    void aSecondLoginDerivesNothingAndWrongOrChangedPasswordsStillFail() {
        long before = CACHE.derivations();
        assertThat(login("Salted-One-7f2a")).isEqualTo("ok");
        assertThat(CACHE.derivations() - before).isEqualTo(1);
        long hits = CACHE.hits();
        assertThat(login("Salted-One-7f2a")).isEqualTo("ok");
        assertThat(CACHE.derivations() - before).isEqualTo(1);
        assertThat(CACHE.hits() - hits).isEqualTo(1);

        assertThat(login("Salted-One-7f2b")).isEqualTo("refused");

        // A new password gets a new salt from the server: the old entry no longer matches either password.
        pg.createRole("salted", "Salted-Two-0c9d");
        try {
            assertThat(login("Salted-One-7f2a")).isEqualTo("refused");
            assertThat(login("Salted-Two-0c9d")).isEqualTo("ok");
            assertThat(login("Salted-Two-0c9d")).isEqualTo("ok");
        } finally {
            pg.createRole("salted", "Salted-One-7f2a");
        }
    }
}
