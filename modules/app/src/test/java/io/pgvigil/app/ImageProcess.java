package io.pgvigil.app;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The jlinked image started as an operator would: {@code bin/pgvigil} with flags and environment. */
final class ImageProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("msg=\"Listening on\" address=\\S*:(\\d+)");

    private final Process process;
    private final Path log;
    private final int port;

    private ImageProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static ImageProcess start(Path workDir, Map<String, String> env, String... flags) throws IOException, InterruptedException {
        Path image = Path.of(System.getProperty("pgvigil.image"));
        List<String> command = new ArrayList<>();
        command.add(image.resolve("bin/pgvigil").toString());
        command.add("--web.listen-address=127.0.0.1:0");
        command.addAll(List.of(flags));
        Path log = Files.createTempFile(workDir, "pgvigil", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                return new ImageProcess(process, log, Integer.parseInt(m.group(1)));
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        process.destroyForcibly();
        throw new AssertionError("the image did not start:\n" + Files.readString(log));
    }

    int port() {
        return port;
    }

    Process process() {
        return process;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** {@return the path and query of a probe of {@code target} (URL-encoded, as Prometheus sends it) with an auth module} */
    static String probePath(String target, String authModule) {
        return "/probe?target=" + URLEncoder.encode(target, StandardCharsets.UTF_8) + "&auth_module=" + authModule;
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                        .timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sends a signal by name ({@code HUP}, {@code TERM}) to the JVM (the launcher exec'd it, so the pid is the JVM's). */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " failed");
        }
    }

    /** Waits (at most {@code seconds}) until the log contains {@code text}. */
    void awaitLog(String text, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (log().contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the log never showed \"" + text + "\":\n" + log());
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
