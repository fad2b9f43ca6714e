package io.pgvigil.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** {@link ConfigLoader#summary(AuthModule)}, the per-module startup log line. */
class SummaryTest {
    private static AuthModule module(String name, String user, Map<String, String> options) {
        return new AuthModule(name, new Credentials.UserPass(user, Secret.of("s3cret")), options);
    }

    @Test
    void summaryShowsTypeUserAndSortedOptions() {
        AuthModule m = module("prod_db", "monitor", Map.of("sslmode", "disable", "application_name", "pgvigil"));

        assertThat(ConfigLoader.summary(m))
                .isEqualTo("type=userpass user=monitor options=\"application_name=pgvigil,sslmode=disable\"");
    }

    @Test
    void summaryMasksSecretOptions() {
        AuthModule m = module("m", "monitor", Map.of("sslpassword", "keypass", "password", "pw", "PassWord", "pw2",
                "sslmode", "verify-full"));

        assertThat(ConfigLoader.summary(m))
                .isEqualTo("type=userpass user=monitor options=\"PassWord=******,password=******,sslmode=verify-full,"
                        + "sslpassword=******\"");
    }

    @Test
    void summaryQuotesUnusualValues() {
        AuthModule m = module("m", "stage \"monitor\"", Map.of("application_name", "a\"b"));

        assertThat(ConfigLoader.summary(m))
                .isEqualTo("type=userpass user=\"stage \\\"monitor\\\"\" options=\"application_name=a\\\"b\"");
        assertThat(ConfigLoader.summary(module("m", "u", Map.of()))).isEqualTo("type=userpass user=u options=\"\"");
    }

    @Test
    void summaryQuotesLikeTheProblemMessagesButNeverCuts() {
        String longName = "x".repeat(100);
        assertThat(ConfigLoader.summary(module("m", "a\u0001b\tc", Map.of("application_name", longName))))
                .isEqualTo("type=userpass user=\"a\\u0001b\\tc\" options=\"application_name=" + longName + "\"");
        assertThat(Problems.quote(longName)).isEqualTo("\"" + "x".repeat(64) + "...\"");
    }
}
