package io.pgvigil.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * --web.config.file on the real image: a TLS handshake with certificates made here (keytool), client
 * certificates required, basic auth with bcrypt hashes, a reload that swaps the users, a reload that switches TLS
 * on and off, and a broken file at start.
 */
class WebConfigIT {
    /** bcrypt (cost 10) of Web-Sec-pw-1 and Web-Sec-pw-2, made for this test. */
    private static final String HASH_1 = "$2a$10$jwEZ2MbUNnk5TKFKwxmlceALJhSK0IyNnAJGFh0/lO29kXZo9HERO";
    private static final String HASH_2 = "$2a$10$gcSC4JCXjsG5W92y.MYKJuQXOByGntxQNIDWjH51N7p9ZZKOqp2VK";
    private static final char[] STORE_PASSWORD = "changeit".toCharArray();

    /** A self-signed RSA certificate for 127.0.0.1 in a PKCS#12 store, written out as PEM certificate and key too. */
    static KeyStore keyPair(Path dir, String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                                             "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048",
                                             "-dname", "CN=" + name, "-ext", "san=ip:127.0.0.1,dns:localhost",
                                             "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                                             "-storepass", new String(STORE_PASSWORD))
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(out).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, STORE_PASSWORD);
        }
        Base64.Encoder pem = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        Certificate cert = ks.getCertificate(name);
        Files.writeString(dir.resolve(name + ".crt"), "-----BEGIN CERTIFICATE-----\n" + pem.encodeToString(cert.getEncoded())
                                                       + "\n-----END CERTIFICATE-----\n");
        Files.writeString(dir.resolve(name + ".key"), "-----BEGIN PRIVATE KEY-----\n"
                                                       + pem.encodeToString(ks.getKey(name, STORE_PASSWORD).getEncoded())
                                                       + "\n-----END PRIVATE KEY-----\n");
        return ks;
    }

    static HttpClient client(KeyStore server, KeyStore clientKeys) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", server.getCertificate(server.aliases().nextElement()));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        KeyManagerFactory kmf = null;
        if (clientKeys != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(clientKeys, STORE_PASSWORD);
        }
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static HttpResponse<String> get(HttpClient client, String url, String userAndPassword) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (userAndPassword != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8)));
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String webConfig(String user, String hash) {
        return webConfig(user, hash, "localhost");
    }

    private static String webConfig(String user, String hash, String allowedSan) {
        return """
                tls_server_config:
                  cert_file: server.crt
                  key_file: server.key
                  client_ca_file: client.crt
                  client_auth_type: RequireAndVerifyClientCert
                  min_version: TLS12
                  client_allowed_sans: [%s]
                http_server_config:
                  headers:
                    X-Content-Type-Options: nosniff
                basic_auth_users:
                  %s: %s
                """.formatted(allowedSan, user, hash);
    }

    @Test
    void tlsWithClientCertificatesAndBasicAuthAndReload(@TempDir Path dir) throws Exception {
        KeyStore server = keyPair(dir, "server");
        KeyStore clientKeys = keyPair(dir, "client");
        Path web = dir.resolve("web.yml");
        Files.writeString(web, webConfig("prometheus", HASH_1));
        try (ImageProcess image = ImageProcess.start(dir, Map.of(), "--web.config.file=" + web)) {
            String base = "https://127.0.0.1:" + image.port();
            HttpClient withCert = client(server, clientKeys);

            HttpResponse<String> ok = get(withCert, base + "/metrics", "prometheus:Web-Sec-pw-1");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(ok.body()).contains("pgvigil_build_info{");
            assertThat(ok.headers().firstValue("X-Content-Type-Options")).contains("nosniff");

            HttpResponse<String> noAuth = get(withCert, base + "/metrics", null);
            assertThat(noAuth.statusCode()).isEqualTo(401);
            assertThat(noAuth.headers().firstValue("WWW-Authenticate")).contains("Basic");
            assertThat(get(withCert, base + "/metrics", "prometheus:wrong").statusCode()).isEqualTo(401);
            assertThat(get(withCert, base + "/-/healthy", "someone:Web-Sec-pw-1").statusCode()).isEqualTo(401);

            // no client certificate: the handshake fails; plain HTTP gets no answer
            assertThatThrownBy(() -> get(client(server, null), base + "/metrics", "prometheus:Web-Sec-pw-1"))
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> image.get("/metrics")).isInstanceOf(IOException.class);

            // reload: another user; the old one is refused
            Files.writeString(web, webConfig("scraper", HASH_2));
            image.signal("HUP");
            image.awaitLog("msg=\"Completed loading of web config file\"", 30);
            assertThat(get(withCert, base + "/metrics", "scraper:Web-Sec-pw-2").statusCode()).isEqualTo(200);
            assertThat(get(withCert, base + "/metrics", "prometheus:Web-Sec-pw-1").statusCode()).isEqualTo(401);

            // a broken web config: the reload fails, the users in force stay
            Files.writeString(web, webConfig("scraper", "plaintext-password"));
            HttpRequest post = HttpRequest.newBuilder(URI.create(base + "/-/reload")).POST(HttpRequest.BodyPublishers.noBody())
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("scraper:Web-Sec-pw-2".getBytes(StandardCharsets.UTF_8)))
                    .build();
            HttpResponse<String> failed = withCert.send(post, HttpResponse.BodyHandlers.ofString());
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(failed.body()).contains("basic_auth_users.scraper: is not a bcrypt hash").doesNotContain("plaintext-password");
            assertThat(get(withCert, base + "/metrics", "scraper:Web-Sec-pw-2").statusCode()).isEqualTo(200);
            assertThat(image.log()).doesNotContain("plaintext-password").doesNotContain(HASH_1).doesNotContain(HASH_2);

            // client_allowed_sans: the client certificate (SANs 127.0.0.1 and localhost) is no longer allowed
            Files.writeString(web, webConfig("scraper", HASH_2, "prometheus.example"));
            // (the reload answers 500 for the auth-module file, which this test does not write; the web config is applied)
            assertThat(withCert.send(post, HttpResponse.BodyHandlers.ofString()).body()).contains("reloaded web config file " + web);
            HttpResponse<String> forbidden = get(client(server, clientKeys), base + "/metrics", "scraper:Web-Sec-pw-2");
            assertThat(forbidden.statusCode()).isEqualTo(403);
            assertThat(forbidden.body()).isEqualTo("Forbidden: the client certificate has no allowed SAN\n");
        }
    }

    private static HttpResponse<String> reload(HttpClient client, String base, String userAndPassword) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/-/reload")).POST(HttpRequest.BodyPublishers.noBody())
                                   .timeout(Duration.ofSeconds(30))
                                   .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                                           userAndPassword.getBytes(StandardCharsets.UTF_8)))
                                   .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until {@code count} log lines say the image listens, with {@code tls} on or off. */
    private static void awaitListening(ImageProcess image, boolean tls, long count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (image.log().lines().filter(l -> l.contains("msg=\"Listening on\"") && l.contains("tls=" + tls)).count() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never listened " + count + " times with tls=" + tls + ":\n" + image.log());
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aReloadSwitchesTlsOnAndOffOnTheSameAddressAndABrokenFileKeepsTheLastGoodState(@TempDir Path dir) throws Exception {
        KeyStore server = keyPair(dir, "server");
        Path web = dir.resolve("web.yml");
        String plainFile = "basic_auth_users:\n  prometheus: " + HASH_1 + "\n";
        String tlsFile = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                         + "basic_auth_users:\n  scraper: " + HASH_2 + "\n";
        Files.writeString(web, plainFile);
        try (ImageProcess image = ImageProcess.start(dir, Map.of(), "--web.config.file=" + web)) {
            String http = "http://127.0.0.1:" + image.port();
            String https = "https://127.0.0.1:" + image.port();
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpClient tls = client(server, null);
            assertThat(get(plain, http + "/metrics", "prometheus:Web-Sec-pw-1").statusCode()).isEqualTo(200);

            // a file that would switch TLS on but is broken: refused, the plain listener and its users stay
            Files.writeString(web, tlsFile.replace("key_file: server.key", "key_file: missing.key"));
            HttpResponse<String> refused = reload(plain, http, "prometheus:Web-Sec-pw-1");
            assertThat(refused.statusCode()).isEqualTo(500);
            assertThat(refused.body()).contains("tls_server_config.key_file").doesNotContain("switches TLS");
            assertThat(get(plain, http + "/metrics", "prometheus:Web-Sec-pw-1").statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> get(tls, https + "/metrics", "scraper:Web-Sec-pw-2")).isInstanceOf(IOException.class);

            // plain -> TLS by POST /-/reload: answered in plain HTTP, then the same port serves HTTPS only
            Files.writeString(web, tlsFile);
            HttpResponse<String> on = reload(plain, http, "prometheus:Web-Sec-pw-1");
            // (500 for the auth-module file, which this test does not write; the web config is applied)
            assertThat(on.body()).contains("reloaded web config file " + web + ", which switches TLS on: the listeners restart after this answer");
            awaitListening(image, true, 1);
            HttpResponse<String> overTls = get(tls, https + "/metrics", "scraper:Web-Sec-pw-2");
            assertThat(overTls.statusCode()).isEqualTo(200);
            assertThat(overTls.body()).contains("pgvigil_build_info{");
            assertThat(get(tls, https + "/metrics", "prometheus:Web-Sec-pw-1").statusCode()).isEqualTo(401);
            assertThatThrownBy(() -> image.get("/metrics")).isInstanceOf(IOException.class);

            // a broken file while TLS is on: refused, TLS and the users in force stay
            Files.writeString(web, tlsFile.replace(HASH_2, "plaintext-password"));
            HttpResponse<String> broken = reload(tls, https, "scraper:Web-Sec-pw-2");
            assertThat(broken.statusCode()).isEqualTo(500);
            assertThat(broken.body()).contains("basic_auth_users.scraper: is not a bcrypt hash").doesNotContain("plaintext-password");
            assertThat(get(tls, https + "/metrics", "scraper:Web-Sec-pw-2").statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> image.get("/metrics")).isInstanceOf(IOException.class);

            // TLS -> plain by SIGHUP: the same port serves plain HTTP again, with the file's users
            Files.writeString(web, plainFile);
            image.signal("HUP");
            awaitListening(image, false, 2);
            assertThat(get(plain, http + "/metrics", "prometheus:Web-Sec-pw-1").statusCode()).isEqualTo(200);
            assertThat(get(plain, http + "/metrics", "scraper:Web-Sec-pw-2").statusCode()).isEqualTo(401);
            assertThatThrownBy(() -> get(tls, https + "/metrics", "prometheus:Web-Sec-pw-1")).isInstanceOf(IOException.class);
            assertThat(image.process().isAlive()).isTrue();
            assertThat(image.log()).doesNotContain("plaintext-password").doesNotContain(HASH_1).doesNotContain(HASH_2)
                    .doesNotContain("Error switching TLS");
        }
    }

    @Test
    void aBrokenWebConfigStopsTheStartWithAClearError(@TempDir Path dir) throws Exception {
        Path web = dir.resolve("web.yml");
        Files.writeString(web, "tls_server_config:\n  cert_file: missing.crt\n");
        Path log = dir.resolve("out.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("pgvigil.image"), "bin", "pgvigil").toString(),
                                       "--web.listen-address=127.0.0.1:0", "--web.config.file=" + web)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exits").isTrue();
            assertThat(p.exitValue()).isEqualTo(1);
            String out = Files.readString(log);
            assertThat(List.of(out.split("\n"))).anyMatch(l -> l.contains("msg=\"Error running HTTP server\"")
                                                               && l.contains("tls_server_config.cert_file: cannot read"));
            assertThat(out).contains("tls_server_config.key_file: is required").doesNotContain("Listening on");
        } finally {
            p.destroyForcibly();
        }
    }
}
