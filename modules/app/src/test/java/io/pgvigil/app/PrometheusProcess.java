package io.pgvigil.app;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Prometheus for the ITs: the binary on the PATH or fetched by {@code scripts/bootstrap}
 * ({@code -Dpgvigil.prometheus}), started on a free loopback port with a config and its own TSDB, queried through its
 * HTTP API.
 */
final class PrometheusProcess implements AutoCloseable {
    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.e+]+,\"([^\"]+)\"\\]");
    private static final Pattern DATA = Pattern.compile("\"data\":\\[([^\\]]*)\\]");
    private static final Pattern STRING = Pattern.compile("\"([^\"]*)\"");

    private final Process process;
    private final Path log;
    private final int port;

    private PrometheusProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** {@return the prometheus binary, if there is one} */
    static Optional<Path> binary() {
        String configured = System.getProperty("pgvigil.prometheus", "");
        if (!configured.isEmpty() && Files.isExecutable(Path.of(configured))) {
            return Optional.of(Path.of(configured));
        }
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "prometheus")).filter(Files::isExecutable).findFirst();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code binary} with {@code config} (the text of prometheus.yml) in {@code dir}. */
    static PrometheusProcess start(Path binary, Path dir, String config) throws IOException {
        int port = freePort();
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, config);
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + file,
                                             "--storage.tsdb.path=" + dir.resolve("tsdb"),
                                             "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new PrometheusProcess(process, log, port);
    }

    /**
     * {@return the config of one job that finds its targets at pgvigil's {@code /discovery} (refreshed every 2 s)
     * and scrapes every 2 s; relabelling rules may follow at the job's indentation}
     */
    static String discoveryJob(String job, int pgvigilPort, String authModule) {
        return """
                global: {scrape_interval: 2s, scrape_timeout: 2s}
                scrape_configs:
                  - job_name: %s
                    metrics_path: /probe
                    http_sd_configs:
                      - url: http://127.0.0.1:%d/discovery?auth_module=%s
                        refresh_interval: 2s
                """.formatted(job, pgvigilPort, authModule);
    }

    int port() {
        return port;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** {@return the body of a GET on Prometheus' API; an IOException while it is still starting} */
    String api(String pathAndQuery) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** {@return the value of the first sample of an instant query, empty when there is none} */
    Optional<String> query(String promql) throws IOException, InterruptedException {
        Matcher m = VALUE.matcher(api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** {@return the values of {@code label} over the series that {@code selector} selects} */
    Set<String> labelValues(String label, String selector) throws IOException, InterruptedException {
        String body = api("/api/v1/label/" + label + "/values?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
        Matcher data = DATA.matcher(body);
        if (!data.find()) {
            throw new AssertionError("no label values in " + body);
        }
        Set<String> values = new TreeSet<>();
        Matcher string = STRING.matcher(data.group(1));
        while (string.find()) {
            values.add(string.group(1));
        }
        return values;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
