package io.pgvigil.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A reload retires the pool's connections only when it changed the auth modules. */
class ReloadRetiresConnectionsTest {
    private static String module(String password) {
        return """
                auth_modules:
                  app:
                    type: userpass
                    userpass:
                      username: monitor
                      password: %s
                    options:
                      sslmode: disable
                """.formatted(password);
    }

    @Test
    void onlyAChangeOfTheModulesRetiresConnections(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("postgres_exporter.yml");
        Files.writeString(file, module("first-Pa55"));
        ConfigState config = new ConfigState();
        Main.loadConfig(file, config);
        Service service = new Service(file, config, WebConfigFile.none());
        AtomicInteger retired = new AtomicInteger();
        service.onModulesChanged(retired::incrementAndGet);

        assertThat(service.reload().successful()).isTrue();
        assertThat(retired).hasValue(0);

        Files.writeString(file, module("second-Pa55"));
        assertThat(service.reload().successful()).isTrue();
        assertThat(retired).hasValue(1);

        Files.writeString(file, "auth_modules: [broken");
        assertThat(service.reload().successful()).isFalse();
        assertThat(retired).as("a broken file keeps the last good modules").hasValue(1);
    }
}
