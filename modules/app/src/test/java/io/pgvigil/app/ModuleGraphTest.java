package io.pgvigil.app;

import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The design card, checked against the compiled module descriptors: arrows point from app/http toward
 * the model, never back, and every module exports exactly its own package.
 */
class ModuleGraphTest {
    private static final Set<String> OURS = Set.of("io.pgvigil.dsn", "io.pgvigil.config", "io.pgvigil.collectors",
                                                   "io.pgvigil.http", "io.pgvigil.app");

    private static Map<String, ModuleDescriptor> descriptors() {
        Map<String, ModuleDescriptor> out = new TreeMap<>();
        for (String name : OURS) {
            ModuleDescriptor d = ModuleLayer.boot().findModule(name)
                    .map(Module::getDescriptor)
                    .orElseThrow(() -> new AssertionError(name + " is not a named module in the boot layer: "
                                                          + "the app tests must run on the module path"));
            out.put(name, d);
        }
        return out;
    }

    private static Set<String> requires(ModuleDescriptor d) {
        return d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
    }

    @Test
    void everyModuleExportsExactlyItsOwnPackage() {
        descriptors().forEach((name, d) -> {
            assertThat(d.exports()).as(name).hasSize(1);
            ModuleDescriptor.Exports e = d.exports().iterator().next();
            assertThat(e.source()).as(name).isEqualTo(name);
            assertThat(e.isQualified()).as(name).isFalse();
        });
    }

    @Test
    void dsnKnowsNeitherHelidonNorJdbc() {
        assertThat(requires(descriptors().get("io.pgvigil.dsn"))).containsExactly("java.base");
    }

    @Test
    void collectorsNeverKnowTheWebServer() {
        assertThat(requires(descriptors().get("io.pgvigil.collectors")))
                .noneMatch(r -> r.startsWith("io.helidon"))
                .doesNotContain("io.pgvigil.http", "io.pgvigil.app", "io.pgvigil.config");
    }

    @Test
    void configKnowsNoHttpAndNoJdbc() {
        assertThat(requires(descriptors().get("io.pgvigil.config")))
                .noneMatch(r -> r.startsWith("io.helidon.webserver") || r.equals("java.sql"))
                .doesNotContain("io.pgvigil.http", "io.pgvigil.app", "io.pgvigil.collectors");
    }

    @Test
    void onlyHttpAndAppKnowTheWebServerAndNothingPointsBack() {
        descriptors().forEach((name, d) -> {
            Set<String> r = requires(d);
            if (!name.equals("io.pgvigil.http") && !name.equals("io.pgvigil.app")) {
                assertThat(r).as(name).noneMatch(x -> x.startsWith("io.helidon.webserver"));
            }
            assertThat(r).as(name).doesNotContain("io.pgvigil.app", "io.pgvigil.testkit");
        });
        assertThat(requires(descriptors().get("io.pgvigil.http"))).doesNotContain("io.pgvigil.app");
    }
}
