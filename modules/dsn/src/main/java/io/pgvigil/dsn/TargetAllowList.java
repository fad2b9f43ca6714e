package io.pgvigil.dsn;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The targets an auth module may be used for ({@code targets:} in the config file). Immutable; the matching is
 * pure (no I/O): {@link #admit} is given the addresses by a {@link HostResolver}.
 *
 * <p>The rule, for every server ({@link Endpoint}) of a target:
 * <ul>
 *   <li>a <em>name</em> entry ({@code db1.example.com}, {@code db1.example.com:5432}, {@code *.prod.example.com})
 *       allows the host if the host is that name (case and one trailing dot ignored), or for a wildcard ends in
 *       {@code .}suffix with at least one more label; an IP literal is never matched by a name entry. The host
 *       is still resolved once and pgvigil connects to those addresses only: a name entry trusts the DNS of
 *       that name (use {@code sslmode=verify-full} so that a name pointing elsewhere fails the TLS check
 *       before any password is sent);</li>
 *   <li>otherwise, <em>every</em> address the host resolves to must lie in an <em>address</em> entry
 *       ({@code 10.0.0.5}, {@code 10.0.0.5:5432}, {@code [2001:db8::5]:5432}, {@code 10.0.0.0/16},
 *       {@code 2001:db8::/32}); a host that cannot be resolved is refused.</li>
 * </ul>
 * An entry with a port allows that port only; one without allows any port.
 *
 * @param entries the entries in file order, at least one
 */
public record TargetAllowList(List<Entry> entries) {

    public TargetAllowList {
        entries = List.copyOf(Objects.requireNonNull(entries, "entries"));
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("an allow-list needs at least one entry");
        }
    }

    /**
     * Parses entries as written in the config file.
     *
     * @param texts the entries
     * @return the allow-list
     * @throws IllegalArgumentException for an empty list or an invalid entry (the message names the entry's index)
     */
    public static TargetAllowList parse(List<String> texts) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            try {
                entries.add(Entry.parse(texts.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("entry #" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new TargetAllowList(entries);
    }

    /**
     * @param host a target's host (name or IP literal)
     * @param port its port
     * @return whether a name entry allows this host name and port
     */
    public boolean allowsName(String host, int port) {
        if (isIpLiteral(host)) {
            return false;
        }
        String name = normalizeName(host);
        if (AllowListEntries.endsInNumericLabel(name)) {
            // 10.1 or 2130706433: an address in disguise (the resolver reads it as one), never a name.
            return false;
        }
        return entries.stream().anyMatch(e -> switch (e) {
            case Entry.Name n -> n.port().map(p -> p == port).orElse(true) && n.name().equals(name);
            case Entry.Wildcard w -> w.port().map(p -> p == port).orElse(true)
                    && name.endsWith("." + w.suffix()) && name.length() > w.suffix().length() + 1;
            case Entry.Network ignored -> false;
        });
    }

    /**
     * @param address a resolved address
     * @param port    the target's port
     * @return whether an address entry allows it
     */
    public boolean allowsAddress(InetAddress address, int port) {
        return entries.stream().anyMatch(e -> e instanceof Entry.Network n && n.contains(address)
                && n.port().map(p -> p == port).orElse(true));
    }

    /**
     * Checks a target (after the auth module was merged into it): resolves each host once, checks the addresses,
     * and on success pins the target to them, so that the connection goes to exactly the addresses checked.
     *
     * @param spec     the target
     * @param resolver how host names become addresses; not called for IP literals
     * @return the decision; a refusal's reason never contains an address, a credential or the target text
     */
    public Admission admit(ConnectionSpec spec, HostResolver resolver) {
        Objects.requireNonNull(resolver, "resolver");
        Map<Endpoint, List<InetAddress>> pinned = new LinkedHashMap<>();
        List<Endpoint> endpoints = spec.endpoints();
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint endpoint = endpoints.get(i);
            String which = endpoints.size() == 1 ? "the host" : "host #" + (i + 1);
            boolean byName = allowsName(endpoint.host(), endpoint.port());
            List<InetAddress> addresses;
            try {
                addresses = resolve(endpoint.host(), resolver);
            } catch (UnknownHostException e) {
                if (byName) {
                    // Allowed by name but not resolvable now: the connection fails (pg_up 0), as without a list.
                    pinned.put(endpoint, List.of());
                    continue;
                }
                return new Admission.Refused(which + " could not be resolved to check it against the allowed targets");
            }
            if (!byName && !addresses.stream().allMatch(a -> allowsAddress(a, endpoint.port()))) {
                return new Admission.Refused(isIpLiteral(endpoint.host())
                        ? which + " is not in an allowed network"
                        : which + " is not an allowed name and resolves to an address outside the allowed networks");
            }
            pinned.put(endpoint, addresses);
        }
        return new Admission.Admitted(spec.pinnedTo(pinned));
    }

    private static List<InetAddress> resolve(String host, HostResolver resolver) throws UnknownHostException {
        if (isIpLiteral(host)) {
            try {
                return List.of(InetAddress.ofLiteral(host));
            } catch (IllegalArgumentException e) {
                throw new UnknownHostException("not an IP address");
            }
        }
        List<InetAddress> addresses = List.copyOf(resolver.resolve(host));
        if (addresses.isEmpty()) {
            throw new UnknownHostException("no address");
        }
        return addresses;
    }

    /**
     * The entries that name one server, as targets for {@code /discovery}: a host name ({@code db1},
     * {@code db1:5432}) or a single address ({@code 10.0.0.5:5432}, {@code [2001:db8::5]:5432}, an IPv6 address
     * always in brackets). Wildcards and address blocks name no server and are left out.
     *
     * @return the servers in file order, without duplicates
     */
    public List<String> servers() {
        return entries.stream().flatMap(e -> switch (e) {
            case Entry.Name n -> java.util.stream.Stream.of(n.text());
            case Entry.Network n when n.prefix() == n.network().getAddress().length * 8 -> {
                String address = n.network().getHostAddress();
                String host = n.network().getAddress().length == 16 ? "[" + address + "]" : address;
                yield java.util.stream.Stream.of(host + n.port().map(p -> ":" + p).orElse(""));
            }
            case Entry.Network ignored -> java.util.stream.Stream.empty();
            case Entry.Wildcard ignored -> java.util.stream.Stream.empty();
        }).distinct().toList();
    }

    /** {@return the entries as written, for logs} */
    @Override
    public String toString() {
        return entries.stream().map(Entry::text).toList().toString();
    }

    /** The outcome of {@link #admit}. */
    public sealed interface Admission {
        /**
         * The target may be used; connect to it as pinned.
         *
         * @param spec the target pinned to the addresses that were checked ({@link ConnectionSpec#pinned()})
         */
        record Admitted(ConnectionSpec spec) implements Admission {
            public Admitted {
                Objects.requireNonNull(spec, "spec");
            }
        }

        /**
         * The target is outside the list.
         *
         * @param reason why, for the log: names neither an address, a credential nor the target text
         */
        record Refused(String reason) implements Admission {
            public Refused {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }

    /** One entry of the list. */
    public sealed interface Entry {
        /** {@return the entry as written (normalized)} */
        String text();

        /**
         * Parses one entry: {@code host}, {@code host:port}, {@code *.suffix}, {@code *.suffix:port}, an IPv4 or
         * IPv6 address ({@code [v6]:port} with a port), or a CIDR block ({@code 10.0.0.0/8}, {@code fd00::/8}).
         *
         * @param text the entry
         * @return the entry
         * @throws IllegalArgumentException when it is none of these; the message quotes the entry (not a secret)
         */
        static Entry parse(String text) {
            return AllowListEntries.parse(text);
        }

        /**
         * A host name.
         *
         * @param name the name, lower case, without a trailing dot
         * @param port the only port allowed, or empty for any
         */
        record Name(String name, Optional<Integer> port) implements Entry {
            public Name {
                checkName(name, port);
            }

            @Override
            public String text() {
                return name + port.map(p -> ":" + p).orElse("");
            }
        }

        /**
         * Every name with at least one label in front of {@code .suffix}; never the suffix itself.
         *
         * @param suffix the domain after {@code *.}, lower case, without a trailing dot
         * @param port   the only port allowed, or empty for any
         */
        record Wildcard(String suffix, Optional<Integer> port) implements Entry {
            public Wildcard {
                checkName(suffix, port);
            }

            @Override
            public String text() {
                return "*." + suffix + port.map(p -> ":" + p).orElse("");
            }
        }

        /**
         * An address block; a single address is a block of its full length.
         *
         * @param network the first address of the block (host bits zero)
         * @param prefix  the prefix length, 0 to 32 or 128
         * @param port    the only port allowed, or empty for any
         */
        record Network(InetAddress network, int prefix, Optional<Integer> port) implements Entry {
            public Network {
                Objects.requireNonNull(network, "network");
                Objects.requireNonNull(port, "port");
                int bits = network.getAddress().length * 8;
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("prefix length must be between 0 and " + bits);
                }
                port.ifPresent(p -> {
                    if (p < 1 || p > 65535) {
                        throw new IllegalArgumentException("the port must be a number from 1 to 65535");
                    }
                });
            }

            /** {@return whether the address lies in this block (an IPv4 address never in an IPv6 block)} */
            public boolean contains(InetAddress address) {
                byte[] block = network.getAddress();
                byte[] candidate = address.getAddress();
                if (block.length != candidate.length) {
                    return false;
                }
                return AllowListEntries.samePrefix(block, candidate, prefix);
            }

            @Override
            public String text() {
                boolean v6 = network.getAddress().length == 16;
                String address = network.getHostAddress();
                boolean whole = prefix == network.getAddress().length * 8;
                String base = whole ? address : address + "/" + prefix;
                return port.map(p -> (v6 ? "[" + base + "]" : base) + ":" + p).orElse(base);
            }
        }
    }

    /** For the entry records: a name already normalized (as {@link Entry#parse} gives it) and a valid port. */
    private static void checkName(String name, Optional<Integer> port) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(port, "port");
        if (name.isEmpty() || !name.equals(normalizeName(name)) || name.indexOf('*') >= 0) {
            throw new IllegalArgumentException("a name entry must be lower case, without a trailing dot or a *");
        }
        port.ifPresent(p -> {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("the port must be a number from 1 to 65535");
            }
        });
    }

    /** Lower case (ASCII), one trailing dot dropped. */
    static String normalizeName(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** Whether a host is an IPv6 literal or a dotted-quad IPv4 literal. */
    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || AllowListEntries.IPV4.matcher(host).matches();
    }
}
