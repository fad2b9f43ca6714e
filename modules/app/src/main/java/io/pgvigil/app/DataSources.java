package io.pgvigil.app;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.ConnectionSpec;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The default data source of {@code /metrics}, from the environment exactly as the reference exporter
 * reads it: {@code DATA_SOURCE_NAME} wins; otherwise {@code DATA_SOURCE_URI} (or {@code _FILE}) with
 * {@code DATA_SOURCE_USER}/{@code DATA_SOURCE_PASS} (each {@code _FILE} form wins over the plain one).
 */
final class DataSources {
    /** A data source the environment names but that cannot be used; the message is safe to log. */
    static final class DataSourceException extends RuntimeException {
        DataSourceException(String message) {
            super(message);
        }
    }

    private DataSources() {
    }

    /**
     * @param env the environment (System::getenv in production)
     * @return the data source, empty when none is configured ("probe-only" mode)
     * @throws DataSourceException when a {@code _FILE} cannot be read or the data source cannot be parsed
     */
    static Optional<ConnectionSpec> fromEnvironment(Function<String, String> env) {
        String dsn = env.apply("DATA_SOURCE_NAME");
        if (dsn != null && !dsn.isBlank()) {
            // Upstream splits on every comma and scrapes the first DSN with the collectors. Splitting only
            // where a new URL starts keeps multi-host URLs (postgresql://h1,h2/db) and key=value host
            // lists (host=h1,h2) intact.
            String first = dsn.split(",(?=\\s*postgres(ql)?://)", -1)[0].trim();
            return Optional.of(parse(first, "DATA_SOURCE_NAME"));
        }
        String uri = valueOrFile(env, "DATA_SOURCE_URI");
        if (uri == null || uri.isBlank()) {
            return Optional.empty();
        }
        ConnectionSpec spec = parse("postgresql://" + uri.trim(), "DATA_SOURCE_URI");
        String user = valueOrFile(env, "DATA_SOURCE_USER");
        String pass = valueOrFile(env, "DATA_SOURCE_PASS");
        if (user != null && !user.isEmpty()) {
            AuthModule credentials = new AuthModule("environment",
                    new Credentials.UserPass(user, Secret.of(pass == null ? "" : pass)), Map.of());
            spec = spec.withAuthModule(credentials);
        }
        return Optional.of(spec);
    }

    private static ConnectionSpec parse(String value, String variable) {
        try {
            return ConnectionSpec.parse(value);
        } catch (IllegalArgumentException e) {
            throw new DataSourceException(variable + ": " + e.getMessage());
        }
    }

    private static String valueOrFile(Function<String, String> env, String name) {
        String file = env.apply(name + "_FILE");
        if (file != null && !file.isEmpty()) {
            try {
                return Files.readString(Path.of(file)).trim();
            } catch (IOException | RuntimeException e) {
                throw new DataSourceException("Failed reading data sources: cannot read " + name + "_FILE " + file
                                              + ": " + e.getClass().getSimpleName());
            }
        }
        return env.apply(name);
    }
}
