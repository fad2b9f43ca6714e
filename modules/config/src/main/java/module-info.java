/**
 * Loads and validates the auth-module configuration file ({@code --config.file}).
 *
 * <p>The file is read with SnakeYAML's node API (compose, no object construction), not with
 * helidon-config-yaml. Helidon 4.5.0's YAML parser builds Java objects with YAML 1.1 rules and keeps
 * only their {@code toString()}, which silently changes values ({@code password: 012345} becomes
 * {@code "5349"}, {@code yes} becomes {@code "true"}, dates become {@code Date.toString()}); it splits
 * keys at dots ({@code prod.db} becomes two levels), keeps the last of duplicate keys, fails on an
 * empty key with an {@code IllegalStateException}, and drops source positions. Upstream's yaml.v3 keeps
 * scalars as written, rejects duplicates and reports lines, so the node API is the faithful choice.
 */
module io.pgvigil.config {
    requires transitive io.pgvigil.dsn;
    requires org.yaml.snakeyaml;
    exports io.pgvigil.config;
}
