/** The HTTP surface: /probe, the telemetry path and the landing page. The only module that knows HTTP. */
module io.pgvigil.http {
    requires transitive io.pgvigil.collectors;
    requires transitive io.pgvigil.config;
    requires transitive io.helidon.webserver;
    exports io.pgvigil.http;
}
