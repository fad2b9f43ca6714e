package io.pgvigil.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where {@code ${VAR}} references in the config file are looked up: the process environment in production, a
 * map in tests (a JVM cannot change its own environment, so a reload test needs this seam).
 */
@FunctionalInterface
public interface Environment {
    /**
     * Looks a variable up.
     *
     * @param name the variable name
     * @return its value, empty when it is not set
     */
    Optional<String> lookup(String name);

    /** {@return the process environment ({@link System#getenv(String)})} */
    static Environment system() {
        return name -> Optional.ofNullable(System.getenv(name));
    }

    /**
     * An environment backed by a map, read at each lookup (so a test may change the map between loads).
     *
     * @param variables name to value
     * @return the environment
     */
    static Environment of(Map<String, String> variables) {
        Objects.requireNonNull(variables, "variables");
        return name -> Optional.ofNullable(variables.get(name));
    }
}
