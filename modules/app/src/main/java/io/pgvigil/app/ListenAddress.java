package io.pgvigil.app;

/**
 * A {@code --web.listen-address} value: {@code :9187}, {@code host:9187} or {@code [::1]:9187}.
 *
 * @param host the host to bind, {@code 0.0.0.0} for all interfaces
 * @param port the port
 */
record ListenAddress(String host, int port) {

    static ListenAddress parse(String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("invalid --web.listen-address \"" + value + "\": expected [host]:port");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid --web.listen-address \"" + value + "\": port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("invalid --web.listen-address \"" + value + "\": port out of range");
        }
        return new ListenAddress(host.isEmpty() ? "0.0.0.0" : host, port);
    }
}
