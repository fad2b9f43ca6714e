package io.pgvigil.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throw-away public-key infrastructure for TLS tests, generated once per JVM with the {@code openssl} command line
 * into a temporary directory (mode 0700, deleted at JVM exit): a test CA, server certificates for {@code localhost}
 * and {@code 127.0.0.1} (valid, expired, and one for another host name), a second CA that no server trusts, and client
 * certificates with their keys in every form libpq users have (see {@link KeyForm}). Nothing here is secret outside
 * the tests; the encrypted keys use {@link #KEY_PASSPHRASE}.
 */
public final class TestPki {

    /** The passphrase of the {@link KeyForm#RSA_PKCS8_ENCRYPTED encrypted} client key. */
    public static final String KEY_PASSPHRASE = "pki-Pa55phrase";
    /** The role (and certificate common name) that logs in with a client certificate alone. */
    public static final String CERT_ROLE = "pgvigil_cert";
    /** The role (and certificate common name) that needs a client certificate and its password. */
    public static final String CERT_PASSWORD_ROLE = "pgvigil_certpw";

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static TestPki shared;

    private final Path dir;

    /** Which server certificate a TLS server presents. */
    public enum ServerCertificate {
        /** Signed by the test CA, for {@code localhost} and {@code 127.0.0.1}, valid for ten years. */
        VALID("server.crt"),
        /** Signed by the test CA, for {@code localhost} and {@code 127.0.0.1}, but expired. */
        EXPIRED("server-expired.crt"),
        /** Signed by the test CA, valid, but only for {@code wrong.example} (a host-name mismatch under verify-full). */
        OTHER_HOST("server-other-host.crt");

        private final String file;

        ServerCertificate(String file) {
            this.file = file;
        }
    }

    /** The forms a client key file comes in; the certificate's common name is {@link #CERT_ROLE}. */
    public enum KeyForm {
        /** RSA, PEM PKCS#8 ({@code BEGIN PRIVATE KEY}). */
        RSA_PKCS8_PEM("client-rsa.crt", "client-rsa.pk8.pem"),
        /** RSA, PEM PKCS#1 ({@code BEGIN RSA PRIVATE KEY}). */
        RSA_PKCS1_PEM("client-rsa.crt", "client-rsa.pkcs1.pem"),
        /** RSA, PEM encrypted PKCS#8 ({@code BEGIN ENCRYPTED PRIVATE KEY}, PBES2/AES-256), {@link #KEY_PASSPHRASE}. */
        RSA_PKCS8_ENCRYPTED("client-rsa.crt", "client-rsa.enc.pem"),
        /** RSA, DER PKCS#8 (binary, pgjdbc's {@code .pk8}). */
        RSA_PKCS8_DER("client-rsa.crt", "client-rsa.pk8.der"),
        /** EC P-256, PEM SEC1 ({@code BEGIN EC PRIVATE KEY}). */
        EC_SEC1_PEM("client-ec.crt", "client-ec.sec1.pem"),
        /** EC P-256, PEM PKCS#8. */
        EC_PKCS8_PEM("client-ec.crt", "client-ec.pk8.pem");

        private final String certificate;
        private final String key;

        KeyForm(String certificate, String key) {
            this.certificate = certificate;
            this.key = key;
        }
    }

    /**
     * A client certificate (PEM) and its private key.
     *
     * @param certificate the certificate file
     * @param key         the private key file
     */
    public record ClientIdentity(Path certificate, Path key) {
    }

    private TestPki(Path dir) {
        this.dir = dir;
    }

    /** The PKI of this JVM, generated on first use. Needs {@code openssl} on the PATH. */
    public static synchronized TestPki shared() {
        if (shared == null) {
            shared = generate();
        }
        return shared;
    }

    /** The directory holding every file. */
    public Path directory() {
        return dir;
    }

    /** The test CA's certificate (PEM): what a client puts in {@code sslrootcert}, and what the servers trust. */
    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    /** The certificate (PEM) of a second CA, which signed nothing the servers present. */
    public Path unknownCaCertificate() {
        return dir.resolve("unknown-ca.crt");
    }

    /** A server certificate (PEM). */
    public Path serverCertificate(ServerCertificate which) {
        return dir.resolve(which.file);
    }

    /** The private key (PEM, unencrypted) of every server certificate. */
    public Path serverKey() {
        return dir.resolve("server.key");
    }

    /** A client identity for {@link #CERT_ROLE} with its key in {@code form}. */
    public ClientIdentity client(KeyForm form) {
        return new ClientIdentity(dir.resolve(form.certificate), dir.resolve(form.key));
    }

    /** A client identity for {@link #CERT_PASSWORD_ROLE} (RSA, PEM PKCS#8). */
    public ClientIdentity passwordRoleClient() {
        return new ClientIdentity(dir.resolve("client-pw.crt"), dir.resolve("client-pw.pk8.pem"));
    }

    /** A client identity for {@link #CERT_ROLE} signed by the unknown CA: the server refuses it. */
    public ClientIdentity unknownCaClient() {
        return new ClientIdentity(dir.resolve("client-unknown-ca.crt"), dir.resolve("client-unknown-ca.pk8.pem"));
    }

    // ------------------------------------------------------------------------------------------------ generation

    private static TestPki generate() {
        Path dir;
        try {
            dir = Files.createTempDirectory("pgvigil-pki-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the test PKI", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir), "pgvigil-pki-cleanup"));
        TestPki pki = new TestPki(dir);
        pki.writeExtensions();
        pki.selfSigned("ca", "/CN=pgvigil test CA");
        pki.selfSigned("unknown-ca", "/CN=pgvigil unknown CA");
        pki.rsaKey("server.key");
        pki.sign("server.key", "/CN=localhost", "ca", "server.ext", "3650", "server.crt");
        pki.sign("server.key", "/CN=localhost", "ca", "server.ext", "-1", "server-expired.crt");
        pki.sign("server.key", "/CN=wrong.example", "ca", "other-host.ext", "3650", "server-other-host.crt");

        pki.rsaKey("client-rsa.pk8.pem");
        pki.sign("client-rsa.pk8.pem", "/CN=" + CERT_ROLE, "ca", "client.ext", "3650", "client-rsa.crt");
        pki.openssl("pkey", "-in", "client-rsa.pk8.pem", "-traditional", "-out", "client-rsa.pkcs1.pem");
        pki.openssl("pkcs8", "-topk8", "-in", "client-rsa.pk8.pem", "-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256",
                "-passout", "pass:" + KEY_PASSPHRASE, "-out", "client-rsa.enc.pem");
        pki.openssl("pkcs8", "-topk8", "-nocrypt", "-in", "client-rsa.pk8.pem", "-outform", "DER",
                "-out", "client-rsa.pk8.der");

        pki.openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "client-ec.sec1.pem");
        pki.openssl("pkcs8", "-topk8", "-nocrypt", "-in", "client-ec.sec1.pem", "-out", "client-ec.pk8.pem");
        pki.sign("client-ec.sec1.pem", "/CN=" + CERT_ROLE, "ca", "client.ext", "3650", "client-ec.crt");

        pki.rsaKey("client-pw.pk8.pem");
        pki.sign("client-pw.pk8.pem", "/CN=" + CERT_PASSWORD_ROLE, "ca", "client.ext", "3650", "client-pw.crt");
        pki.rsaKey("client-unknown-ca.pk8.pem");
        pki.sign("client-unknown-ca.pk8.pem", "/CN=" + CERT_ROLE, "unknown-ca", "client.ext", "3650",
                "client-unknown-ca.crt");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restrict the test PKI files", e);
        }
        return pki;
    }

    private void writeExtensions() {
        try {
            Files.writeString(dir.resolve("server.ext"), """
                    basicConstraints = critical, CA:FALSE
                    keyUsage = critical, digitalSignature, keyEncipherment
                    extendedKeyUsage = serverAuth
                    subjectAltName = DNS:localhost, IP:127.0.0.1
                    """);
            Files.writeString(dir.resolve("other-host.ext"), """
                    basicConstraints = critical, CA:FALSE
                    keyUsage = critical, digitalSignature, keyEncipherment
                    extendedKeyUsage = serverAuth
                    subjectAltName = DNS:wrong.example
                    """);
            Files.writeString(dir.resolve("client.ext"), """
                    basicConstraints = critical, CA:FALSE
                    keyUsage = critical, digitalSignature, keyEncipherment
                    extendedKeyUsage = clientAuth
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the openssl extension files", e);
        }
    }

    private void selfSigned(String name, String subject) {
        rsaKey(name + ".key");
        openssl("req", "-x509", "-new", "-key", name + ".key", "-subj", subject, "-days", "3650", "-sha256",
                "-out", name + ".crt");
    }

    private void rsaKey(String file) {
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", file);
    }

    /** Signs a new certificate for {@code key} by CA {@code ca}; negative {@code days} make it expired. */
    private void sign(String key, String subject, String ca, String extensions, String days, String out) {
        String csr = out + ".csr";
        openssl("req", "-new", "-key", key, "-subj", subject, "-out", csr);
        openssl("x509", "-req", "-in", csr, "-CA", ca + ".crt", "-CAkey", ca + ".key", "-set_serial",
                Long.toString(System.nanoTime() & Long.MAX_VALUE), "-days", days, "-sha256", "-extfile", extensions,
                "-out", out);
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Exec.Result r = Exec.run(command, dir, TIMEOUT);
        if (!r.ok()) {
            throw new IllegalStateException("cannot generate the test PKI (openssl is needed; scripts/bootstrap"
                    + " installs it): " + r.describe());
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }
}
