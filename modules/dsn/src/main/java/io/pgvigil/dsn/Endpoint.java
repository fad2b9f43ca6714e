package io.pgvigil.dsn;

import java.util.Objects;

/**
 * One server address of a target.
 *
 * @param host a host name or an IPv6 literal without brackets
 * @param port the TCP port, 1 to 65535
 */
public record Endpoint(String host, int port) {
    /** libpq's default port. */
    static final int DEFAULT_PORT = 5432;
    /** The host used when a target names none (libpq would use a unix socket, which we do not support). */
    static final String DEFAULT_HOST = "localhost";

    public Endpoint {
        Objects.requireNonNull(host, "host");
        Hosts.problem(host).ifPresent(problem -> {
            throw TargetException.invalid("host " + problem);
        });
        if (port < 1 || port > 65535) {
            throw TargetException.invalid("port must be between 1 and 65535");
        }
    }

    /** {@code host:port}, with an IPv6 host in brackets. */
    String authority() {
        return (Hosts.isIpv6(host) ? "[" + host + "]" : host) + ":" + port;
    }
}
