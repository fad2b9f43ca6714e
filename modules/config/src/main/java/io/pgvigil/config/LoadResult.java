package io.pgvigil.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What loading the config file gave. Only {@link Loaded} counts as a successful load (it drives
 * {@code postgres_exporter_config_last_reload_successful}); in the other cases the exporter still
 * serves, with no auth modules.
 */
public sealed interface LoadResult permits LoadResult.Loaded, LoadResult.Missing, LoadResult.Invalid {

    /** {@return the file that was read, as given} */
    Path file();

    /** {@return the auth modules to use: the file's, or none if it was missing or invalid} */
    default AuthConfig config() {
        return AuthConfig.empty();
    }

    /** {@return whether the file was read and is valid} */
    default boolean successful() {
        return false;
    }

    /** {@return a one-line summary for the log that names the file and never shows a secret} */
    String describe();

    /**
     * The file was read and is valid.
     *
     * @param file   the file
     * @param config its auth modules
     */
    record Loaded(Path file, AuthConfig config) implements LoadResult {
        public Loaded {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(config, "config");
        }

        @Override
        public boolean successful() {
            return true;
        }

        @Override
        public String describe() {
            int count = config.modules().size();
            if (count == 0) {
                return "loaded config file " + file + ": no auth modules";
            }
            return "loaded config file " + file + ": " + count + (count == 1 ? " auth module (" : " auth modules (")
                    + String.join(", ", config.modules().keySet()) + ")";
        }
    }

    /**
     * The file does not exist. Upstream logs a warning and runs with no auth modules.
     *
     * @param file the file
     */
    record Missing(Path file) implements LoadResult {
        public Missing {
            Objects.requireNonNull(file, "file");
        }

        @Override
        public String describe() {
            return "config file " + file + " not found; running without auth modules";
        }
    }

    /**
     * The file exists but cannot be read or is not valid. The exporter logs the errors and runs with no
     * auth modules.
     *
     * @param file   the file
     * @param errors one message per problem, each naming the file; never empty, never shows a secret
     */
    record Invalid(Path file, List<String> errors) implements LoadResult {
        public Invalid {
            Objects.requireNonNull(file, "file");
            errors = List.copyOf(errors);
            if (errors.isEmpty()) {
                throw new IllegalArgumentException("an invalid result needs at least one error");
            }
        }

        @Override
        public String describe() {
            int count = errors.size();
            return "config file " + file + " is invalid (" + count + (count == 1 ? " error" : " errors")
                    + "); running without auth modules";
        }
    }
}
