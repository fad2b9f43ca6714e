package io.pgvigil.testkit;

import org.postgresql.replication.PGReplicationStream;

import java.sql.Connection;
import java.sql.SQLException;

/** A WAL sender opened by {@link PgServer#openWalStream(String)}. */
public final class WalStream implements AutoCloseable {
    private final Connection connection;
    private final PGReplicationStream stream;
    private final int pid;

    WalStream(Connection connection, PGReplicationStream stream, int pid) {
        this.connection = connection;
        this.stream = stream;
        this.pid = pid;
    }

    /** The process id of the WAL sender on the server ({@code pg_stat_replication.pid}). */
    public int pid() {
        return pid;
    }

    @Override
    public void close() {
        try {
            stream.close();
        } catch (SQLException ignored) {
            // the connection goes anyway
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // nothing left to do
        }
    }
}
