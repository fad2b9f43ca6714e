package io.pgvigil.http;

import io.pgvigil.dsn.ConnectionSpec;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@code /discovery} asks of the rest of the exporter when an auth module has {@code discovery: {databases:
 * true}}: the databases of one server. The application implements it on the connection pool; HTTP tests answer with
 * canned lists. The HTTP layer filters, caches and formats the answer.
 */
@FunctionalInterface
public interface ServerDatabases {
    /** Lists nothing: for routes set up without a database (every server then fails, with a reason). */
    ServerDatabases NONE = (server, timeout) -> new Listing.Failed("database discovery is not available");

    /**
     * Lists the databases of a server that accept connections and are not templates.
     *
     * @param server  the server with the auth module's credentials merged and, when the module has {@code targets},
     *                pinned to the addresses checked against them
     * @param timeout how long the answer may take, connection included
     * @return the names, or why there are none; never throws for a server that cannot be reached
     */
    Listing list(ConnectionSpec server, Duration timeout);

    /** The answer of {@link #list}. */
    sealed interface Listing {
        /** @param databases the names as the server has them */
        record Listed(List<String> databases) implements Listing {
            public Listed {
                databases = List.copyOf(databases);
            }
        }

        /** @param reason why, safe to log: no credential, no target text */
        record Failed(String reason) implements Listing {
            public Failed {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }
}
