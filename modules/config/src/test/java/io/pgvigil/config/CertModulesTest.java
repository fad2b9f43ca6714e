package io.pgvigil.config;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.Credentials;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code type: cert} in the config file: what loads, what is refused at load, and what the summary shows. */
class CertModulesTest {
    @TempDir
    Path dir;
    private Path crt;
    private Path key;
    private Path ca;

    @BeforeEach
    void files() throws IOException {
        crt = Files.writeString(dir.resolve("client.crt"), "not parsed at load");
        key = Files.writeString(dir.resolve("client.key"), "KEY-MATERIAL-SECRET");
        ca = Files.writeString(dir.resolve("ca.crt"), "not parsed at load");
    }

    private LoadResult load(String yaml) throws IOException {
        Path file = dir.resolve("postgres_exporter.yml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(file);
    }

    private List<String> errors(String yaml) throws IOException {
        LoadResult result = load(yaml);
        assertThat(result).isInstanceOf(LoadResult.Invalid.class);
        String prefix = dir.resolve("postgres_exporter.yml") + ": ";
        return ((LoadResult.Invalid) result).errors().stream()
                .peek(e -> assertThat(e).startsWith(prefix))
                .map(e -> e.substring(prefix.length())).toList();
    }

    private String module(String certBody) {
        return "auth_modules:\n  certs:\n    type: cert\n    cert:\n" + certBody;
    }

    private String fields() {
        return "      username: monitor\n      sslcert: " + crt + "\n      sslkey: " + key + "\n      sslrootcert: " + ca + "\n";
    }

    @Test
    void aCertModuleLoadsWithVerifyFullByDefault() throws IOException {
        LoadResult result = load(module(fields() + "      sslpassword: Key-Pa55phrase\n")
                + "    options:\n      application_name: pgvigil\n");
        assertThat(result).isInstanceOf(LoadResult.Loaded.class);
        AuthModule m = result.config().module("certs").orElseThrow();
        Credentials.Cert cert = (Credentials.Cert) m.credentials();
        assertThat(cert.username()).isEqualTo("monitor");
        assertThat(cert.sslcert()).isEqualTo(crt.toString());
        assertThat(cert.sslkey()).isEqualTo(key.toString());
        assertThat(cert.sslrootcert()).isEqualTo(ca.toString());
        assertThat(cert.sslmode()).isEqualTo("verify-full");
        assertThat(cert.sslpassword().orElseThrow().reveal()).isEqualTo("Key-Pa55phrase");
        assertThat(m.options()).isEqualTo(Map.of("application_name", "pgvigil"));
        String summary = ConfigLoader.summary(m);
        assertThat(summary).isEqualTo("type=cert user=monitor sslcert=" + crt + " sslkey=" + key
                + " sslpassword=****** sslrootcert=" + ca + " sslmode=verify-full options=\"application_name=pgvigil\"");
        assertThat(m.toString()).doesNotContain("Key-Pa55phrase");
    }

    @Test
    void verifyCaAndTheSystemTrustStoreAreAccepted() throws IOException {
        LoadResult result = load(module("      username: monitor\n      sslcert: " + crt + "\n      sslkey: " + key
                + "\n      sslrootcert: system\n      sslmode: verify-ca\n"));
        Credentials.Cert cert = (Credentials.Cert) result.config().module("certs").orElseThrow().credentials();
        assertThat(cert.sslrootcert()).isEqualTo("system");
        assertThat(cert.sslmode()).isEqualTo("verify-ca");
        assertThat(cert.sslpassword()).isEmpty();
    }

    @Test
    void aModeThatDoesNotVerifyIsRefused() throws IOException {
        for (String mode : List.of("require", "prefer", "allow", "disable")) {
            assertThat(errors(module(fields() + "      sslmode: " + mode + "\n"))).containsExactly(
                    "auth_modules.certs.cert.sslmode: must be verify-ca or verify-full (default): a cert module always"
                    + " verifies the server certificate");
        }
    }

    @Test
    void missingFieldsAndUnreadableFilesAreNamedWithoutContents() throws IOException {
        Path gone = dir.resolve("gone.key");
        List<String> errors = errors(module("      sslcert: " + crt + "\n      sslkey: " + gone + "\n"
                + "      sslpassword: Key-Pa55phrase\n      colour: blue\n"));
        assertThat(errors).containsExactlyInAnyOrder(
                "auth_modules.certs.cert: unknown key \"colour\" (allowed: username, sslcert, sslkey, sslpassword,"
                + " sslrootcert, sslmode)",
                "auth_modules.certs.cert.username: is required",
                "auth_modules.certs.cert.sslkey: file \"" + gone + "\" does not exist or cannot be read",
                "auth_modules.certs.cert.sslrootcert: is required");
        assertThat(String.join("\n", errors)).doesNotContain("Key-Pa55phrase").doesNotContain("KEY-MATERIAL");
        assertThat(errors(module(fields() + "      sslpassword: ''\n")))
                .containsExactly("auth_modules.certs.cert.sslpassword: must not be empty");
    }

    @Test
    void sectionsMustMatchTheType() throws IOException {
        assertThat(errors("auth_modules:\n  certs:\n    type: cert\n"))
                .containsExactly("auth_modules.certs: \"cert\" is required when type is cert");
        assertThat(errors(module(fields()) + "    userpass:\n      username: u\n      password: p\n"))
                .containsExactly("auth_modules.certs.userpass: not allowed with type cert");
        assertThat(errors(module(fields()) + "    options:\n      sslmode: require\n      sslkey: /x\n"))
                .containsExactlyInAnyOrder(
                        "auth_modules.certs.options.sslmode: belongs in the cert section with type cert",
                        "auth_modules.certs.options.sslkey: belongs in the cert section with type cert");
        assertThat(errors("auth_modules:\n  up:\n    type: userpass\n    userpass:\n      username: u\n"
                + "      password: p\n    cert:\n" + fields()))
                .containsExactly("auth_modules.up.cert: only allowed with type cert (a userpass module takes a client"
                        + " certificate in options: sslcert, sslkey, sslpassword)");
    }

    @Test
    void userpassWithAClientCertificateInOptionsLoads() throws IOException {
        LoadResult result = load("auth_modules:\n  both:\n    type: userpass\n    userpass:\n      username: u\n"
                + "      password: p\n    options:\n      sslmode: verify-full\n      sslrootcert: " + ca
                + "\n      sslcert: " + crt + "\n      sslkey: " + key + "\n      sslpassword: Key-Pa55phrase\n");
        AuthModule m = result.config().module("both").orElseThrow();
        assertThat(m.options()).containsEntry("sslcert", crt.toString()).containsEntry("sslkey", key.toString());
        assertThat(ConfigLoader.summary(m)).contains("sslpassword=******").doesNotContain("Key-Pa55phrase");
    }

    @Test
    void theExampleFileIsValidButForItsCertificateFiles() throws IOException {
        Path example = Path.of("../../config/postgres_exporter.yml.example").toAbsolutePath().normalize();
        LoadResult result = ConfigLoader.load(example, Environment.of(Map.of(
                "PG_MONITOR_USER", "monitor", "PG_MONITOR_PASSWORD", "from-env")));
        assertThat(result).isInstanceOf(LoadResult.Invalid.class);
        assertThat(((LoadResult.Invalid) result).errors()).containsExactlyInAnyOrder(
                example + ": auth_modules.cert_db.cert.sslcert: file \"/etc/pgvigil/monitor.crt\" does not exist or cannot be read",
                example + ": auth_modules.cert_db.cert.sslkey: file \"/etc/pgvigil/monitor.key\" does not exist or cannot be read",
                example + ": auth_modules.cert_db.cert.sslrootcert: file \"/etc/pgvigil/ca.pem\" does not exist or cannot be read");
    }
}
