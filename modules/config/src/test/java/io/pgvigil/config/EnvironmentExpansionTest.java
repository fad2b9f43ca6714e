package io.pgvigil.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.Credentials;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ${VAR}} in userpass fields and option values, from an injected environment. */
class EnvironmentExpansionTest {
    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();

    private LoadResult load(String yaml) throws IOException {
        Path file = dir.resolve("postgres_exporter.yml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(file, Environment.of(env));
    }

    private static String module(String username, String password, String option) {
        return """
                auth_modules:
                  app:
                    type: userpass
                    userpass:
                      username: %s
                      password: %s
                    options:
                      application_name: %s
                """.formatted(username, password, option);
    }

    private AuthModule app(LoadResult result) {
        assertThat(result).isInstanceOf(LoadResult.Loaded.class);
        return result.config().modules().get("app");
    }

    private List<String> errors(LoadResult result) {
        assertThat(result).isInstanceOf(LoadResult.Invalid.class);
        return ((LoadResult.Invalid) result).errors();
    }

    @Test
    void variablesAreExpandedInUserpassAndOptions() throws IOException {
        env.put("DB_USER", "monitor");
        env.put("DB_PASSWORD", "Pa55-from-env");
        env.put("APP", "vigil");

        AuthModule module = app(load(module("${DB_USER}", "${DB_PASSWORD}", "pg-${APP}-${APP}")));

        Credentials.UserPass userPass = (Credentials.UserPass) module.credentials();
        assertThat(userPass.username()).isEqualTo("monitor");
        assertThat(userPass.password().reveal()).isEqualTo("Pa55-from-env");
        assertThat(module.options()).containsEntry("application_name", "pg-vigil-vigil");
    }

    @Test
    void theUpstreamKubernetesExampleWorksUnquoted() throws IOException {
        env.put("DB_PASSWORD", "k8s-Secret");
        Path file = dir.resolve("k8s.yml");
        Files.writeString(file, """
                auth_modules:
                  k8s:
                    type: userpass
                    userpass:
                      username: postgres
                      password: ${DB_PASSWORD}
                """);
        LoadResult result = ConfigLoader.load(file, Environment.of(env));
        assertThat(((Credentials.UserPass) result.config().modules().get("k8s").credentials()).password().reveal())
                .isEqualTo("k8s-Secret");
    }

    @Test
    void doubleDollarIsALiteral() throws IOException {
        env.put("X", "never-used");
        AuthModule module = app(load(module("mon$${X}", "'a$$${X}b$c$$d'", "$${X}")));

        Credentials.UserPass userPass = (Credentials.UserPass) module.credentials();
        assertThat(userPass.username()).isEqualTo("mon${X}");
        // "$$${X}" is a kept "$" and then the literal "$${"; a "$" without "{" stays.
        assertThat(userPass.password().reveal()).isEqualTo("a$${X}b$c$$d");
        assertThat(module.options()).containsEntry("application_name", "${X}");
    }

    @Test
    void aDollarBeforeTheLiteralIsKept() throws IOException {
        AuthModule module = app(load(module("monitor", "'p$$${'", "x")));
        assertThat(((Credentials.UserPass) module.credentials()).password().reveal()).isEqualTo("p$${");
    }

    @Test
    void anUnsetVariableNamesKeyAndVariableButNoValue() throws IOException {
        env.put("DB_USER", "monitor-user-value");
        List<String> errors = errors(load(module("${DB_USER}", "${DB_PASSWORD}", "${MISSING_APP}")));

        assertThat(errors).containsExactly(
                dir.resolve("postgres_exporter.yml") + ": auth_modules.app.userpass.password: environment variable "
                + "\"DB_PASSWORD\" is not set",
                dir.resolve("postgres_exporter.yml") + ": auth_modules.app.options.application_name: environment "
                + "variable \"MISSING_APP\" is not set");
        assertThat(String.join("\n", errors)).doesNotContain("monitor-user-value");
    }

    @Test
    void malformedReferencesAreErrors() throws IOException {
        for (String bad : List.of("'${'", "'${}'", "'${1X}'", "'${A-B}'", "'pre${OPEN'")) {
            List<String> errors = errors(load(module("monitor", bad, "x")));
            assertThat(errors).as(bad).singleElement().asString()
                    .contains("auth_modules.app.userpass.password: malformed variable reference");
        }
    }

    @Test
    void anEmptyVariableIsAnEmptyPassword() throws IOException {
        env.put("EMPTY", "");
        assertThat(errors(load(module("monitor", "${EMPTY}", "x"))))
                .containsExactly(dir.resolve("postgres_exporter.yml") + ": auth_modules.app.userpass.password: must not be empty");
    }

    @Test
    void valuesAreNotExpandedTwiceAndOtherKeysAreLeftAlone() throws IOException {
        env.put("OUTER", "${INNER}");
        env.put("INNER", "wrong");
        AuthModule module = app(load("""
                auth_modules:
                  app:
                    type: userpass
                    userpass:
                      username: monitor
                      password: ${OUTER}
                """));
        assertThat(((Credentials.UserPass) module.credentials()).password().reveal()).isEqualTo("${INNER}");
    }

    @Test
    void theValueOfAVariableNeverAppearsInTheModuleRendering() throws IOException {
        env.put("DB_PASSWORD", "Env-Secret-42");
        AuthModule module = app(load(module("monitor", "${DB_PASSWORD}", "x")));
        assertThat(module.toString()).doesNotContain("Env-Secret-42");
        assertThat(ConfigLoader.summary(module)).doesNotContain("Env-Secret-42");
    }
}
