/**
 * Targets and credentials: parses what Prometheus sends as {@code target}, merges an auth module into it
 * and renders it for logs with every secret masked. Knows neither HTTP nor JDBC.
 */
module io.pgvigil.dsn {
    exports io.pgvigil.dsn;
}
