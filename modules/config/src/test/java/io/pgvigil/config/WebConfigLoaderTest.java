package io.pgvigil.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The exporter-toolkit web config file: what is accepted, and a clear message for each mistake. */
class WebConfigLoaderTest {
    private static final String HASH = "$2y$10$mC9Ttq9JQvWLVs8Y3S1nFeahjPTfFp0Jkn0Xbsd4rGwn5TgFH2/M2";

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Files.writeString(dir.resolve("cert.pem"), "x");
        Files.writeString(dir.resolve("key.pem"), "x");
        Files.writeString(dir.resolve("ca.pem"), "x");
        Path f = dir.resolve("web.yml");
        Files.writeString(f, yaml);
        return f;
    }

    private List<String> errors(String yaml) throws IOException {
        Path f = write(yaml);
        try {
            WebConfigLoader.load(f);
        } catch (WebConfigLoader.InvalidWebConfigException e) {
            return e.errors();
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void readsAFullFileWithPathsRelativeToIt() throws Exception {
        WebConfig c = WebConfigLoader.load(write("""
                tls_server_config:
                  cert_file: cert.pem
                  key_file: key.pem
                  client_ca_file: ca.pem
                  client_auth_type: RequireAndVerifyClientCert
                  min_version: TLS13
                  prefer_server_cipher_suites: true
                http_server_config:
                  http2: false
                  headers:
                    x-frame-options: deny
                    Strict-Transport-Security: max-age=31536000
                basic_auth_users:
                  prometheus: %s
                """.formatted(HASH)));
        WebConfig.Tls tls = c.tls().orElseThrow();
        assertThat(tls.cert()).isEqualTo(new WebConfig.Pem.File(dir.resolve("cert.pem").toAbsolutePath()));
        assertThat(tls.clientCa()).contains(new WebConfig.Pem.File(dir.resolve("ca.pem").toAbsolutePath()));
        assertThat(tls.clientAuth()).isEqualTo(WebConfig.ClientAuth.RequireAndVerifyClientCert);
        assertThat(tls.protocols()).containsExactly("TLSv1.3");
        assertThat(c.headers()).containsEntry("X-Frame-Options", "deny").containsKey("Strict-Transport-Security");
        assertThat(c.basicAuthUsers()).containsEntry("prometheus", HASH);
        assertThat(c.toString()).doesNotContain(HASH);
    }

    @Test
    void emptyFileMeansNothingToEnforce() throws Exception {
        WebConfig c = WebConfigLoader.load(write(""));
        assertThat(c).isEqualTo(WebConfig.none());
        assertThat(WebConfigLoader.load(write("tls_server_config:\n")).tls()).isEmpty();
    }

    @Test
    void defaultsAreTls12To13WithoutClientCertificates() throws Exception {
        WebConfig.Tls tls = WebConfigLoader.load(write("tls_server_config: {cert_file: cert.pem, key_file: key.pem}\n")).tls().orElseThrow();
        assertThat(tls.protocols()).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(tls.clientAuth()).isEqualTo(WebConfig.ClientAuth.NoClientCert);
    }

    @Test
    void everyMistakeIsNamedWithoutShowingAHash() throws Exception {
        assertThat(errors("basic_auth_users:\n  u: not-a-hash-" + "secret\n")).singleElement().asString()
                .endsWith("web.yml: basic_auth_users.u: is not a bcrypt hash (expected $2y$<cost>$ and 53 characters, e.g. from htpasswd -nBC 10)")
                .doesNotContain("secret");
        assertThat(errors("tls_server_config:\n  cert_file: cert.pem\n")).singleElement().asString()
                .endsWith("tls_server_config.key_file: is required");
        assertThat(errors("tls_server_config: {cert_file: nope.pem, key_file: key.pem}\n")).singleElement().asString()
                .contains("tls_server_config.cert_file: cannot read ").contains("nope.pem");
        assertThat(errors("tls_server_config: {cert_file: cert.pem, key_file: key.pem, min_version: TLS14}\n")).singleElement()
                .asString().endsWith("tls_server_config.min_version: invalid value \"TLS14\" (allowed: TLS10, TLS11, TLS12, TLS13)");
        assertThat(errors("tls_server_config: {cert_file: cert.pem, key_file: key.pem, min_version: TLS13, max_version: TLS12}\n"))
                .singleElement().asString().endsWith("tls_server_config: min_version is above max_version");
        assertThat(errors("tls_server_config: {cert_file: cert.pem, key_file: key.pem, client_auth_type: RequireAndVerifyClientCert}\n"))
                .singleElement().asString().endsWith("tls_server_config.client_ca_file: is required when client_auth_type is RequireAndVerifyClientCert");
        assertThat(errors("tls_server_config: {cert_file: cert.pem, key_file: key.pem, client_auth_type: Always}\n"))
                .singleElement().asString().contains("client_auth_type: invalid value \"Always\"");
        assertThat(errors("http_server_config:\n  headers:\n    Server: x\n")).singleElement().asString()
                .contains("header \"Server\" is not allowed (allowed: Content-Security-Policy,");
        assertThat(errors("http_server_config:\n  headers:\n    X-Frame-Options: allow\n")).singleElement().asString()
                .endsWith("http_server_config.headers.X-Frame-Options: invalid value (allowed: deny, sameorigin)");
        assertThat(errors("tls_config: {}\n")).singleElement().asString()
                .endsWith("web.yml: unknown key \"tls_config\" (allowed: tls_server_config, http_server_config, basic_auth_users, rate_limit)");
        assertThat(errors("rate_limit: {interval: soon, burst: 5}\n")).singleElement().asString()
                .endsWith("rate_limit.interval: invalid duration \"soon\" (e.g. 1s, 500ms, 1m30s)");
        assertThat(errors("rate_limit: {interval: 1s, burst: -1}\n")).singleElement().asString().endsWith("rate_limit.burst: must not be negative");
        assertThat(errors("rate_limit: {interval: 1s, burst: many}\n")).singleElement().asString()
                .endsWith("rate_limit.burst: invalid value \"many\" (a whole number)");
        assertThat(errors("rate_limit: {interval: 1s, bursts: 5}\n")).singleElement().asString()
                .endsWith("rate_limit: unknown key \"bursts\" (allowed: interval, burst)");
        assertThat(errors("basic_auth_users: [a]\n")).singleElement().asString().endsWith("basic_auth_users: value must be a map, not a list");
        assertThat(errors("basic_auth_users:\n  u: " + HASH + "\n  u: " + HASH + "\n")).singleElement().asString()
                .endsWith("basic_auth_users: duplicate key \"u\"").doesNotContain(HASH);
        assertThat(errors("a: [\n")).singleElement().asString().contains("YAML syntax error");
        // several problems at once
        assertThat(errors("tls_server_config: {cert_file: cert.pem}\nbasic_auth_users: {u: x}\n")).hasSize(2);
    }

    @Test
    void aMissingFileIsAnError() {
        assertThatThrownBy(() -> WebConfigLoader.load(dir.resolve("none.yml")))
                .isInstanceOf(WebConfigLoader.InvalidWebConfigException.class).hasMessageEndingWith("none.yml: file does not exist");
    }

    @Test
    void rateLimitIsReadAsExporterToolkitsAndAZeroIntervalIsNoLimit() throws Exception {
        assertThat(WebConfigLoader.load(write("rate_limit: {interval: 1m30s, burst: 5}\n")).rateLimit())
                .contains(new WebConfig.RateLimit(java.time.Duration.ofSeconds(90), 5));
        assertThat(WebConfigLoader.load(write("rate_limit:\n  interval: 250ms\n")).rateLimit())
                .contains(new WebConfig.RateLimit(java.time.Duration.ofMillis(250), 0));
        assertThat(WebConfigLoader.load(write("rate_limit: {interval: 0s, burst: 5}\n")).rateLimit()).isEmpty();
        assertThat(WebConfigLoader.load(write("rate_limit: {burst: 5}\n")).rateLimit()).isEmpty();
        assertThat(WebConfigLoader.load(write("basic_auth_users: {}\n")).rateLimit()).isEmpty();
        assertThat(WebConfigLoader.goDuration("1h2m3.5s")).contains(java.time.Duration.ofMillis(3_723_500));
        assertThat(WebConfigLoader.goDuration("1.5")).isEmpty();
        assertThat(WebConfigLoader.goDuration("s")).isEmpty();
    }

    @Test
    void certKeyAndClientCaMayBeInlineButNotBothWays() throws Exception {
        String key = "-----BEGIN PRIVATE KEY-----\n    c2VjcmV0LWtleS1ieXRlcw==\n    -----END PRIVATE KEY-----";
        WebConfig.Tls tls = WebConfigLoader.load(write("""
                tls_server_config:
                  cert: |
                    -----BEGIN CERTIFICATE-----
                    Y2VydA==
                    -----END CERTIFICATE-----
                  key: |
                    %s
                  client_ca_file: ca.pem
                  client_auth_type: RequireAndVerifyClientCert
                """.formatted(key))).tls().orElseThrow();
        assertThat(tls.cert()).isInstanceOf(WebConfig.Pem.Inline.class);
        assertThat(((WebConfig.Pem.Inline) tls.cert()).text()).startsWith("-----BEGIN CERTIFICATE-----\nY2VydA==\n");
        assertThat(tls.key().describe()).isEqualTo("inline tls_server_config.key");
        assertThat(tls.clientCa()).contains(new WebConfig.Pem.File(dir.resolve("ca.pem").toAbsolutePath()));
        assertThat(tls.toString()).doesNotContain("c2VjcmV0LWtleS1ieXRlcw").contains("text=******");

        assertThat(errors("tls_server_config: {cert_file: cert.pem, cert: x, key_file: key.pem}\n")).singleElement().asString()
                .endsWith("tls_server_config: give either cert_file or cert, not both");
        assertThat(errors("tls_server_config: {cert_file: cert.pem, key: c2VjcmV0LWtleS1ieXRlcw}\n")).singleElement().asString()
                .endsWith("tls_server_config.key: is not PEM text (no -----BEGIN line)").doesNotContain("c2VjcmV0");
        assertThat(errors("tls_server_config: {cert_file: cert.pem, key_file: key.pem, client_ca: [a]}\n")).singleElement().asString()
                .endsWith("tls_server_config.client_ca: value must be a string, not a list");
    }

    @Test
    void clientAllowedSansAreReadAndNeedAClientCa() throws Exception {
        assertThat(WebConfigLoader.load(write("tls_server_config: {cert_file: cert.pem, key_file: key.pem, client_ca_file: ca.pem, "
                                              + "client_auth_type: RequireAndVerifyClientCert, client_allowed_sans: [prometheus.example, 10.0.0.1]}\n"))
                           .tls().orElseThrow().clientAllowedSans()).containsExactly("prometheus.example", "10.0.0.1");
        assertThat(WebConfigLoader.load(write("tls_server_config: {cert_file: cert.pem, key_file: key.pem}\n"))
                           .tls().orElseThrow().clientAllowedSans()).isEmpty();
        assertThat(errors("tls_server_config: {cert_file: cert.pem, key_file: key.pem, client_allowed_sans: [a]}\n")).singleElement().asString()
                .endsWith("tls_server_config.client_allowed_sans: needs client_ca_file or client_ca (client certificates are verified first)");
        assertThat(errors("tls_server_config: {cert_file: cert.pem, key_file: key.pem, client_ca_file: ca.pem, client_allowed_sans: a}\n"))
                .singleElement().asString().endsWith("tls_server_config.client_allowed_sans: value must be a list");
    }
}
