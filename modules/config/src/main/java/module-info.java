/** Loads and validates the auth-module configuration file ({@code --config.file}). */
module io.pgvigil.config {
    requires transitive io.pgvigil.dsn;
    requires io.helidon.config;
    requires io.helidon.config.yaml;
    exports io.pgvigil.config;
}
