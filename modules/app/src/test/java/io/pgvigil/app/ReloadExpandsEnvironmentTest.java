package io.pgvigil.app;

import io.pgvigil.config.Environment;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.http.Lifecycle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ${VAR}} is expanded again on every reload, from the environment the state was given. */
class ReloadExpandsEnvironmentTest {
    @Test
    void aReloadSeesTheChangedEnvironment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("postgres_exporter.yml");
        Files.writeString(file, """
                auth_modules:
                  app:
                    type: userpass
                    userpass:
                      username: monitor
                      password: ${DB_PASSWORD}
                """);
        Map<String, String> env = new HashMap<>(Map.of("DB_PASSWORD", "first-Pa55"));
        ConfigState config = new ConfigState(Environment.of(env));
        Main.loadConfig(file, config);
        Service service = new Service(file, config, WebConfigFile.none());
        AtomicInteger retired = new AtomicInteger();
        service.onModulesChanged(retired::incrementAndGet);
        assertThat(password(config)).isEqualTo("first-Pa55");

        env.put("DB_PASSWORD", "second-Pa55");
        assertThat(service.reload().successful()).isTrue();
        assertThat(password(config)).isEqualTo("second-Pa55");
        assertThat(retired).as("a changed variable is a changed module").hasValue(1);

        env.remove("DB_PASSWORD");
        Lifecycle.ReloadOutcome outcome = service.reload();
        assertThat(outcome.successful()).isFalse();
        assertThat(outcome.message()).contains("auth_modules.app.userpass.password", "\"DB_PASSWORD\" is not set")
                .doesNotContain("second-Pa55");
        assertThat(password(config)).as("an unset variable keeps the last good modules").isEqualTo("second-Pa55");
        assertThat(config.lastLoadSuccessful()).isFalse();
        assertThat(retired).hasValue(1);
    }

    private static String password(ConfigState config) {
        return ((Credentials.UserPass) config.get().modules().get("app").credentials()).password().reveal();
    }
}
