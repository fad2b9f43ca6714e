package io.pgvigil.app;

import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code targets:} in the jlinked image, where pgjdbc is a named module: the pinned socket factory is instantiated by
 * pgjdbc there, a target outside the list is a 403, and a module without targets is warned about at start and reload.
 */
class ImageAllowListIT {
    private static final String PASSWORD = "Im4ge-All0w-pw";

    private static String config(String openModule) {
        return """
                auth_modules:
                  pinned:
                    type: userpass
                    userpass:
                      username: pgvigil_image_allow
                      password: %s
                    options:
                      sslmode: disable
                      dbname: postgres
                    targets: [localhost, 127.0.0.0/8]
                """.formatted(PASSWORD) + openModule;
    }

    private static final String OPEN = """
              open:
                type: userpass
                userpass:
                  username: pgvigil_image_allow
                  password: %s
            """.formatted(PASSWORD);

    private static int count(String text, String part) {
        return (int) Pattern.compile(Pattern.quote(part)).matcher(text).results().count();
    }

    private static void awaitCount(ImageProcess image, String part, int count) throws Exception {
        for (int i = 0; i < 600 && count(image.log(), part) < count; i++) {
            Thread.sleep(50);
        }
        assertThat(count(image.log(), part)).as(part).isEqualTo(count);
    }

    @Test
    void pinnedProbesWorkInTheImageAndOutsidersAre403(@TempDir Path dir) throws Exception {
        PgServer pg = PgServer.shared(PgServer.majors().getLast());
        pg.createRole("pgvigil_image_allow", PASSWORD, "IN ROLE pg_monitor");
        Path config = dir.resolve("postgres_exporter.yml");
        Files.writeString(config, config(OPEN));
        try (ImageProcess image = ImageProcess.start(dir, Map.of(), "--config.file=" + config)) {
            for (String host : new String[] {"localhost", "127.0.0.1"}) {
                HttpResponse<String> res = image.get("/probe?target=" + host + "%3A" + pg.port() + "&auth_module=pinned");
                assertThat(res.statusCode()).as(host).isEqualTo(200);
                assertThat(res.body()).as(host).contains("\npg_up 1\n");
            }
            HttpResponse<String> outside = image.get("/probe?target=192.0.2.1%3A" + pg.port() + "&auth_module=pinned");
            assertThat(outside.statusCode()).isEqualTo(403);
            assertThat(outside.body()).isEqualTo("target is not in the targets allowed for auth_module pinned\n");

            String warning = "level=warn source=Main msg=\"auth module has no targets";
            image.awaitLog("msg=\"Listening on\"", 30);
            assertThat(count(image.log(), warning)).isEqualTo(1);
            assertThat(image.log()).contains("module=pinned", "targets=localhost,127.0.0.0/8");
            // A reload logs the modules again: one more warning for the module without targets.
            image.signal("HUP");
            awaitCount(image, "msg=\"Loaded config file\"", 2);
            assertThat(count(image.log(), warning)).isEqualTo(2);
            Files.writeString(config, config(""));
            image.signal("HUP");
            awaitCount(image, "msg=\"Loaded config file\"", 3);
            assertThat(count(image.log(), warning)).isEqualTo(2);
            assertThat(image.log()).doesNotContain(PASSWORD);
        }
    }
}
