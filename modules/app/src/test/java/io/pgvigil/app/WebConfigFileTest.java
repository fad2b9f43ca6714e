package io.pgvigil.app;

import io.helidon.common.tls.Tls;
import io.pgvigil.config.WebConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** Start-up and reload load the web config file through one method: same checks, same problems logged. */
class WebConfigFileTest {
    private static final String HASH = "$2a$10$jwEZ2MbUNnk5TKFKwxmlceALJhSK0IyNnAJGFh0/lO29kXZo9HERO";
    private static final Logger JUL = Logger.getLogger(WebConfigFile.class.getName());

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @TempDir
    Path dir;

    @BeforeEach
    void capture() {
        JUL.addHandler(handler);
    }

    @AfterEach
    void release() {
        JUL.removeHandler(handler);
    }

    /** {@return the {@code err} of every error line with the given message} */
    private List<String> errors(String message) {
        return records.stream().filter(r -> r.getLevel() == Level.SEVERE && r.getMessage().equals(message))
                .map(r -> String.valueOf(r.getParameters()[1])).toList();
    }

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("web.yml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void withoutAFileNothingIsReadAndNothingIsRequired() {
        WebConfigFile web = WebConfigFile.none();
        assertThat(web.load(WebConfigFile.Phase.START, Optional.empty())).isInstanceOf(WebConfigFile.Outcome.NoFile.class);
        assertThat(web.load(WebConfigFile.Phase.RELOAD, Optional.empty())).isInstanceOf(WebConfigFile.Outcome.NoFile.class);
        assertThat(web.get()).isEqualTo(WebConfig.none());
        assertThat(records).isEmpty();
    }

    @Test
    void anInvalidFileIsRejectedAndLoggedAlikeAtStartAndOnReload() throws Exception {
        Path file = write("tls_server_config:\n  cert_file: missing.crt\nbasic_auth_users:\n  someone: plaintext-password\n");
        WebConfigFile web = new WebConfigFile(Optional.of(file));
        WebConfigFile.Outcome atStart = web.load(WebConfigFile.Phase.START, Optional.empty());
        WebConfigFile.Outcome onReload = web.load(WebConfigFile.Phase.RELOAD, Optional.empty());

        assertThat(atStart).isEqualTo(onReload);
        assertThat(((WebConfigFile.Outcome.Rejected) atStart).reason())
                .startsWith("web config file " + file + " is invalid: ")
                .contains("tls_server_config.cert_file: cannot read", "tls_server_config.key_file: is required",
                          "basic_auth_users.someone: is not a bcrypt hash")
                .doesNotContain("plaintext-password");
        List<String> startErrors = errors("Error running HTTP server");
        assertThat(startErrors).hasSize(3).anyMatch(e -> e.contains("tls_server_config.cert_file: cannot read"));
        assertThat(errors("Error reloading web config; keeping the last good one")).isEqualTo(startErrors);
        assertThat(web.get()).isEqualTo(WebConfig.none());
    }

    @Test
    void aGoodFileIsAppliedAndABrokenReloadKeepsIt() throws Exception {
        Path file = write("basic_auth_users:\n  prometheus: " + HASH + "\n");
        WebConfigFile web = new WebConfigFile(Optional.of(file));
        WebConfigFile.Outcome started = web.load(WebConfigFile.Phase.START, Optional.empty());
        assertThat(started).isInstanceOfSatisfying(WebConfigFile.Outcome.Applied.class, a -> {
            assertThat(a.file()).isEqualTo(file);
            assertThat(a.tls()).isEmpty();
        });
        assertThat(web.get().basicAuthUsers()).containsOnlyKeys("prometheus");
        assertThat(records).extracting(LogRecord::getMessage).containsExactly("Loaded web config file");

        write("basic_auth_users:\n  scraper: not-a-hash\n");
        assertThat(web.load(WebConfigFile.Phase.RELOAD, Optional.empty())).isInstanceOf(WebConfigFile.Outcome.Rejected.class);
        assertThat(web.get().basicAuthUsers()).containsOnlyKeys("prometheus");

        write("basic_auth_users:\n  scraper: " + HASH + "\n");
        assertThat(web.load(WebConfigFile.Phase.RELOAD, Optional.empty())).isInstanceOf(WebConfigFile.Outcome.Applied.class);
        assertThat(web.get().basicAuthUsers()).containsOnlyKeys("scraper");
        assertThat(records).extracting(LogRecord::getMessage).endsWith("Completed loading of web config file");
    }

