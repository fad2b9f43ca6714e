package io.pgvigil.connect;

import io.pgvigil.dsn.ConnectionSpec;

import java.sql.Connection;

/** A connection the {@link ConnectionPool} opened, with what it was opened for and what it counts against. */
final class PooledConnection {
    /** The target it was opened for, without a budget: the key of {@link IdleConnections}. */
    final ConnectionSpec spec;
    /** The server it counts against. */
    final ServerAccounts.Account account;
    final Connection connection;
    final ServerInfo server;
    /** The pool's generation when it was opened: an older one is closed instead of being kept. */
    final long generation;
    /** {@link System#nanoTime()} when it was last given back. */
    long idleSince;

    PooledConnection(ConnectionSpec spec, ServerAccounts.Account account, Connection connection, ServerInfo server,
                     long generation) {
        this.spec = spec;
        this.account = account;
        this.connection = connection;
        this.server = server;
        this.generation = generation;
    }
}
