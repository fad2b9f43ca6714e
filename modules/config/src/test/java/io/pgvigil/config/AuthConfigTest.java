package io.pgvigil.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.dsn.AuthModule;
import io.pgvigil.dsn.Credentials;
import io.pgvigil.dsn.Secret;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class AuthConfigTest {
    private static AuthModule module(String name, String user, Map<String, String> options) {
        return new AuthModule(name, new Credentials.UserPass(user, Secret.of("s3cret")), options);
    }

    @Test
    void modulesAreSortedAndUnmodifiable() {
        Map<String, AuthModule> modules = new LinkedHashMap<>();
        modules.put("zeta", module("zeta", "u", Map.of()));
        modules.put("alpha", module("alpha", "u", Map.of()));

        AuthConfig config = new AuthConfig(modules);
        modules.clear();

        assertThat(config.modules().keySet()).containsExactly("alpha", "zeta");
        assertThat(config.module("zeta").map(AuthModule::name)).contains("zeta");
        assertThat(config.module("beta")).isEmpty();
        assertThatThrownBy(() -> config.modules().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void keyMustMatchModuleName() {
        assertThatThrownBy(() -> new AuthConfig(Map.of("a", module("b", "u", Map.of()))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("module key \"a\" does not match its name \"b\"");
    }

    @Test
    void emptyHasNoModules() {
        assertThat(AuthConfig.empty().modules()).isEmpty();
        assertThat(AuthConfig.empty()).isEqualTo(new AuthConfig(Map.of()));
    }

    @Test
    void toStringMasksPasswords() {
        AuthConfig config = new AuthConfig(Map.of("m", module("m", "u", Map.of("password", "opt-secret"))));

        assertThat(config.toString()).doesNotContain("s3cret").doesNotContain("opt-secret");
    }
}
