package io.pgvigil.dsn;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A target from an HTTP request may not set server options; the operator's configuration may. */
class UntrustedTargetTest {
    private static final String REFUSED = "invalid target: parameter \"options\" is only accepted in an auth module's options";

    @Test
    void optionsInAnyTargetFormIsRefused() {
        for (String target : List.of("db:5432/x?options=-c%20search_path%3Devil,pg_catalog",
                                     "postgresql://u:S3cret-pw@db:5432/x?sslmode=disable&options=-c%20search_path%3Devil",
                                     "host=db port=5432 dbname=x options='-c search_path=evil'",
                                     "db/x?options=")) {
            assertThatThrownBy(() -> ConnectionSpec.parseUntrusted(target)).as(target)
                    .isInstanceOf(TargetException.class)
                    .hasMessage(REFUSED);
        }
    }

    @Test
    void everythingElseParsesAsFromTheConfiguration() {
        for (String target : List.of("db:5432/x", "postgresql://u:S3cret-pw@db:5432/x?sslmode=disable&application_name=a",
                                     "host=db port=5432 dbname=x connect_timeout=3")) {
            assertThat(ConnectionSpec.parseUntrusted(target)).as(target).isEqualTo(ConnectionSpec.parse(target));
        }
    }

    @Test
    void theOperatorsTargetsAndModulesMaySetOptions() {
        ConnectionSpec fromConfig = ConnectionSpec.parse("host=db dbname=x options='-c search_path=public'");
        assertThat(fromConfig.parameters()).containsEntry("options", "-c search_path=public");
        AuthModule module = new AuthModule("m", new Credentials.UserPass("u", Secret.of("S3cret-pw")),
                                           Map.of("options", "-c work_mem=4MB"));
        assertThat(ConnectionSpec.parseUntrusted("db/x").withAuthModule(module).parameters())
                .containsEntry("options", "-c work_mem=4MB");
    }

    @Test
    void otherErrorsAreTheSameAsParse() {
        for (String target : List.of("", "db:notaport/x", "postgresql://u:S3cret-pw@db:5432/x?nosuchparam=1")) {
            Throwable untrusted = org.assertj.core.api.Assertions.catchThrowable(() -> ConnectionSpec.parseUntrusted(target));
            Throwable trusted = org.assertj.core.api.Assertions.catchThrowable(() -> ConnectionSpec.parse(target));
            assertThat(untrusted).as(target).isInstanceOf(TargetException.class).hasMessage(trusted.getMessage());
            assertThat(untrusted.getMessage()).doesNotContain("S3cret-pw");
        }
    }
}
