package io.pgvigil.app;

import io.helidon.common.tls.Tls;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The addresses pgvigil serves on: one Helidon listener per {@code --web.listen-address}, the first as the
 * server's default socket, the others as named sockets that share its routing (one set of routes, one request
 * counter). Every listener gets the same TLS, and a reload swaps it on every one (or, to switch TLS on or off,
 * {@link Service} rebuilds the server on the {@linkplain #bound bound} addresses).
 *
 * @param addresses the addresses, in the order given on the command line; at least one
 */
record Listeners(List<ListenAddress> addresses) {
    private static final Logger LOG = System.getLogger(Listeners.class.getName());

    Listeners {
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no --web.listen-address");
        }
    }

    /**
     * @param values the {@code --web.listen-address} values
     * @return the listeners
     * @throws IllegalArgumentException naming the first value that is not an address
     */
    static Listeners parse(List<String> values) {
        return new Listeners(values.stream().map(ListenAddress::parse).toList());
    }

    /** {@return the Helidon socket names, the default socket's first, one per address} */
    List<String> socketNames() {
        List<String> names = new ArrayList<>();
        names.add(WebServer.DEFAULT_SOCKET_NAME);
        for (int i = 1; i < addresses.size(); i++) {
            names.add("listen-" + i);
        }
        return List.copyOf(names);
    }

    /**
     * Adds the addresses to a server being built: the first on the default socket, the others as named sockets.
     * Every listener is given the same routing builder, so the routes, filters and services registered on it
     * (one request counter, one basic-auth cache) are shared: Helidon answers 404 on a named socket without
     * routing of its own.
     *
     * @param builder the server being built
     * @param routing the routes of every listener
     * @param tls     the TLS of every listener, when the web config enables it
     * @param options what every listener shares (e.g. {@code TCP_NODELAY})
     * @return the builder
     */
    WebServerConfig.Builder configure(WebServerConfig.Builder builder, HttpRouting.Builder routing, Optional<Tls> tls,
                                      Consumer<ListenerConfig.BuilderBase<?, ?>> options) {
        ListenAddress first = addresses.getFirst();
        builder.host(first.host()).port(first.port()).routing(routing);
        tls.ifPresent(builder::tls);
        options.accept(builder);
        List<String> names = socketNames();
        for (int i = 1; i < addresses.size(); i++) {
            ListenAddress a = addresses.get(i);
            builder.putSocket(names.get(i), ListenerConfig.builder()
                    .name(names.get(i))
                    .host(a.host())
                    .port(a.port())
                    .routing(routing)
                    .update(l -> tls.ifPresent(l::tls))
                    .update(options::accept)
                    .build());
        }
        return builder;
    }

    /**
     * Helidon logs a listener that cannot bind and either stops every listener or starts the others: this makes
     * either a failed start.
     *
     * @param server the started server
     * @throws IllegalStateException naming the addresses not listened on (the server is stopped first)
     */
    void requireAllBound(WebServer server) {
        List<String> names = socketNames();
        List<String> unbound = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            if (!server.isRunning() || server.port(names.get(i)) <= 0) {
                unbound.add(addresses.get(i).host() + ":" + addresses.get(i).port());
            }
        }
        if (!unbound.isEmpty()) {
            server.stop();
            throw new IllegalStateException("not listening on " + String.join(", ", unbound)
                                            + ": an address is in use or not available (the listener error above names it)");
        }
    }

    /** Logs each address the server listens on, with the port it got (an address with port 0 gets one). */
    void logListening(WebServer server, boolean tls) {
        List<String> names = socketNames();
        for (int i = 0; i < addresses.size(); i++) {
            LOG.log(Level.INFO, "Listening on", "address", addresses.get(i).host() + ":" + server.port(names.get(i)),
                    "http2", false, "tls", tls);
        }
    }

    /**
     * {@return these addresses with the ports a running server got}: a rebuilt server listens where the old one
     * did, also for an address given with port 0
     */
    Listeners bound(WebServer server) {
        List<String> names = socketNames();
        List<ListenAddress> bound = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            int port = server.port(names.get(i));
            bound.add(port > 0 ? new ListenAddress(addresses.get(i).host(), port) : addresses.get(i));
        }
        return new Listeners(bound);
    }

    /**
     * {@return whether every address can be bound now}: false while a stopping server still listens on one (its
     * accepted connections do not count: Java binds with {@code SO_REUSEADDR})
     */
    boolean allFree() {
        for (ListenAddress a : addresses) {
            try (ServerSocketChannel probe = ServerSocketChannel.open()) {
                probe.bind(new InetSocketAddress(a.host(), a.port()));
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
        return true;
    }

    /** Puts a new TLS context in force on every listener of a running server. */
    void reloadTls(WebServer server, Tls tls) {
        for (String name : socketNames()) {
            server.reloadTls(name, tls);
        }
    }
}
