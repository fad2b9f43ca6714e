package io.pgvigil.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.helidon.common.configurable.Resource;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.pgvigil.config.WebConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Enforces the web config file on every request: the rate limit (one token bucket for all requests, checked
 * before authentication, 429 when empty, as exporter-toolkit), basic auth against bcrypt hashes (as exporter-toolkit: an
 * unknown user is checked against a fixed dummy hash so that it takes as long as a known one, verified
 * triples are cached, bcrypt runs one at a time) and the configured response headers. Also turns the TLS
 * section into Helidon's {@link Tls}.
 */
public final class WebSecurity {
    /** bcrypt (cost 10, like a typical htpasswd hash) of random bytes nobody knows: compared for unknown users. */
    private static final class Dummy {
        static final String HASH = new String(BCrypt.with(BCrypt.Version.VERSION_2Y).hash(10, randomBytes()),
                                              StandardCharsets.US_ASCII);

        private static byte[] randomBytes() {
            byte[] b = new byte[16];
            new java.security.SecureRandom().nextBytes(b);
            return b;
        }
    }

    private final Supplier<WebConfig> config;
    private final Set<String> verified = ConcurrentHashMap.newKeySet();
    private final ReentrantLock bcryptLock = new ReentrantLock();
    private final TokenBucket rateLimit = new TokenBucket();

    /** @param config the web config in force, read on every request so that a reload applies at once */
    public WebSecurity(Supplier<WebConfig> config) {
        this.config = config;
    }

    /** The filter to register first on the routing. */
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        WebConfig c = config.get();
        c.headers().forEach((name, value) -> res.headers().set(HeaderNames.create(name), value));
        if (!rateLimit.allow(c.rateLimit())) {
            res.status(Status.TOO_MANY_REQUESTS_429);
            res.headers().set(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            res.send("Too Many Requests\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (c.tls().isPresent() && !ClientSans.allowed(req.remotePeer().tlsCertificates(), c.tls().get().clientAllowedSans())) {
            res.status(Status.FORBIDDEN_403);
            res.headers().set(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            res.headers().set(HeaderNames.CONNECTION, "close");
            res.send("Forbidden: the client certificate has no allowed SAN\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!c.basicAuthUsers().isEmpty() && !authorized(c, req.headers().first(HeaderNames.AUTHORIZATION))) {
            res.status(Status.UNAUTHORIZED_401);
            res.headers().set(HeaderNames.WWW_AUTHENTICATE, "Basic");
            res.headers().set(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            res.send("Unauthorized\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        chain.proceed();
    }

    private boolean authorized(WebConfig c, Optional<String> header) {
        if (header.isEmpty() || !header.get().regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.get().substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String user = decoded.substring(0, colon);
        byte[] password = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        String hash = c.basicAuthUsers().get(user);
        boolean known = hash != null;
        String against = known ? hash : Dummy.HASH;
        // As exporter-toolkit: the cache key holds the password's digest, so a wrong password for a known user
        // misses the cache and pays bcrypt like an unknown user does (no timing difference between the two).
        String cacheKey = user + '\u0000' + against + '\u0000' + HexFormat.of().formatHex(sha256(password));
        if (known && verified.contains(cacheKey)) {
            return true;
        }
        boolean ok;
        bcryptLock.lock();
        try {
            ok = BCrypt.verifyer().verify(password, against.getBytes(StandardCharsets.US_ASCII)).verified;
        } catch (RuntimeException e) {
            ok = false; // e.g. a password longer than bcrypt's 72 bytes
        } finally {
            bcryptLock.unlock();
        }
        if (ok && known) {
            verified.add(cacheKey);
        }
        return ok && known;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Resource resource(WebConfig.Pem pem) {
        return switch (pem) {
            case WebConfig.Pem.File f -> Resource.create(f.path());
            case WebConfig.Pem.Inline i -> Resource.create(i.key(), i.text().getBytes(StandardCharsets.US_ASCII));
        };
    }

    /**
     * @param tls the TLS section of the web config
     * @return Helidon's TLS for the server socket, from the PEM files
     * @throws IllegalArgumentException when a file cannot be read as PEM (the message names the file)
     */
    public static Tls tls(WebConfig.Tls tls) {
        try {
            return Tls.builder()
                    .privateKey(k -> k.pem(p -> p.key(resource(tls.key()))))
                    .privateKeyCertChain(k -> k.pem(p -> p.certChain(resource(tls.cert()))))
                    .update(b -> tls.clientCa().ifPresent(ca -> b.trust(k -> k.pem(p -> p.certificates(resource(ca))))))
                    .clientAuth(switch (tls.clientAuth()) {
                        case NoClientCert -> TlsClientAuth.NONE;
                        case RequestClientCert, VerifyClientCertIfGiven -> TlsClientAuth.OPTIONAL;
                        case RequireAnyClientCert, RequireAndVerifyClientCert -> TlsClientAuth.REQUIRED;
                    })
                    .enabledProtocols(tls.protocols())
                    .update(b -> {
                        if (!tls.cipherSuites().isEmpty()) {
                            b.addEnabledCipherSuites(tls.cipherSuites());
                        }
                    })
                    .build();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot set up TLS from " + tls.cert().describe() + " and " + tls.key().describe() + ": "
                                               + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
