package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionBudget;

import java.time.Duration;
import java.util.Objects;

/**
 * How the pool of {@link ConnectionSource#pooled(PoolOptions)} behaves.
 *
 * @param maxOpen     {@code --connection.max-open}: the most connections open at once, over all targets (never exceeded)
 * @param idleTimeout {@code --connection.idle-timeout}: a connection unused this long is closed
 * @param lockTimeout {@code --connection.lock-timeout}: the sessions' {@code lock_timeout}
 * @param serverBudget {@code --connection.server-budget}: the most connections open at once to one server, for the
 *                    targets whose auth module sets no {@code connection_budget}
 */
public record PoolOptions(int maxOpen, Duration idleTimeout, Duration lockTimeout, ConnectionBudget serverBudget) {
    public PoolOptions {
        Objects.requireNonNull(serverBudget, "serverBudget");
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

    /** Options with the default server budget ({@link ConnectionBudget#DEFAULT}, 5%). */
    public PoolOptions(int maxOpen, Duration idleTimeout, Duration lockTimeout) {
        this(maxOpen, idleTimeout, lockTimeout, ConnectionBudget.DEFAULT);
    }

    /** @return 100 connections, 5% of each server's slots, two minutes idle, a one-second lock timeout */
    public static PoolOptions defaults() {
        return new PoolOptions(100, Duration.ofMinutes(2), SessionDefaults.DEFAULT_LOCK_TIMEOUT, ConnectionBudget.DEFAULT);
    }
}
