package io.pgvigil.dsn;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret value (a password). Its {@link #toString()} never shows the value, so a secret that ends up
 * in a log line, an exception message or a generated record {@code toString} stays masked.
 *
 * <p>A secret is either plain ({@link #of}) or <em>guarded</em> ({@link #guarded}): a password stored in the
 * exporter's configuration for an auth module, which pgvigil never sends in clear text (authentication method
 * {@code password}) to a server it has not verified. The guard travels with the value through the merge into a
 * target ({@link ConnectionSpec#withAuthModule}), which lifts it when the module allows cleartext explicitly, and is
 * enforced where driver properties are made ({@link ConnectionSpec#driverProperties()}). Equality ignores the guard:
 * it restricts how a new session authenticates, not which session may be reused.
 */
public final class Secret {
    /** What every secret renders as. */
    public static final String MASK = "******";

    private final String value;
    private final boolean guarded;

    private Secret(String value, boolean guarded) {
        this.value = value;
        this.guarded = guarded;
    }

    /**
     * Wraps a value.
     *
     * @param value the secret, may be empty, never {@code null}
     * @return the secret
     */
    public static Secret of(String value) {
        return new Secret(Objects.requireNonNull(value, "value"), false);
    }

    /**
     * Wraps a stored password that must not be sent in clear text to an unverified server.
     *
     * @param value the secret, may be empty, never {@code null}
     * @return the guarded secret
     */
    public static Secret guarded(String value) {
        return new Secret(Objects.requireNonNull(value, "value"), true);
    }

    /** @return whether this secret is refused to servers that ask for it in clear text without verified TLS */
    public boolean isGuarded() {
        return guarded;
    }

    /** The same value without the guard, for an auth module that allows cleartext explicitly. */
    Secret unguarded() {
        return guarded ? new Secret(value, false) : this;
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
