import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Load generator of scripts/bench-probe and scripts/bench-fleet: probes N targets as Prometheus would, each once per
 * interval, the scrapes spread evenly over the interval (N / interval probes per second), for a bounded time, on
 * virtual threads with a bounded number in flight. Loopback exporters only.
 *
 *   java bench/ProbeLoad.java EXPORTER_PORT PG_PORTS DB_PREFIX DATABASES INTERVAL_S DURATION_S [AUTH_MODULE] [TIMEOUT_S]
 *        [EXTRA_DATABASE]
 *
 * PG_PORTS is one port or a comma list of ports (servers on 127.0.0.1). The targets are, on every server, the
 * databases DB_PREFIX + i as three digits (i = 1..DATABASES), plus EXTRA_DATABASE (e.g. the maintenance database
 * "postgres") when given: N = servers x (DATABASES + 1 if EXTRA_DATABASE). Consecutive probes go to different
 * servers. Each request asks for gzip and carries Prometheus' X-Prometheus-Scrape-Timeout-Seconds header and gives up
 * after TIMEOUT_S (default 10). An error is a non-200, a body without "pg_up 1", a timeout, or a probe that could not
 * start because MAX_IN_FLIGHT were in flight.
 * Prints one "key=value" per line: latency percentiles over all probes and over those after the first interval
 * (steady state), counts and errors, and one round's worth of output: the sample lines and the bytes on the wire
 * (gzipped) of the last 200 page of every target, summed over the targets (what Prometheus ingests per interval).
 */
public final class ProbeLoad {
    private static final int MAX_IN_FLIGHT = 2000;

