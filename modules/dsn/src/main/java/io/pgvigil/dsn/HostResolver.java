package io.pgvigil.dsn;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/**
 * Turns a host name into addresses, once per check ({@link TargetAllowList#admit}). The application wires
 * {@link #system(Duration)}; tests inject their own answers (e.g. one that changes between calls, as a DNS
 * rebinding attacker would).
 */
@FunctionalInterface
public interface HostResolver {

    /**
     * @param host a host name (never an IP literal)
     * @return its addresses, in the order to try them; empty counts as not resolvable
     * @throws UnknownHostException when it cannot be resolved, or not in time; the message must not hold secrets
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /**
     * The JDK's resolver ({@link InetAddress#getAllByName}, with its cache), bounded in time: a lookup that takes
     * longer than {@code timeout} is answered as not resolvable (it finishes in the background), and at most
     * {@value SystemResolver#MAX_PENDING} lookups run at once, so a flood of slow names cannot pile up threads.
     *
     * @param timeout how long one lookup may take
     * @return the resolver
     */
    static HostResolver system(Duration timeout) {
        return new SystemResolver(timeout, host -> List.of(InetAddress.getAllByName(host)));
    }
}
