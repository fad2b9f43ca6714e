package io.pgvigil.app;

import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

import java.time.Duration;
import java.util.Optional;

/**
 * Builds and starts pgvigil's HTTP server, at start-up and again when a reload switches TLS on or off (Helidon
 * cannot do that on a running listener). Every server it starts has the same routing builder, so the routes,
 * request counter and basic-auth cache outlive a rebuild.
 *
 * @param routing     the routes of every listener
 * @param gracePeriod how long a stopping server lets requests in flight finish
 */
record HttpServers(HttpRouting.Builder routing, Duration gracePeriod) {

    /**
     * Builds, without starting, a server for every address: whatever can go wrong before binding goes wrong here.
     *
     * @param listeners the addresses
     * @param tls       the TLS of every listener, when the web config enables it
     * @return the server, not listening yet
     */
    WebServer build(Listeners listeners, Optional<Tls> tls) {
        return listeners.configure(WebServer.builder(), routing, tls, l -> l
                        // Nagle's algorithm held back the end of about one response in a hundred until the client's
                        // delayed ACK (p99 ~40 ms above p50 in scripts/bench-probe): a page is written whole, so send at once.
                        .connectionOptions(o -> o.tcpNoDelay(true)))
                .shutdownGracePeriod(gracePeriod)
                .shutdownHook(false) // Signals stops the server, then closes the connections
                .build();
    }

    /**
     * Starts a built server.
     *
     * @param server    from {@link #build}
     * @param listeners the addresses it was built for
     * @return the server, listening on every address
     * @throws RuntimeException when it cannot bind every address (e.g. one in use); nothing is left listening then
     */
    WebServer start(WebServer server, Listeners listeners) {
        server.start();
        listeners.requireAllBound(server);
        return server;
    }
}
