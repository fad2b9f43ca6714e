package io.pgvigil.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The web configuration file ({@code --web.config.file}) in the Prometheus exporter-toolkit format: TLS,
 * basic-auth users with bcrypt hashes, and extra response headers.
 *
 * @param tls            the server's TLS settings; empty for plain HTTP
 * @param headers        response headers added to every answer (only the keys exporter-toolkit allows)
 * @param basicAuthUsers user name to bcrypt hash; empty means no authentication
 * @param rateLimit      exporter-toolkit's {@code rate_limit}: one token bucket for every request; empty for none
 */
public record WebConfig(Optional<Tls> tls, Map<String, String> headers, Map<String, String> basicAuthUsers,
                        Optional<RateLimit> rateLimit) {

    /** The header names exporter-toolkit accepts under {@code http_server_config.headers}. */
    public static final List<String> ALLOWED_HEADERS = List.of(
            "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "X-XSS-Protection",
            "Strict-Transport-Security");

    public WebConfig {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(rateLimit, "rateLimit");
        headers = Map.copyOf(headers);
        basicAuthUsers = Map.copyOf(basicAuthUsers);
    }

    /** A web config without a rate limit. */
    public WebConfig(Optional<Tls> tls, Map<String, String> headers, Map<String, String> basicAuthUsers) {
        this(tls, headers, basicAuthUsers, Optional.empty());
    }

    /** {@return no TLS, no headers, no authentication: what runs without {@code --web.config.file}} */
    public static WebConfig none() {
        return new WebConfig(Optional.empty(), Map.of(), Map.of());
    }

    @Override
    public String toString() {
        return "WebConfig[tls=" + tls + ", headers=" + headers.keySet() + ", basicAuthUsers=" + basicAuthUsers.keySet()
               + ", rateLimit=" + rateLimit + "]";
    }

    /**
     * exporter-toolkit's {@code rate_limit} (Go's {@code rate.NewLimiter(rate.Every(interval), burst)}): a bucket of
     * {@code burst} tokens, full at the start, that gains one token per {@code interval}; a request that finds it
     * empty is answered 429 before authentication. An {@code interval} of 0 means no limit (no record).
     *
     * @param interval the time to gain one token, positive
     * @param burst    the size of the bucket, not negative (0 refuses every request, as Go's limiter does)
     */
    public record RateLimit(java.time.Duration interval, int burst) {
        public RateLimit {
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("rate_limit.interval must be positive");
            }
            if (burst < 0) {
                throw new IllegalArgumentException("rate_limit.burst must not be negative");
            }
        }
    }

    /** exporter-toolkit's {@code client_auth_type} values. */
    public enum ClientAuth {
        NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert
    }

    /**
     * PEM text for TLS: a file (resolved against the web config file's directory, as exporter-toolkit does) or
     * written inline in the web config ({@code cert}, {@code key}, {@code client_ca}).
     */
    public sealed interface Pem {
        /** {@return where the PEM is, for messages: the path, or which inline key; never the text} */
        String describe();

        /** @param path a readable file */
        record File(Path path) implements Pem {
            public File {
                Objects.requireNonNull(path, "path");
            }

            @Override
            public String describe() {
                return path.toString();
            }
        }

        /**
         * @param key  the web config key that holds it, e.g. {@code tls_server_config.key}
         * @param text the PEM text; a private key's is secret, so {@code toString} never shows it
         */
        record Inline(String key, String text) implements Pem {
            public Inline {
                Objects.requireNonNull(key, "key");
                Objects.requireNonNull(text, "text");
            }

            @Override
            public String describe() {
                return "inline " + key;
            }

            @Override
            public String toString() {
                return "Inline[key=" + key + ", text=******]";
            }
        }
    }

    /**
     * TLS settings.
     *
     * @param cert         the server certificate chain (PEM): {@code cert_file} or {@code cert}
     * @param key          the server's private key (PEM, PKCS#8 or PKCS#1): {@code key_file} or {@code key}
     * @param clientCa     the CAs that client certificates must chain to (PEM): {@code client_ca_file} or {@code client_ca}
     * @param clientAuth   whether client certificates are asked for and required
     * @param minVersion   the lowest protocol, e.g. {@code TLSv1.2}
     * @param maxVersion   the highest protocol, e.g. {@code TLSv1.3}
     * @param cipherSuites IANA names of the suites to enable; empty for the JDK's defaults
     * @param clientAllowedSans {@code client_allowed_sans}: when not empty, a client certificate must name one of
     *                          these (DNS name, IP address, e-mail address or URI, matched exactly)
     */
    public record Tls(Pem cert, Pem key, Optional<Pem> clientCa, ClientAuth clientAuth,
                      String minVersion, String maxVersion, List<String> cipherSuites, List<String> clientAllowedSans) {
        public Tls {
            Objects.requireNonNull(cert, "cert");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(clientCa, "clientCa");
            Objects.requireNonNull(clientAuth, "clientAuth");
            cipherSuites = List.copyOf(cipherSuites);
            clientAllowedSans = List.copyOf(clientAllowedSans);
        }

        /** {@return the JSSE protocol names from the minimum to the maximum version} */
        public List<String> protocols() {
            List<String> all = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
            return all.subList(all.indexOf(minVersion), all.indexOf(maxVersion) + 1);
        }
    }
}
