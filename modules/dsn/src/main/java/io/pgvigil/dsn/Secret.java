package io.pgvigil.dsn;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret value (a password). Its {@link #toString()} never shows the value, so a secret that ends up
 * in a log line, an exception message or a generated record {@code toString} stays masked.
 */
public final class Secret {
    /** What every secret renders as. */
    public static final String MASK = "******";

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /**
     * Wraps a value.
     *
     * @param value the secret, may be empty, never {@code null}
     * @return the secret
     */
    public static Secret of(String value) {
        return new Secret(Objects.requireNonNull(value, "value"));
    }

    /**
     * The clear value, for the one place that must hand it to the driver.
     *
     * @return the value
     */
    public String reveal() {
        return value;
    }

    /** @return whether the secret is the empty string */
    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other
                && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                                         other.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return MASK;
    }
}
