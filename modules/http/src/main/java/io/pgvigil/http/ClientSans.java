package io.pgvigil.http;

import java.net.InetAddress;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * exporter-toolkit's {@code client_allowed_sans}: the client's (already verified) certificate must carry one of
 * the allowed subject alternative names: a DNS name, an IP address (compared as addresses, so {@code ::1} matches
 * {@code 0:0:0:0:0:0:0:1}), an e-mail address or a URI, exactly.
 */
final class ClientSans {
    private static final int EMAIL = 1;
    private static final int DNS = 2;
    private static final int URI = 6;
    private static final int IP = 7;

    private ClientSans() {
    }

    /**
     * @param chain   the client's certificates, leaf first; empty without a client certificate
     * @param allowed the allowed names; empty allows every client
     * @return whether the request may go on
     */
    static boolean allowed(Optional<Certificate[]> chain, List<String> allowed) {
        if (allowed.isEmpty()) {
            return true;
        }
        if (chain.isEmpty() || chain.get().length == 0 || !(chain.get()[0] instanceof X509Certificate leaf)) {
            return false;
        }
        Collection<List<?>> names;
        try {
            names = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (names == null) {
            return false;
        }
        for (List<?> name : names) {
            if (name.size() < 2 || !(name.get(0) instanceof Integer type) || !(name.get(1) instanceof String value)) {
                continue;
            }
            for (String a : allowed) {
                boolean match = switch (type) {
                    case EMAIL, DNS, URI -> a.equals(value);
                    case IP -> sameAddress(a, value);
                    default -> false;
                };
                if (match) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean sameAddress(String allowed, String value) {
        try {
            return InetAddress.ofLiteral(allowed).equals(InetAddress.ofLiteral(value));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
