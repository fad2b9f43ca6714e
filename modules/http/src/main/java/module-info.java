/** The HTTP surface: /probe, the telemetry path and the landing page. The only module that knows HTTP. */
module io.pgvigil.http {
    requires transitive io.pgvigil.collectors;
    requires transitive io.pgvigil.config;
    requires io.pgvigil.exposition;
    requires transitive io.helidon.webserver;
    requires io.helidon.common.pki;
    requires io.helidon.common.configurable;
    requires bcrypt; // at.favre.lib:bcrypt, an automatic module named after its jar (a real descriptor in the image)
    exports io.pgvigil.http;
}
