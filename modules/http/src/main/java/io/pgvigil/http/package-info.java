/**
 * pgvigil's HTTP surface on Helidon WebServer: {@link io.pgvigil.http.ExporterRoutes} registers one service per
 * concern; the scraper is reached through {@link io.pgvigil.http.Scrapes}.
 */
package io.pgvigil.http;
