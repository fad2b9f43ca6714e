package io.pgvigil.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A config file {@code postgres_exporter.yml} in {@code dir} with one {@code userpass} module {@code prod} whose
 * further keys a test gives (indented by four spaces), for the tests of one module key.
 *
 * @param dir      where the file is written
 * @param password the module's password, which no error may contain
 */
record OneModuleFile(Path dir, String password) {

    Path file() {
        return dir.resolve("postgres_exporter.yml");
    }

    LoadResult load(String moduleKeys) throws IOException {
        Files.writeString(file(), """
                auth_modules:
                  prod:
                    type: userpass
                    userpass:
                      username: monitor
                      password: %s
                """.formatted(password) + moduleKeys);
        return ConfigLoader.load(file());
    }

    /** {@return the errors of a file that must be invalid; none of them contains the password} */
    List<String> errors(String moduleKeys) throws IOException {
        LoadResult result = load(moduleKeys);
        assertThat(result).isInstanceOf(LoadResult.Invalid.class);
        List<String> errors = ((LoadResult.Invalid) result).errors();
        assertThat(String.join("\n", errors)).doesNotContain(password);
        return errors;
    }
}
