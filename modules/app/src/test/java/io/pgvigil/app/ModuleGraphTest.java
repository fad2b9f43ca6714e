package io.pgvigil.app;

import io.pgvigil.connect.ConnectionSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleReader;
import java.lang.module.ResolvedModule;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
    private static final Set<String> OURS = Set.of("io.pgvigil.dsn", "io.pgvigil.config", "io.pgvigil.connect",
                                                   "io.pgvigil.exposition", "io.pgvigil.collectors", "io.pgvigil.http",
                                                   "io.pgvigil.app");

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
    void connectKnowsJdbcButNeverThePrometheusModelNorHttp() {
        assertThat(requires(descriptors().get("io.pgvigil.connect")))
                .contains("java.sql", "io.pgvigil.dsn")
                .noneMatch(r -> r.startsWith("io.prometheus") || r.startsWith("io.helidon"))
                .doesNotContain("io.pgvigil.collectors", "io.pgvigil.exposition", "io.pgvigil.config", "io.pgvigil.http");
    }

    @Test
    void expositionKnowsOnlyThePrometheusModel() {
        assertThat(requires(descriptors().get("io.pgvigil.exposition")))
                .noneMatch(r -> r.startsWith("io.helidon") || r.startsWith("io.pgvigil."))
                .doesNotContain("java.sql")
                .contains("io.prometheus.metrics.model");
    }

    @Test
    void httpReachesTheScraperOnlyThroughItsOwnInterface() {
        assertThat(requires(descriptors().get("io.pgvigil.http")))
                .doesNotContain("io.pgvigil.collectors", "io.pgvigil.connect", "java.sql");
    }

    /**
     * Pooling lives in connect: no class of collectors opens a connection itself ({@code DriverManager}) or is a
     * {@link ConnectionSource}. Read from the module's class files, so a pool moved back would be caught even if
     * it kept its requires clauses.
     */
    @Test
    void collectorsHoldNoConnectionPooling() throws IOException, ClassNotFoundException {
        Module collectors = ModuleLayer.boot().findModule("io.pgvigil.collectors").orElseThrow();
        ResolvedModule resolved = ModuleLayer.boot().configuration().findModule("io.pgvigil.collectors").orElseThrow();
        List<String> classes;
        try (ModuleReader reader = resolved.reference().open()) {
            classes = reader.list().filter(n -> n.endsWith(".class") && !n.equals("module-info.class")).toList();
            assertThat(classes).as("classes of io.pgvigil.collectors").isNotEmpty();
            for (String entry : classes) {
                byte[] bytes;
                try (InputStream in = reader.open(entry).orElseThrow()) {
                    bytes = in.readAllBytes();
                }
                boolean opensConnections = new String(bytes, StandardCharsets.ISO_8859_1).contains("java/sql/DriverManager");
                assertThat(opensConnections).as(entry + " refers to java.sql.DriverManager").isFalse();
                Class<?> type = Class.forName(entry.replace('/', '.').replaceAll("\\.class$", ""), false,
                                              collectors.getClassLoader());
                assertThat(ConnectionSource.class.isAssignableFrom(type)).as(entry + " is a ConnectionSource").isFalse();
            }
        }
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
