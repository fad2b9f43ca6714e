package io.pgvigil.dsn;

import java.net.InetAddress;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of {@link TargetAllowList.Entry} texts; no DNS is ever asked. */
final class AllowListEntries {
    private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    /** A dotted-quad IPv4 literal, no leading zeros, no short forms. */
    static final Pattern IPV4 = Pattern.compile(OCTET + "(?:\\." + OCTET + "){3}");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final Pattern BRACKETED = Pattern.compile("\\[([^\\]]*)](?::(.*))?");

    private AllowListEntries() {
    }

    static TargetAllowList.Entry parse(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        String text = raw.toLowerCase(java.util.Locale.ROOT);
        String shown = quote(raw);
        if (!text.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new IllegalArgumentException(shown + " contains a space, a control or a non-ASCII character");
        }
        if (text.indexOf('/') >= 0) {
            return cidr(text, shown);
        }
        Matcher bracketed = BRACKETED.matcher(text);
        if (bracketed.matches()) {
            InetAddress address = v6(bracketed.group(1), shown);
            Optional<Integer> port = bracketed.group(2) == null ? Optional.empty() : Optional.of(port(bracketed.group(2), shown));
            return new TargetAllowList.Entry.Network(address, 128, port);
        }
        if (text.chars().filter(c -> c == ':').count() > 1) {
            return new TargetAllowList.Entry.Network(v6(text, shown), 128, Optional.empty());
        }
        String host = text;
        Optional<Integer> port = Optional.empty();
        int colon = text.indexOf(':');
        if (colon >= 0) {
            host = text.substring(0, colon);
            port = Optional.of(port(text.substring(colon + 1), shown));
        }
        if (IPV4.matcher(host).matches()) {
            return new TargetAllowList.Entry.Network(InetAddress.ofLiteral(host), 32, port);
        }
        if (host.startsWith("*.")) {
            return new TargetAllowList.Entry.Wildcard(name(host.substring(2), shown), port);
        }
        if (host.indexOf('*') >= 0) {
            throw new IllegalArgumentException(shown + ": a wildcard must be the whole first label, as in *.prod.example.com");
        }
        return new TargetAllowList.Entry.Name(name(host, shown), port);
    }

    private static TargetAllowList.Entry cidr(String text, String shown) {
        int slash = text.indexOf('/');
        String base = text.substring(0, slash);
        String length = text.substring(slash + 1);
        InetAddress address;
        if (IPV4.matcher(base).matches()) {
            address = InetAddress.ofLiteral(base);
        } else if (base.indexOf(':') >= 0 && base.indexOf('[') < 0) {
            address = v6(base, shown);
        } else {
            throw new IllegalArgumentException(shown + ": a CIDR block needs an IPv4 or IPv6 address before the \"/\""
                    + " (no host name, no port, no brackets)");
        }
        int bits = address.getAddress().length * 8;
        if (!length.matches("[0-9]{1,3}") || Integer.parseInt(length) > bits) {
            throw new IllegalArgumentException(shown + ": the prefix length must be a number from 0 to " + bits);
        }
        int prefix = Integer.parseInt(length);
        byte[] bytes = address.getAddress();
        if (!hostBitsZero(bytes, prefix)) {
            throw new IllegalArgumentException(shown + ": the address has bits set after the prefix length; write the"
                    + " first address of the block");
        }
        return new TargetAllowList.Entry.Network(address, prefix, Optional.empty());
    }

    private static InetAddress v6(String text, String shown) {
        if (text.indexOf(':') < 0 || text.indexOf('%') >= 0) {
            throw new IllegalArgumentException(shown + " is not a valid IPv6 address (zone ids are not supported)");
        }
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(shown + " is not a valid IPv6 address");
        }
    }

    private static int port(String text, String shown) {
        if (!PORT.matcher(text).matches() || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
            throw new IllegalArgumentException(shown + ": the port must be a number from 1 to 65535");
        }
        return Integer.parseInt(text);
    }

    private static String name(String host, String shown) {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.isEmpty() || name.length() > 253) {
            throw new IllegalArgumentException(shown + " is not a valid host name");
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException(shown + " is not a valid host name");
            }
        }
        if (endsInNumericLabel(name)) {
            throw new IllegalArgumentException(shown + " ends in a numeric label: write an IPv4 address in full"
                    + " (a.b.c.d) or a CIDR block");
        }
        return name;
    }

    /** The entry in double quotes, cut after 64 characters, control characters as {@code ?}. */
    private static String quote(String raw) {
        StringBuilder out = new StringBuilder("\"");
        raw.codePoints().limit(64).forEach(c -> out.appendCodePoint(Character.isISOControl(c) || c == '"' ? '?' : c));
        return out.append(raw.codePointCount(0, raw.length()) > 64 ? "...\"" : "\"").toString();
    }

    /** Whether the last label is all digits: no real name is, and resolvers read such text as an address. */
    static boolean endsInNumericLabel(String name) {
        String last = name.substring(name.lastIndexOf('.') + 1);
        return last.isEmpty() || last.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** Whether the first {@code prefix} bits of two equally long addresses are the same. */
    static boolean samePrefix(byte[] a, byte[] b, int prefix) {
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (b[full] & mask);
    }

    private static boolean hostBitsZero(byte[] address, int prefix) {
        for (int bit = prefix; bit < address.length * 8; bit++) {
            if ((address[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                return false;
            }
        }
        return true;
    }
}
