package io.pgvigil.dsn;

import java.util.Optional;
import java.util.regex.Pattern;

/** Host name and port checks shared by the parsers and {@link Endpoint}. None of them echo the value. */
final class Hosts {
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    private Hosts() {
    }

    /** Whether a (valid) host is an IPv6 literal. */
    static boolean isIpv6(String host) {
        return host.indexOf(':') >= 0;
    }

    /**
     * @return what is wrong with a host (completing "host ..."), empty when it is usable
     */
    static Optional<String> problem(String host) {
        if (host.isEmpty()) {
            return Optional.of("is empty");
        }
        if (host.startsWith("/") || host.startsWith("@")) {
            return Optional.of("is a unix-domain socket; unix-domain sockets are not supported, use a TCP host name");
        }
        if (isIpv6(host)) {
            boolean valid = IPV6.matcher(host).matches()
                    && !host.contains(":::")
                    && host.indexOf("::") == host.lastIndexOf("::")
                    && host.chars().filter(c -> c == ':').count() >= 2;
            return valid ? Optional.empty() : Optional.of("is not a valid host name or IPv6 address");
        }
        return HOST_NAME.matcher(host).matches()
                ? Optional.empty()
                : Optional.of("is not a valid host name or IPv6 address");
    }

    /**
     * Parses a port; the value is never echoed, since in a malformed URL it may be a piece of the password.
     *
     * @param text the port text, empty for the default
     * @param what how to name the port in an error, e.g. {@code port of host #2}
     * @param hint appended to an error message, may be empty
     */
    static int port(String text, String what, String hint) {
        if (text.isEmpty()) {
            return Endpoint.DEFAULT_PORT;
        }
        if (!PORT.matcher(text).matches()) {
            throw TargetException.invalid(what + " is not a number" + hint);
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw TargetException.invalid(what + " must be between 1 and 65535" + hint);
        }
        return port;
    }

    /** Validates a host, naming it as {@code what} in the error and appending {@code hint}. */
    static String host(String host, String what, String hint) {
        problem(host).ifPresent(problem -> {
            throw TargetException.invalid(what + " " + problem + hint);
        });
        return host;
    }
}
