package io.pgvigil.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** What reading the custom-queries file gave: the file, or every problem found, each naming file, key and line. */
public sealed interface UserQueriesResult permits UserQueriesResult.Loaded, UserQueriesResult.Failed {

    /** {@return the file, as given} */
    Path file();

    /**
     * The file was read and is valid.
     *
     * @param queries what it holds
     */
    record Loaded(UserQueriesFile queries) implements UserQueriesResult {
        public Loaded {
            Objects.requireNonNull(queries, "queries");
        }

        @Override
        public Path file() {
            return queries.file();
        }
    }

    /**
     * The file is missing, unreadable or not valid.
     *
     * @param file   the file
     * @param sha256 the SHA-256 of its bytes, empty when it could not be read (as upstream's {@code hashsum})
     * @param errors one message per problem: {@code <file>: <key path>: <what> (line L)}; never empty
     */
    record Failed(Path file, String sha256, List<String> errors) implements UserQueriesResult {
        public Failed {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(sha256, "sha256");
            errors = List.copyOf(errors);
            if (errors.isEmpty()) {
                throw new IllegalArgumentException("a failed load needs at least one error");
            }
        }
    }
}
