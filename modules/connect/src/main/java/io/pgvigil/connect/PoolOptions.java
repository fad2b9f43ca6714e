package io.pgvigil.connect;

import java.time.Duration;

/**
 * How the pool of {@link ConnectionSource#pooled(PoolOptions)} behaves.
 *
 * @param maxOpen     {@code --connection.max-open}: the most connections open at once, over all targets (never exceeded)
 * @param idleTimeout {@code --connection.idle-timeout}: a connection unused this long is closed
 * @param lockTimeout {@code --connection.lock-timeout}: the sessions' {@code lock_timeout}
 */
public record PoolOptions(int maxOpen, Duration idleTimeout, Duration lockTimeout) {
    public PoolOptions {
        if (maxOpen < 1) {
            throw new IllegalArgumentException("--connection.max-open must be at least 1");
        }
        if (idleTimeout.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("--connection.idle-timeout must be at least 1ms");
        }
        if (lockTimeout.isNegative()) {
            throw new IllegalArgumentException("--connection.lock-timeout must not be negative");
        }
    }

    /** @return 100 connections, two minutes idle, a one-second lock timeout */
    public static PoolOptions defaults() {
        return new PoolOptions(100, Duration.ofMinutes(2), SessionDefaults.DEFAULT_LOCK_TIMEOUT);
    }
}