    private ProbeLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: ProbeLoad EXPORTER_PORT PG_PORTS DB_PREFIX DATABASES INTERVAL_S DURATION_S [AUTH_MODULE] [TIMEOUT_S] [EXTRA_DATABASE]");
            System.exit(2);
        }
        int exporterPort = Integer.parseInt(args[0]);
        int[] pgPorts = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        String prefix = args[2];
        int databases = Integer.parseInt(args[3]);
        double intervalS = Double.parseDouble(args[4]);
        double durationS = Double.parseDouble(args[5]);
        String module = args.length > 6 ? args[6] : "demo";
        double timeoutS = args.length > 7 ? Double.parseDouble(args[7]) : 10;
        String extra = args.length > 8 ? args[8] : "";
        String host = InetAddress.getLoopbackAddress().getHostAddress();
        List<URI> uris = new ArrayList<>();
        for (int d = 1; d <= databases + (extra.isEmpty() ? 0 : 1); d++) {
            String db = d <= databases ? prefix + String.format(Locale.ROOT, "%03d", d) : extra;
            for (int port : pgPorts) {
                uris.add(URI.create("http://" + host + ":" + exporterPort + "/probe?target=" + host + "%3A" + port
                        + "%2F" + db + "&auth_module=" + module));
            }
        }
        int targets = uris.size();
        if (targets < 1 || targets > 10_000 || intervalS <= 0 || durationS <= 0 || durationS > 3600) {
            throw new IllegalArgumentException("targets 1..10000, interval > 0, duration 0..3600 s");
        }
        long gapNanos = (long) (intervalS * 1e9 / targets);
        long durationNanos = (long) (durationS * 1e9);
        long intervalNanos = (long) (intervalS * 1e9);
        long total = durationNanos / gapNanos;
        Duration timeout = Duration.ofMillis((long) (timeoutS * 1000));

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        long[] latencyNanos = new long[(int) total];
        long[] startOffset = new long[(int) total];
        Arrays.fill(latencyNanos, -1);
        AtomicInteger non200 = new AtomicInteger();
        AtomicInteger pgDown = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        AtomicLongArray lastSamples = new AtomicLongArray(targets);
        AtomicLongArray lastBytes = new AtomicLongArray(targets);
        AtomicInteger maxSamples = new AtomicInteger();
        List<String> firstErrors = new ArrayList<>();
        Map<String, AtomicInteger> kinds = new ConcurrentHashMap<>();

        long t0 = System.nanoTime();
        try (ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int k = 0; k < total; k++) {
                long due = t0 + k * gapNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                int target = k % targets;
                URI uri = uris.get(target);
                if (!inFlight.tryAcquire()) {
                    skipped.incrementAndGet();
                    continue;
                }
                maxInFlight.accumulateAndGet(MAX_IN_FLIGHT - inFlight.availablePermits(), Math::max);
                int slot = k;
                startOffset[slot] = due - t0;
                exec.submit(() -> {
                    long s = System.nanoTime();
                    try {
                        // As Prometheus asks: its scrape timeout, and gzip.
                        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout)
                                .header("X-Prometheus-Scrape-Timeout-Seconds", String.valueOf(timeoutS))
                                .header("Accept-Encoding", "gzip").GET().build();
                        // The request timeout only covers the wait for the response headers: bound the body too, or
                        // one stalled response keeps the run from ending.
                        CompletableFuture<HttpResponse<byte[]>> pending = client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray());
                        HttpResponse<byte[]> resp;
                        try {
                            resp = pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                        } catch (ExecutionException e) {
                            throw e.getCause() instanceof Exception cause ? cause : e;
                        } catch (TimeoutException e) {
                            pending.cancel(true);
                            throw new HttpTimeoutException("no complete response within " + timeout);
                        }
                        latencyNanos[slot] = System.nanoTime() - s;
                        bytes.addAndGet(resp.body().length);
                        byte[] page = resp.headers().firstValue("Content-Encoding").filter("gzip"::equalsIgnoreCase).isPresent()
                                ? new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(resp.body())).readAllBytes()
                                : resp.body();
                        if (resp.statusCode() != 200) {
                            non200.incrementAndGet();
                            note(firstErrors, "HTTP " + resp.statusCode() + " " + uri);
                            return;
                        }
                        int samples = samples(page);
                        lastSamples.set(target, samples);
                        lastBytes.set(target, resp.body().length);
                        maxSamples.accumulateAndGet(samples, Math::max);
                        if (!up(page)) {
                            pgDown.incrementAndGet();
                            note(firstErrors, "pg_up != 1 " + uri);
                        }
                    } catch (Exception e) {
                        latencyNanos[slot] = System.nanoTime() - s;
                        failed.incrementAndGet();
                        kinds.computeIfAbsent(e.getClass().getSimpleName(), x -> new AtomicInteger()).incrementAndGet();
                        note(firstErrors, e.getClass().getSimpleName() + " " + e.getMessage() + " " + uri);
                    } finally {
                        inFlight.release();
                    }
                });
            }
        } // close() waits for the probes in flight (each bounded by its timeout)
        double elapsed = (System.nanoTime() - t0) / 1e9;

        List<Long> all = new ArrayList<>();
        List<Long> steady = new ArrayList<>();
        for (int k = 0; k < total; k++) {
            if (latencyNanos[k] >= 0) {
                all.add(latencyNanos[k]);
                if (startOffset[k] >= intervalNanos) {
                    steady.add(latencyNanos[k]);
                }
            }
        }
        System.out.printf(Locale.ROOT, "planned=%d%nsent=%d%nelapsed_s=%.1f%nrate_per_s=%.1f%n", total, all.size(),
                elapsed, all.size() / elapsed);
        System.out.printf(Locale.ROOT, "max_in_flight=%d%nmean_body_bytes_on_the_wire=%d%n", maxInFlight.get(),
                all.isEmpty() ? 0 : bytes.get() / all.size());
        long roundSamples = 0;
        long roundBytes = 0;
        int answered = 0;
        for (int t = 0; t < targets; t++) {
            roundSamples += lastSamples.get(t);
            roundBytes += lastBytes.get(t);
            answered += lastBytes.get(t) > 0 ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "targets=%d%nround_targets_answered=%d%nround_samples=%d%nround_bytes=%d%nmax_page_samples=%d%n",
                targets, answered, roundSamples, roundBytes, maxSamples.get());
        report("all", all);
        report("steady", steady);
        int errors = non200.get() + pgDown.get() + failed.get() + skipped.get();
        System.out.printf("errors=%d%nnon200=%d%npg_up_not_1=%d%nfailed=%d%nskipped=%d%n", errors, non200.get(),
                pgDown.get(), failed.get(), skipped.get());
        new TreeMap<>(kinds).forEach((k, v) -> System.out.println("failed_" + k + "=" + v.get()));
        synchronized (firstErrors) {
            for (String e : firstErrors) {
                System.out.println("error_sample=" + e);
            }
        }
    }

    private static final byte[] PG_UP = "pg_up 1\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Whether the page has the line {@code pg_up 1}. */
    static boolean up(byte[] page) {
        outer:
        for (int i = 0; i + PG_UP.length <= page.length; i++) {
            if (i > 0 && page[i - 1] != '\n') {
                continue;
            }
            for (int j = 0; j < PG_UP.length; j++) {
                if (page[i + j] != PG_UP[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The sample lines of a text page: those neither empty nor comments. */
    static int samples(byte[] page) {
        int n = 0;
        boolean lineStart = true;
        for (byte b : page) {
            if (lineStart && b != '#' && b != '\n') {
                n++;
            }
            lineStart = b == '\n';
        }
        return n;
    }

    private static void note(List<String> errors, String what) {
        synchronized (errors) {
            if (errors.size() < 5) {
                errors.add(what);
            }
        }
    }

    private static void report(String name, List<Long> nanos) {
        if (nanos.isEmpty()) {
            System.out.println(name + "_n=0");
            return;
        }
        long[] a = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "%s_n=%d%n%s_p50_ms=%.1f%n%s_p90_ms=%.1f%n%s_p99_ms=%.1f%n%s_max_ms=%.1f%n",
                name, a.length, name, pct(a, 0.50), name, pct(a, 0.90), name, pct(a, 0.99), name, a[a.length - 1] / 1e6);
    }

    private static double pct(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
