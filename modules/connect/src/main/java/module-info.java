/**
 * The connection lifecycle: opening sessions to monitored servers with pgvigil's safe defaults, keeping them
 * between scrapes under a cap, and telling a lost connection from an ordinary SQL error. Knows JDBC and
 * {@code io.pgvigil.dsn}, never the Prometheus model or HTTP.
 */
module io.pgvigil.connect {
    requires transitive io.pgvigil.dsn;
    requires transitive java.sql;
    exports io.pgvigil.connect;
}
