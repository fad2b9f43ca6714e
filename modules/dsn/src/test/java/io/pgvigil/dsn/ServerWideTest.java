package io.pgvigil.dsn;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The spellings of {@link ServerWide} and which target is the server target. */
class ServerWideTest {

    @Test
    void spellingsAreExact() {
        assertThat(ServerWide.parse("once")).contains(ServerWide.ONCE);
        assertThat(ServerWide.parse("every-target")).contains(ServerWide.EVERY_TARGET);
        assertThat(ServerWide.parse("ONCE")).isEmpty();
        assertThat(ServerWide.parse("every_target")).isEmpty();
        assertThat(ServerWide.parse("")).isEmpty();
        assertThat(ServerWide.spellings()).containsExactly("every-target", "once");
    }

    @Test
    void theServerTargetNamesNoDatabaseOrTheMaintenanceDatabase() {
        assertThat(ServerWide.serverTarget(ConnectionSpec.parse("db.example:5432"))).isTrue();
        assertThat(ServerWide.serverTarget(ConnectionSpec.parse("postgresql://u@db.example:5432/postgres"))).isTrue();
        assertThat(ServerWide.serverTarget(ConnectionSpec.parse("host=db.example dbname=postgres"))).isTrue();
        assertThat(ServerWide.serverTarget(ConnectionSpec.parse("postgresql://u@db.example:5432/app"))).isFalse();
        assertThat(ServerWide.serverTarget(ConnectionSpec.parse("host=db.example dbname=Postgres"))).isFalse();
        assertThat(ServerWide.serverTarget(ConnectionSpec.parse("host=db.example dbname=template1"))).isFalse();
    }

    @Test
    void aModulesDbnameCounts() {
        AuthModule app = new AuthModule("app", new Credentials.UserPass("u", Secret.of("p")), Map.of("dbname", "app"));
        ConnectionSpec merged = ConnectionSpec.parse("db.example:5432").withAuthModule(app);
        assertThat(ServerWide.serverTarget(merged)).isFalse();
        assertThat(ServerWide.ONCE.exportsServerWide(merged)).isFalse();
        assertThat(ServerWide.EVERY_TARGET.exportsServerWide(merged)).isTrue();
        assertThat(ServerWide.ONCE.exportsServerWide(ConnectionSpec.parse("db.example:5432"))).isTrue();
    }
}