    @Test
    void tlsIsBuiltAtStartAndAReloadThatSwitchesItIsInForceOnlyOnceCommitted() throws Exception {
        WebConfigIT.keyPair(dir, "server");
        String tls = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";
        Path file = write(tls);
        assertThat(new WebConfigFile(Optional.of(file)).load(WebConfigFile.Phase.START, Optional.empty()))
                .isInstanceOfSatisfying(WebConfigFile.Outcome.Applied.class, a -> assertThat(a.tls()).isPresent());

        write("basic_auth_users:\n  prometheus: " + HASH + "\n");
        WebConfigFile plain = new WebConfigFile(Optional.of(file));
        assertThat(plain.load(WebConfigFile.Phase.START, Optional.empty())).isInstanceOf(WebConfigFile.Outcome.Applied.class);
        write(tls);
        List<Tls> swapped = new ArrayList<>();
        WebConfigFile.Outcome switching = plain.load(WebConfigFile.Phase.RELOAD, Optional.of(swapped::add));
        assertThat(switching).isInstanceOfSatisfying(WebConfigFile.Outcome.Switching.class, s -> {
            assertThat(s.file()).isEqualTo(file);
            assertThat(s.tls()).isPresent();
            assertThat(s.config().basicAuthUsers()).isEmpty();
        });
        // nothing is in force before the listeners are rebuilt: a running listener cannot take TLS
        assertThat(swapped).isEmpty();
        assertThat(plain.get().tls()).isEmpty();
        assertThat(plain.get().basicAuthUsers()).containsOnlyKeys("prometheus");

        plain.commit((WebConfigFile.Outcome.Switching) switching);
        assertThat(plain.get().tls()).isPresent();
        assertThat(plain.get().basicAuthUsers()).isEmpty();

        // and back off: again a switch, not a swap
        write("basic_auth_users:\n  prometheus: " + HASH + "\n");
        assertThat(plain.load(WebConfigFile.Phase.RELOAD, Optional.of(swapped::add)))
                .isInstanceOfSatisfying(WebConfigFile.Outcome.Switching.class, s -> assertThat(s.tls()).isEmpty());
        assertThat(swapped).isEmpty();
        assertThat(plain.get().tls()).isPresent();
    }

    @Test
    void inlinePemIsBuiltIntoTheTlsContextAndABrokenOneIsRejectedWithoutItsText() throws Exception {
        WebConfigIT.keyPair(dir, "server");
        String cert = Files.readString(dir.resolve("server.crt")).strip().indent(4);
        String key = Files.readString(dir.resolve("server.key")).strip().indent(4);
        Path file = write("tls_server_config:\n  cert: |\n" + cert + "  key: |\n" + key + "  client_ca: |\n" + cert);
        assertThat(new WebConfigFile(Optional.of(file)).load(WebConfigFile.Phase.START, Optional.empty()))
                .isInstanceOfSatisfying(WebConfigFile.Outcome.Applied.class, a -> assertThat(a.tls()).isPresent());

        String body = key.lines().filter(l -> !l.contains("-----")).findFirst().orElseThrow().strip();
        String broken = key.replace(body, "A" + body.substring(1, body.length() - 8) + "AAAAAAAA");
        write("tls_server_config:\n  cert: |\n" + cert + "  key: |\n" + broken);
        WebConfigFile.Outcome rejected = new WebConfigFile(Optional.of(file)).load(WebConfigFile.Phase.START, Optional.empty());
        assertThat(rejected).isInstanceOfSatisfying(WebConfigFile.Outcome.Rejected.class, r -> assertThat(r.reason())
                .contains("cannot set up TLS from inline tls_server_config.cert and inline tls_server_config.key")
                .doesNotContain(body.substring(8, 40)));
    }
}
