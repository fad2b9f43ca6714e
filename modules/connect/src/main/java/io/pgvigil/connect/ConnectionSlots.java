package io.pgvigil.connect;

/**
 * A server's connection slots, as it reports them: what a share of {@code --connection.server-budget} is taken of.
 *
 * @param maxConnections    {@code max_connections}
 * @param superuserReserved {@code superuser_reserved_connections}
 * @param reserved          {@code reserved_connections} (PostgreSQL 16 and later; 0 before)
 */
public record ConnectionSlots(int maxConnections, int superuserReserved, int reserved) {

    /** @return the slots an ordinary role can take: {@code max_connections} minus both reserves, never negative */
    public int available() {
        return Math.max(0, maxConnections - superuserReserved - reserved);
    }
}
