/**
 * The HTTP surface: /probe, the telemetry path, the operational endpoints and the landing page. The only module
 * that knows HTTP; it reaches the scraper only through its {@code Scrapes} interface.
 */
module io.pgvigil.http {
    requires transitive io.pgvigil.dsn;
    requires transitive io.pgvigil.config;
    requires transitive io.prometheus.metrics.model;
    requires transitive io.helidon.webserver;
    requires io.pgvigil.exposition;
    requires io.helidon.common.pki;
    requires io.helidon.common.configurable;
    requires bcrypt; // at.favre.lib:bcrypt, an automatic module named after its jar (a real descriptor in the image)
    exports io.pgvigil.http;
}
