package io.pgvigil.connect;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * pgvigil's own TLS set-up for a connection with a client certificate ({@code sslcert} and {@code sslkey}, from a
 * {@code type: cert} auth module or from {@code options}): the certificate chain and the key are read into memory on
 * every new connection (so a renewed certificate needs no reload), the key in any form {@link ClientKeys} reads, and
 * nothing is ever written to disk. The server certificate is checked as libpq checks it: against {@code sslrootcert}
 * (or the JDK's trust store for {@code sslrootcert=system}) for {@code verify-ca} and {@code verify-full}, and for
 * {@code require}, {@code prefer} and {@code allow} only when an {@code sslrootcert} is given. The host name of
 * {@code verify-full} is checked by pgjdbc after the handshake, whatever the socket factory.
 */
final class ClientTls {

    static final String ALIAS = "pgvigil-client";
    private static final List<String> VERIFYING = List.of("verify-ca", "verify-full");

    private ClientTls() {
    }

    /** Whether pgvigil handles TLS for these (libpq) parameters itself: a client certificate and TLS not disabled. */
    static boolean applies(Map<String, String> parameters) {
        return (parameters.containsKey("sslcert") || parameters.containsKey("sslkey"))
                && !"disable".equals(parameters.get("sslmode"));
    }

    /**
     * Reads the files and builds the socket factory.
     *
     * @param parameters the target's libpq parameters, merged with its auth module
     * @return the factory
     * @throws ClientKeys.KeyException when a file is missing, unreadable or of the wrong kind, the key is encrypted
     *                                 and the passphrase wrong, or key and certificate do not belong together; the
     *                                 message names files, never their contents or the passphrase
     */
    static SSLSocketFactory socketFactory(Map<String, String> parameters) throws ClientKeys.KeyException {
        String certFile = parameters.get("sslcert");
        String keyFile = parameters.get("sslkey");
        if (certFile == null || certFile.isEmpty() || keyFile == null || keyFile.isEmpty()) {
            throw new ClientKeys.KeyException("a client certificate needs both sslcert and sslkey");
        }
        List<X509Certificate> chain = certificates(Path.of(certFile), "sslcert");
        if (chain.isEmpty()) {
            throw new ClientKeys.KeyException("sslcert " + certFile + " holds no certificate");
        }
        PrivateKey key = key(Path.of(keyFile), Optional.ofNullable(parameters.get("sslpassword")));
        checkPair(key, chain.getFirst(), keyFile, certFile);
        TrustManager trust = trustManager(parameters);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new FixedKeyManager(key, chain.toArray(X509Certificate[]::new))},
                    new TrustManager[] {trust}, new SecureRandom());
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new ClientKeys.KeyException("cannot set up TLS: " + e.getClass().getSimpleName());
        }
    }

    private static PrivateKey key(Path file, Optional<String> passphrase) throws ClientKeys.KeyException {
        byte[] bytes = read(file, "sslkey");
        char[] chars = passphrase.map(String::toCharArray).orElse(null);
        try {
            return ClientKeys.parse(bytes, Optional.ofNullable(chars));
        } catch (ClientKeys.KeyException e) {
            throw new ClientKeys.KeyException("sslkey " + file + ": " + e.getMessage());
        } finally {
            Arrays.fill(bytes, (byte) 0);
            if (chars != null) {
                Arrays.fill(chars, '\0');
            }
        }
    }

    private static List<X509Certificate> certificates(Path file, String what) throws ClientKeys.KeyException {
        byte[] bytes = read(file, what);
        try {
            return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))
                    .stream().map(X509Certificate.class::cast).toList();
        } catch (CertificateException | RuntimeException e) {
            throw new ClientKeys.KeyException(what + " " + file + " is not a certificate file (PEM or DER)");
        }
    }

    private static byte[] read(Path file, String what) throws ClientKeys.KeyException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException | SecurityException e) {
            throw new ClientKeys.KeyException(what + " " + file + " cannot be read (" + e.getClass().getSimpleName()
                    + ")");
        }
    }

    /** Signs a random challenge with the key and checks it with the certificate's public key. */
    private static void checkPair(PrivateKey key, X509Certificate cert, String keyFile, String certFile)
            throws ClientKeys.KeyException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm();
        };
        boolean matches;
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            if ("RSASSA-PSS".equals(algorithm)) {
                signer.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            signer.initVerify(cert.getPublicKey());
            signer.update(challenge);
            matches = signer.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            matches = false;
        }
        if (!matches) {
            throw new ClientKeys.KeyException("the key in sslkey " + keyFile + " does not belong to the certificate"
                    + " in sslcert " + certFile);
        }
    }

    private static TrustManager trustManager(Map<String, String> parameters) throws ClientKeys.KeyException {
        String mode = parameters.getOrDefault("sslmode", "prefer");
        String root = parameters.getOrDefault("sslrootcert", "");
        if (root.isEmpty()) {
            if (!VERIFYING.contains(mode)) {
                return new TrustAll();
            }
            root = Path.of(System.getProperty("user.home", "/"), ".postgresql", "root.crt").toString();
        }
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if ("system".equals(root)) {
                factory.init((KeyStore) null);
            } else {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                int i = 0;
                for (Certificate c : certificates(Path.of(root), "sslrootcert")) {
                    store.setCertificateEntry("root-" + i++, c);
                }
                if (i == 0) {
                    throw new ClientKeys.KeyException("sslrootcert " + root + " holds no certificate");
                }
                factory.init(store);
            }
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509TrustManager) {
                    return tm;
                }
            }
            throw new ClientKeys.KeyException("the JDK offers no X.509 trust manager");
        } catch (GeneralSecurityException | IOException e) {
            throw new ClientKeys.KeyException("cannot use sslrootcert " + root + " (" + e.getClass().getSimpleName()
                    + ")");
        }
    }

    /** Always offers the one configured certificate, as libpq does, whatever issuers the server names. */
    private static final class FixedKeyManager extends X509ExtendedKeyManager {
        private final PrivateKey key;
        private final X509Certificate[] chain;

        FixedKeyManager(PrivateKey key, X509Certificate[] chain) {
            this.key = key;
            this.chain = chain;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[0];
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }

        @Override
        public String toString() {
            return "FixedKeyManager[" + chain[0].getSubjectX500Principal() + "]";
        }
    }

    /** libpq's {@code require} (and {@code prefer}, {@code allow}) without {@code sslrootcert}: encryption only. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
