package io.pgvigil.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.ServerWide;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path file;
    private String f;

    private LoadResult load(String yaml) throws IOException {
        file = dir.resolve("postgres_exporter.yml");
        f = file.toString();
        Files.writeString(file, yaml);
        return ConfigLoader.load(file);
    }

    private List<String> errors(String yaml) throws IOException {
        LoadResult result = load(yaml);
        assertThat(result).isInstanceOf(LoadResult.Invalid.class);
        assertThat(result.config()).isEqualTo(AuthConfig.empty());
        assertThat(result.successful()).isFalse();
        return ((LoadResult.Invalid) result).errors();
    }

    private static Credentials.UserPass userPass(AuthModule module) {
        return (Credentials.UserPass) module.credentials();
    }

    /** One valid module body, indented for a module under {@code auth_modules}. */
    private static final String VALID_MODULE = """
                type: userpass
                userpass:
                  username: monitor
                  password: s3cret
            """;

    @Test
    void goodFileWithTwoModulesLoads() throws URISyntaxException {
        Path good = Path.of(Objects.requireNonNull(getClass().getResource("/postgres_exporter.yml")).toURI());

        LoadResult result = ConfigLoader.load(good);

        assertThat(result).isInstanceOf(LoadResult.Loaded.class);
        assertThat(result.successful()).isTrue();
        assertThat(result.file()).isEqualTo(good);
        AuthConfig config = result.config();
        assertThat(config.modules().keySet()).containsExactly("prod_db", "staging");

        AuthModule prod = config.module("prod_db").orElseThrow();
        assertThat(prod.name()).isEqualTo("prod_db");
        assertThat(userPass(prod).username()).isEqualTo("monitor");
        assertThat(userPass(prod).password().reveal()).isEqualTo("s3cret");
        assertThat(prod.options()).containsExactly(
                Map.entry("application_name", "pgvigil"), Map.entry("sslmode", "disable"));

        AuthModule staging = config.module("staging").orElseThrow();
        assertThat(userPass(staging).username()).isEqualTo("stage monitor");
        assertThat(userPass(staging).password().reveal()).isEqualTo("p@ss: word");
        assertThat(staging.options()).containsExactly(
                Map.entry("connect_timeout", "10"), Map.entry("sslmode", "verify-full"));

        assertThat(config.module("nope")).isEmpty();
        assertThat(result.describe()).isEqualTo("loaded config file " + good + ": 2 auth modules (prod_db, staging)");
    }

    @Test
    void scalarsAreKeptExactlyAsWritten() throws IOException {
        LoadResult result = load("""
                auth_modules:
                  m:
                    type: userpass
                    userpass:
                      username: 1234
                      password: 012345
                    options:
                      connect_timeout: 10
                      application_name: yes
                      fallback_application_name: 2024-01-02
                      krbsrvname: 0x1F
                      sslrootcert: 1.50
                      sslpassword: "quoted"
                      options: 1_000
                """);

        assertThat(result).as(() -> result instanceof LoadResult.Invalid i ? i.errors().toString() : "")
                .isInstanceOf(LoadResult.Loaded.class);
        AuthModule m = result.config().module("m").orElseThrow();
        assertThat(userPass(m).username()).isEqualTo("1234");
        // YAML 1.1 would read 012345 as octal 5349; upstream's yaml.v3 keeps the text, and so do we.
        assertThat(userPass(m).password().reveal()).isEqualTo("012345");
        assertThat(m.options()).containsExactly(
                Map.entry("application_name", "yes"), Map.entry("connect_timeout", "10"),
                Map.entry("fallback_application_name", "2024-01-02"), Map.entry("krbsrvname", "0x1F"),
                Map.entry("options", "1_000"),
                Map.entry("sslpassword", "quoted"), Map.entry("sslrootcert", "1.50"));
    }

    @Test
    void aNullOptionIsAnEmptyStringWhichTheParameterRulesReject() throws IOException {
        assertThat(errors("""
                auth_modules:
                  m:
                    type: userpass
                    userpass: {username: monitor, password: s3cret}
                    options:
                      sslcert: ~
                """)).singleElement().asString()
                .startsWith(f + ": auth_modules.m.options: ").contains("\"sslcert\" must not be empty");
    }

    @Test
    void moduleNameWithDotsStaysOneName() throws IOException {
        LoadResult result = load("auth_modules:\n  prod.db.eu:\n" + VALID_MODULE);

        assertThat(result.config().modules().keySet()).containsExactly("prod.db.eu");
    }

    @Test
    void mergeKeysAreApplied() throws IOException {
        LoadResult result = load("""
                auth_modules:
                  base: &base
                    type: userpass
                    userpass: {username: monitor, password: s3cret}
                    options: {sslmode: disable}
                  eu:
                    <<: *base
                    options: {sslmode: require}
                """);

        AuthModule eu = result.config().module("eu").orElseThrow();
        assertThat(userPass(eu).username()).isEqualTo("monitor");
        assertThat(eu.options()).containsExactly(Map.entry("sslmode", "require"));
        assertThat(result.config().module("base").orElseThrow().options()).containsExactly(Map.entry("sslmode", "disable"));
    }

    @Test
    void emptyMapsGiveNoModules() throws IOException {
        assertThat(load("{}\n")).isEqualTo(new LoadResult.Loaded(file, AuthConfig.empty()));
        assertThat(load("auth_modules:\n")).isEqualTo(new LoadResult.Loaded(file, AuthConfig.empty()));
        assertThat(load("auth_modules: {}\n").describe()).isEqualTo("loaded config file " + f + ": no auth modules");
    }

    @Test
    void missingFileIsMissing() {
        Path missing = dir.resolve("nope.yml");

        LoadResult result = ConfigLoader.load(missing);

        assertThat(result).isEqualTo(new LoadResult.Missing(missing));
        assertThat(result.config()).isEqualTo(AuthConfig.empty());
        assertThat(result.successful()).isFalse();
        assertThat(result.describe()).isEqualTo("config file " + missing + " not found; running without auth modules");
    }

    @Test
    void directoryIsInvalid() {
        LoadResult result = ConfigLoader.load(dir);

        assertThat(result).isEqualTo(new LoadResult.Invalid(dir, List.of(dir + ": is a directory, not a file")));
        assertThat(result.describe())
                .isEqualTo("config file " + dir + " is invalid (1 error); running without auth modules");
    }

    @Test
    void emptyFileIsInvalid() throws IOException {
        String expected = "file is empty (expected a map with the key \"auth_modules\")";
        assertThat(errors("")).containsExactly(f + ": " + expected);
        assertThat(errors("# nothing but a comment\n\n")).containsExactly(f + ": " + expected);
        assertThat(errors("---\n")).containsExactly(f + ": " + expected);
    }

    @Test
    void yamlSyntaxErrorNamesLineColumnAndKeyPath() throws IOException {
        assertThat(errors("""
                auth_modules:
                  prod_db:
                    type: userpass
                    userpass:
                      username: monitor
                     password: s3cret
                """)).containsExactly(f + ": auth_modules.prod_db: YAML syntax error at line 6, column 6: expected <block end>, "
                + "but found '<block mapping start>' (while parsing a block mapping at line 3, column 5)");
    }

    @Test
    void unterminatedQuoteNamesTheKeyItBelongsTo() throws IOException {
        assertThat(errors("""
                auth_modules:
                  prod_db:
                    userpass:
                      password: "s3cret
                """)).containsExactly(f + ": auth_modules.prod_db.userpass.password: YAML syntax error at line 5, column 1: "
                + "found unexpected end of stream (while scanning a quoted scalar at line 4, column 17)");
    }

    @Test
    void tabIndentationIsASyntaxError() throws IOException {
        assertThat(errors("auth_modules:\n\tprod_db: {}\n")).containsExactly(f + ": auth_modules: YAML syntax error at "
                + "line 2, column 1: found character '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB) for "
                + "indentation) (while scanning for the next token)");
    }

    @Test
    void secondDocumentIsAnError() throws IOException {
        assertThat(errors("auth_modules: {}\n---\nauth_modules: {}\n")).containsExactly(f + ": YAML syntax error at line 2, "
                + "column 1: but found another document (expected a single document in the stream at line 1, column 1)");
    }

    @Test
    void undefinedAliasIsAnError() throws IOException {
        assertThat(errors("auth_modules:\n  prod_db: *base\n"))
                .containsExactly(f + ": auth_modules: YAML syntax error at line 2, column 12: found undefined alias base");
    }

    @Test
    void unknownTopLevelKey() throws IOException {
        // upstream testdata config-bad-extra-field.yaml
        assertThat(errors("auth_modules: {}\ndoesNotExist: test\n"))
                .containsExactly(f + ": unknown key \"doesNotExist\" at the top level (allowed: auth_modules)");
    }

    @Test
    void topLevelMustBeAMap() throws IOException {
        assertThat(errors("- auth_modules\n"))
                .containsExactly(f + ": the top level must be a map with the key \"auth_modules\", not a list");
        assertThat(errors("just text\n"))
                .containsExactly(f + ": the top level must be a map with the key \"auth_modules\", not a string");
    }

    @Test
    void authModulesMustBeAMap() throws IOException {
        assertThat(errors("auth_modules: [prod_db]\n"))
                .containsExactly(f + ": auth_modules: value must be a map of module names to modules, not a list");
        assertThat(errors("auth_modules: prod_db\n"))
                .containsExactly(f + ": auth_modules: value must be a map of module names to modules, not a string");
    }

    @Test
    void unknownModuleKey() throws IOException {
        assertThat(errors("""
                auth_modules:
                  prod_db:
                    type: userpass
                    userpas:
                      username: monitor
                      password: s3cret
                """)).containsExactly(
                f + ": auth_modules.prod_db: unknown key \"userpas\" (allowed: type, userpass, options, targets, cert, connection_budget, server_wide, discovery)",
                f + ": auth_modules.prod_db: \"userpass\" is required when type is userpass");
    }

    @Test
    void optionsAreCheckedWithTheProbeRules() throws IOException {
        List<String> errors = errors("""
                auth_modules:
                  typo:
                    type: userpass
                    userpass: {username: monitor, password: s3cret}
                    options: {sslmod: disable}
                  badvalue:
                    type: userpass
                    userpass: {username: monitor, password: s3cret}
                    options: {sslmode: sometimes}
                  host:
                    type: userpass
                    userpass: {username: monitor, password: s3cret}
                    options: {host: elsewhere}
                """);
        assertThat(errors).hasSize(3);
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith(f + ": auth_modules.badvalue.options: ").contains("sslmode"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith(f + ": auth_modules.host.options: ").contains("host"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith(f + ": auth_modules.typo.options: ").contains("\"sslmod\""));
        assertThat(errors).noneMatch(e -> e.contains("s3cret"));
    }

    @Test
    void unknownUserpassKey() throws IOException {
        assertThat(errors("""
                auth_modules:
                  prod_db:
                    type: userpass
                    userpass:
                      username: monitor
                      password: s3cret
                      user: x
                """)).containsExactly(
                f + ": auth_modules.prod_db.userpass: unknown key \"user\" (allowed: username, password, username_file, password_file)");
    }

    @Test
    void missingType() throws IOException {
        assertThat(errors("""
                auth_modules:
                  prod_db:
                    userpass:
                      username: monitor
                      password: s3cret
                """)).containsExactly(f + ": auth_modules.prod_db: \"type\" is required");
        assertThat(errors("auth_modules:\n  prod_db:\n"))
                .containsExactly(f + ": auth_modules.prod_db: \"type\" is required");
    }

    @Test
    void unsupportedType() throws IOException {
        assertThat(errors("""
                auth_modules:
                  prod_db:
                    type: oauth
                    userpass:
                      username: monitor
                      password: s3cret
                """)).containsExactly(f + ": auth_modules.prod_db.type: unsupported type \"oauth\" (supported: userpass, cert)");
        assertThat(errors("auth_modules:\n  prod_db:\n    type: [userpass]\n"))
                .containsExactly(f + ": auth_modules.prod_db.type: value must be a string, not a list");
    }

    @Test
    void userpassMissing() throws IOException {
        assertThat(errors("auth_modules:\n  prod_db:\n    type: userpass\n"))
                .containsExactly(f + ": auth_modules.prod_db: \"userpass\" is required when type is userpass");
        assertThat(errors("auth_modules:\n  prod_db:\n    type: userpass\n    userpass: monitor\n"))
                .containsExactly(f + ": auth_modules.prod_db.userpass: value must be a map, not a string");
    }

    @Test
    void usernameEmptyOrMissing() throws IOException {
        assertThat(errors("""
                auth_modules:
                  prod_db:
                    type: userpass
                    userpass:
                      username: ""
                      password: s3cret
                """)).containsExactly(f + ": auth_modules.prod_db.userpass.username: must not be empty");
        assertThat(errors("""
                auth_modules:
                  prod_db:
                    type: userpass
                    userpass:
                      username:
                      password: s3cret
                """)).containsExactly(f + ": auth_modules.prod_db.userpass.username: must not be empty");
        assertThat(errors("""
                auth_modules:
                  prod_db:
                    type: userpass
                    userpass:
                      password: s3cret
                """)).containsExactly(f + ": auth_modules.prod_db.userpass.username: is required");
    }

    @Test
    void passwordMissingOrEmpty() throws IOException {
        assertThat(errors("""
                auth_modules:
                  prod_db:
                    type: userpass
                    userpass:
                      username: monitor
                """)).containsExactly(f + ": auth_modules.prod_db.userpass.password: is required");
        assertThat(errors("""
                auth_modules:
                  prod_db:
                    type: userpass
                    userpass:
                      username: monitor
                      password: ''
                """)).containsExactly(f + ": auth_modules.prod_db.userpass.password: must not be empty");
        assertThat(errors("""
                auth_modules:
                  prod_db:
                    type: userpass
                    userpass:
                      username: monitor
                      password: {value: s3cret}
                """)).containsExactly(f + ": auth_modules.prod_db.userpass.password: value must be a string, not a map");
    }

    @Test
    void optionValuesMustBeScalars() throws IOException {
        assertThat(errors("auth_modules:\n  prod_db:\n" + VALID_MODULE + """
                    options:
                      sslmode: {mode: disable}
                      application_name: [a, b]
                      connect_timeout: 10
                """)).containsExactly(
                f + ": auth_modules.prod_db.options.sslmode: value must be a string, not a map",
                f + ": auth_modules.prod_db.options.application_name: value must be a string, not a list");
    }

    @Test
    void optionsMustBeAMap() throws IOException {
        assertThat(errors("auth_modules:\n  prod_db:\n" + VALID_MODULE + "    options: [sslmode=disable]\n"))
                .containsExactly(f + ": auth_modules.prod_db.options: value must be a map, not a list");
        assertThat(errors("auth_modules:\n  prod_db:\n" + VALID_MODULE + "    options:\n      '': x\n"))
                .containsExactly(f + ": auth_modules.prod_db.options: option name must not be empty (line 8, column 7)");
    }

    @Test
    void serverWideIsReadPerModule() throws IOException {
        LoadResult result = load("auth_modules:\n  once:\n" + VALID_MODULE + "    server_wide: once\n"
                                 + "  every:\n" + VALID_MODULE + "    server_wide: every-target\n"
                                 + "  plain:\n" + VALID_MODULE);
        assertThat(result).isInstanceOf(LoadResult.Loaded.class);
        assertThat(result.config().module("once").orElseThrow().serverWide()).contains(ServerWide.ONCE);
        assertThat(result.config().module("every").orElseThrow().serverWide()).contains(ServerWide.EVERY_TARGET);
        assertThat(result.config().module("plain").orElseThrow().serverWide()).isEmpty();
        assertThat(ConfigLoader.summary(result.config().module("once").orElseThrow())).endsWith(" server_wide=once");
        assertThat(ConfigLoader.summary(result.config().module("plain").orElseThrow())).doesNotContain("server_wide");
    }

    @Test
    void serverWideMustBeOneOfItsValues() throws IOException {
        assertThat(errors("auth_modules:\n  prod_db:\n" + VALID_MODULE + "    server_wide: Once\n")).containsExactly(
                f + ": auth_modules.prod_db.server_wide: must be every-target or once, not \"Once\" (line 7, column 18)");
        assertThat(errors("auth_modules:\n  prod_db:\n" + VALID_MODULE + "    server_wide:\n")).containsExactly(
                f + ": auth_modules.prod_db.server_wide: must be every-target or once, not null (line 7, column 17)");
        assertThat(errors("auth_modules:\n  prod_db:\n" + VALID_MODULE + "    server_wide: [once]\n")).containsExactly(
                f + ": auth_modules.prod_db.server_wide: must be every-target or once, not a list (line 7, column 18)");
    }

    @Test
    void moduleNameMustNotBeEmpty() throws IOException {
        assertThat(errors("auth_modules:\n  '':\n" + VALID_MODULE))
                .containsExactly(f + ": auth_modules: module name must not be empty (line 2, column 3)");
    }

    @Test
    void moduleMustBeAMap() throws IOException {
        assertThat(errors("auth_modules:\n  prod_db: userpass\n"))
                .containsExactly(f + ": auth_modules.prod_db: value must be a map, not a string");
    }

    @Test
    void duplicateKeysAreErrors() throws IOException {
        assertThat(errors("auth_modules:\n  prod_db:\n" + VALID_MODULE + "  prod_db:\n" + VALID_MODULE))
                .containsExactly(f + ": auth_modules: duplicate key \"prod_db\" (line 2 and line 7)");
        assertThat(errors("auth_modules:\n  prod_db:\n" + VALID_MODULE + "    type: userpass\n"))
                .containsExactly(f + ": auth_modules.prod_db: duplicate key \"type\" (line 3 and line 7)");
    }

    @Test
    void nonStringKeysAreErrors() throws IOException {
        assertThat(errors("auth_modules:\n  ? [a, b]\n  : {}\n"))
                .containsExactly(f + ": auth_modules: keys must be strings, not a list (line 2, column 5)");
    }

    @Test
    void unusualKeysAreQuotedInPaths() throws IOException {
        assertThat(errors("auth_modules:\n  \"prod db\":\n    type: x\n"))
                .containsExactly(f + ": auth_modules.\"prod db\".type: unsupported type \"x\" (supported: userpass, cert)");
    }

    @Test
    void allErrorsAreReportedTogether() throws IOException {
        List<String> errors = errors("""
                auth_modules:
                  prod_db:
                    type: oauth
                    userpas: {}
                  staging:
                    type: userpass
                    userpass:
                      username: ""
                    options:
                      sslmode: [disable]
                  ok:
                    type: userpass
                    userpass: {username: u, password: p}
                extra: 1
                """);

        assertThat(errors).containsExactly(
                f + ": unknown key \"extra\" at the top level (allowed: auth_modules)",
                f + ": auth_modules.prod_db: unknown key \"userpas\" (allowed: type, userpass, options, targets, cert, connection_budget, server_wide, discovery)",
                f + ": auth_modules.prod_db.type: unsupported type \"oauth\" (supported: userpass, cert)",
                f + ": auth_modules.staging.userpass.username: must not be empty",
                f + ": auth_modules.staging.userpass.password: is required",
                f + ": auth_modules.staging.options.sslmode: value must be a string, not a list");
        assertThat(load("auth_modules: {}\nextra: 1\nmore: 2\n").describe())
                .isEqualTo("config file " + f + " is invalid (2 errors); running without auth modules");
    }

    @Test
    void passwordsNeverAppearInErrorsDescribeOrToString() throws IOException {
        String secret = "Xy9-Secret-Value";
        List<String> brokenFiles = List.of(
                // syntax errors around the password
                "auth_modules:\n  m:\n    type: userpass\n    userpass:\n      username: u\n     password: " + secret + "\n",
                "auth_modules:\n  m:\n    type: userpass\n    userpass:\n      username: u\n      password: \"" + secret + "\n",
                "auth_modules:\n  m:\n    type: userpass\n    userpass:\n      username: u\n      password: " + secret + ": x\n",
                "auth_modules:\n  m:\n    type: userpass\n    userpass:\n      username: u\n      password:\n      " + secret
                        + "\n",
                "auth_modules:\n  m:\n    userpass: {username: u, password: " + secret + "\n",
                "auth_modules:\n  m:\n    type: userpass\n    userpass:\n      username: u\n\t  password: " + secret + "\n",
                // valid YAML, invalid config: the password is present and must not be echoed
                "auth_modules:\n  m:\n    type: oauth\n    userpass: {username: '', password: " + secret + "}\n",
                "auth_modules:\n  m:\n    type: userpass\n    userpass: {username: u, password: " + secret + ", pw: "
                        + secret + "}\n",
                "auth_modules:\n  m:\n    type: userpass\n    userpass: {username: u, password: " + secret + "}\n"
                        + "    options: {password: " + secret + ", sslpassword: [" + secret + "]}\n",
                "auth_modules:\n  m:\n    type: userpass\n    userpass: " + secret + "\n");
        for (String yaml : brokenFiles) {
            LoadResult result = load(yaml);
            assertThat(result).as(yaml).isInstanceOf(LoadResult.Invalid.class);
            assertThat(((LoadResult.Invalid) result).errors()).as(yaml).isNotEmpty()
                    .allSatisfy(error -> assertThat(error).doesNotContain(secret).startsWith(f + ": "));
            assertThat(result.describe()).doesNotContain(secret);
            assertThat(result.toString()).doesNotContain(secret);
        }

        LoadResult loaded = load("auth_modules:\n  m:\n    type: userpass\n    userpass: {username: u, password: " + secret
                + "}\n    options: {sslpassword: " + secret + "}\n");
        assertThat(loaded).isInstanceOf(LoadResult.Loaded.class);
        assertThat(loaded.toString()).doesNotContain(secret).contains("******");
        assertThat(loaded.describe()).doesNotContain(secret);
        assertThat(ConfigLoader.summary(loaded.config().module("m").orElseThrow())).doesNotContain(secret);
    }

    @Test
    void fileThatIsNotUtf8IsInvalid() throws IOException {
        file = dir.resolve("latin1.yml");
        Files.write(file, "auth_modules:\n  m\u00e9: {}\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThat(ConfigLoader.load(file))
                .isEqualTo(new LoadResult.Invalid(file, List.of(file + ": file is not valid UTF-8 text")));
    }

    @Test
    void oversizedFileIsInvalid() throws IOException {
        file = dir.resolve("huge.yml");
        Files.write(file, new byte[ConfigLoader.MAX_BYTES + 1]);

        assertThat(ConfigLoader.load(file))
                .isEqualTo(new LoadResult.Invalid(file, List.of(file + ": file is larger than 1024 KiB")));
    }

    @Test
    void controlCharactersAreReportedWithTheirPosition() throws IOException {
        assertThat(errors("auth_modules:\n  m:\n    type: user\u0001pass\n")).containsExactly(f
                + ": YAML syntax error at line 3, column 15: special characters are not allowed "
                + "(code point U+0001)");
    }

    @Test
    void utf8ByteOrderMarkIsAccepted() throws IOException {
        LoadResult result = load("\uFEFFauth_modules:\n  m:\n" + VALID_MODULE);

        assertThat(result.config().modules().keySet()).containsExactly("m");
    }

    @Test
    void invalidResultNeedsAnError() {
        assertThatThrownBy(() -> new LoadResult.Invalid(dir, List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
