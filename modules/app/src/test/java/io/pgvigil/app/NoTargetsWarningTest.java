package io.pgvigil.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** One WARN per auth module without {@code targets}, at start and on every reload; none for a module with them. */
class NoTargetsWarningTest {
    private static final String PASSWORD = "N0-T4rgets-pw";

    private static String file(boolean openModule) {
        return """
                auth_modules:
                  listed:
                    type: userpass
                    userpass: {username: monitor, password: %s}
                    targets: [db1.example.com]
                """.formatted(PASSWORD) + (openModule ? """
                  open:
                    type: userpass
                    userpass: {username: monitor, password: %s}
                """.formatted(PASSWORD) : "");
    }

    @Test
    void aModuleWithoutTargetsIsWarnedAboutAtLoadAndReload(@TempDir Path dir) throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        List<String> all = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                String line = r.getMessage() + " " + Arrays.toString(r.getParameters());
                all.add(line);
                if (r.getLevel() == Level.WARNING) {
                    warnings.add(line);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        Level previous = root.getLevel();
        root.setLevel(Level.ALL);
        root.addHandler(handler);
        try {
            Path path = dir.resolve("postgres_exporter.yml");
            Files.writeString(path, file(true));
            ConfigState config = new ConfigState();
            Main.loadConfig(path, config);
            assertThat(warnings).singleElement().satisfies(w -> assertThat(w)
                    .startsWith("auth module has no targets").contains("open").doesNotContain("listed"));
            Service service = new Service(path, config, WebConfigFile.none());
            assertThat(service.reload().successful()).isTrue();
            assertThat(warnings).hasSize(2);
            Files.writeString(path, file(false));
            assertThat(service.reload().successful()).isTrue();
            assertThat(warnings).hasSize(2);
            assertThat(all).anySatisfy(l -> assertThat(l).contains("Configured auth module", "listed", "db1.example.com"));
            assertThat(all).noneMatch(l -> l.contains(PASSWORD));
        } finally {
            root.removeHandler(handler);
            root.setLevel(previous);
        }
    }
}
