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

/**
 * Load generator of scripts/bench-probe: probes N targets as Prometheus would, each once per interval, the scrapes
 * spread evenly over the interval (N / interval probes per second), for a bounded time, on virtual threads with a
 * bounded number in flight. Loopback exporters only.
 *
 *   java bench/ProbeLoad.java EXPORTER_PORT PG_PORT DB_PREFIX TARGETS INTERVAL_S DURATION_S [AUTH_MODULE] [TIMEOUT_S]
 *
 * Target i (1..TARGETS) is 127.0.0.1:PG_PORT/DB_PREFIX + i as three digits. Each request carries Prometheus'
 * X-Prometheus-Scrape-Timeout-Seconds header and gives up after TIMEOUT_S (default 10). An error is a non-200, a
 * body without "pg_up 1", a timeout, or a probe that could not start because MAX_IN_FLIGHT were in flight.
 * Prints one "key=value" per line: latency percentiles over all probes and over those after the first interval
 * (steady state), counts and errors.
 */
public final class ProbeLoad {
    private static final int MAX_IN_FLIGHT = 2000;

    private ProbeLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: ProbeLoad EXPORTER_PORT PG_PORT DB_PREFIX TARGETS INTERVAL_S DURATION_S [AUTH_MODULE] [TIMEOUT_S]");
            System.exit(2);
        }
        int exporterPort = Integer.parseInt(args[0]);
        int pgPort = Integer.parseInt(args[1]);
        String prefix = args[2];
        int targets = Integer.parseInt(args[3]);
        double intervalS = Double.parseDouble(args[4]);
        double durationS = Double.parseDouble(args[5]);
        String module = args.length > 6 ? args[6] : "demo";
        double timeoutS = args.length > 7 ? Double.parseDouble(args[7]) : 10;
        if (targets < 1 || targets > 10_000 || intervalS <= 0 || durationS <= 0 || durationS > 3600) {
            throw new IllegalArgumentException("targets 1..10000, interval > 0, duration 0..3600 s");
        }
        String host = InetAddress.getLoopbackAddress().getHostAddress();
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
                int target = k % targets + 1;
                URI uri = URI.create("http://" + host + ":" + exporterPort + "/probe?target="
                        + host + "%3A" + pgPort + "%2F" + prefix + String.format(Locale.ROOT, "%03d", target)
                        + "&auth_module=" + module);
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
                        } else if (!up(page)) {
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
