package io.pgvigil.app;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import io.prometheus.metrics.model.snapshots.SummarySnapshot;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The exporter's own families on {@code /metrics}: build info, config-load state, the connection pool's
 * {@code pgvigil_*} families and the standard {@code process_*} metrics of this JVM process (read from {@code /proc} on Linux).
 */
final class SelfMetrics implements Supplier<List<MetricSnapshot>> {
    /** Linux clock ticks per second for {@code /proc/self/stat} (USER_HZ, 100 on every mainstream kernel). */
    private static final double CLOCK_TICKS = 100.0;
    private static final long PAGE_SIZE = 4096;

    private final BuildInfo build;
    private final ConfigState config;
    private final double startTimeSeconds;
    private final Supplier<List<MetricSnapshot>> runtime;

    SelfMetrics(BuildInfo build, ConfigState config) {
        this(build, config, List::of);
    }

    /** @param runtime further families, e.g. the connection pool's ({@link ConnectionMetrics}) */
    SelfMetrics(BuildInfo build, ConfigState config, Supplier<List<MetricSnapshot>> runtime) {
        this.build = build;
        this.config = config;
        this.runtime = runtime;
        this.startTimeSeconds = ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0;
    }

    @Override
    public List<MetricSnapshot> get() {
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(gauge("postgres_exporter_build_info",
                      "A metric with a constant '1' value labeled by version, revision, branch, goversion from which postgres_exporter was built, and the goos and goarch for the build.",
                      1, Labels.of("branch", build.branch(), "goarch", BuildInfo.goArch(), "goos", "linux",
                                   "goversion", "java" + Runtime.version().feature() + "." + Runtime.version().interim()
                                                + "." + Runtime.version().update(),
                                   "revision", build.revision(), "tags", "", "version", build.version())));
        out.add(gauge("postgres_exporter_config_last_reload_successful",
                      "Postgres exporter config loaded successfully.", config.lastLoadSuccessful() ? 1 : 0, Labels.EMPTY));
        out.add(gauge("postgres_exporter_config_last_reload_success_timestamp_seconds",
                      "Timestamp of the last successful configuration reload.", config.lastSuccessSeconds(), Labels.EMPTY));
        out.addAll(runtime.get());
        out.add(gauge("pgvigil_build_info",
                      "A metric with a constant '1' value labeled by the pgvigil version, git revision and branch, and the Java runtime it runs on.",
                      1, Labels.of("branch", build.branch(), "java_vendor", System.getProperty("java.vendor", "unknown"),
                                   "java_version", Runtime.version().toString(), "revision", build.revision(),
                                   "version", build.version())));
        process(out);
        jvm(out);
        return out;
    }

    /** JVM memory, GC and threads, named as the Prometheus Java client's simpleclient_hotspot names them. */
    private static void jvm(List<MetricSnapshot> out) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        GaugeSnapshot.Builder used = GaugeSnapshot.builder().name("jvm_memory_bytes_used").help("Used bytes of a given JVM memory area.");
        GaugeSnapshot.Builder committed = GaugeSnapshot.builder().name("jvm_memory_bytes_committed")
                .help("Committed (bytes) of a given JVM memory area.");
        GaugeSnapshot.Builder max = GaugeSnapshot.builder().name("jvm_memory_bytes_max").help("Max (bytes) of a given JVM memory area.");
        for (var area : List.of(Map.entry("heap", memory.getHeapMemoryUsage()), Map.entry("nonheap", memory.getNonHeapMemoryUsage()))) {
            Labels l = Labels.of("area", area.getKey());
            used.dataPoint(point(l, area.getValue().getUsed()));
            committed.dataPoint(point(l, area.getValue().getCommitted()));
            max.dataPoint(point(l, area.getValue().getMax()));
        }
        out.add(used.build());
        out.add(committed.build());
        out.add(max.build());

        GaugeSnapshot.Builder poolUsed = GaugeSnapshot.builder().name("jvm_memory_pool_bytes_used")
                .help("Used bytes of a given JVM memory pool.");
        GaugeSnapshot.Builder poolCommitted = GaugeSnapshot.builder().name("jvm_memory_pool_bytes_committed")
                .help("Committed bytes of a given JVM memory pool.");
        GaugeSnapshot.Builder poolMax = GaugeSnapshot.builder().name("jvm_memory_pool_bytes_max")
                .help("Max bytes of a given JVM memory pool.");
        Set<String> pools = new HashSet<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage u = pool.getUsage();
            if (u == null || !pools.add(pool.getName())) {
                continue;
            }
            Labels l = Labels.of("pool", pool.getName());
            poolUsed.dataPoint(point(l, u.getUsed()));
            poolCommitted.dataPoint(point(l, u.getCommitted()));
            poolMax.dataPoint(point(l, u.getMax()));
        }
        out.add(poolUsed.build());
        out.add(poolCommitted.build());
        out.add(poolMax.build());

        SummarySnapshot.Builder gc = SummarySnapshot.builder().name("jvm_gc_collection_seconds")
                .help("Time spent in a given JVM garbage collector in seconds.");
        Set<String> collectors = new HashSet<>();
        for (GarbageCollectorMXBean c : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!collectors.add(c.getName())) {
                continue;
            }
            gc.dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().labels(Labels.of("gc", c.getName()))
                                 .count(Math.max(0, c.getCollectionCount())).sum(Math.max(0, c.getCollectionTime()) / 1000.0)
                                 .build());
        }
        out.add(gc.build());

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        out.add(gauge("jvm_threads_current", "Current thread count of a JVM.", threads.getThreadCount(), Labels.EMPTY));
        out.add(gauge("jvm_threads_daemon", "Daemon thread count of a JVM.", threads.getDaemonThreadCount(), Labels.EMPTY));
        out.add(gauge("jvm_threads_peak", "Peak thread count of a JVM.", threads.getPeakThreadCount(), Labels.EMPTY));
        out.add(CounterSnapshot.builder().name("jvm_threads_started_total").help("Started thread count of a JVM.")
                        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(threads.getTotalStartedThreadCount()).build())
                        .build());
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private void process(List<MetricSnapshot> out) {
        out.add(gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                      startTimeSeconds, Labels.EMPTY));
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLOCK_TICKS;
            out.add(CounterSnapshot.builder().name("process_cpu_seconds_total")
                            .help("Total user and system CPU time spent in seconds.")
                            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(cpu).build()).build());
            out.add(gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", Long.parseLong(f[20]), Labels.EMPTY));
            out.add(gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                          Long.parseLong(f[21]) * PAGE_SIZE, Labels.EMPTY));
            out.add(gauge("process_open_fds", "Number of open file descriptors.", openFds(), Labels.EMPTY));
            maxFds().ifPresent(max -> out.add(gauge("process_max_fds", "Maximum number of open file descriptors.",
                                                    max, Labels.EMPTY)));
        } catch (IOException | RuntimeException e) {
            // Not Linux, or /proc is not readable: only the start time is known.
        }
    }

    private static long openFds() throws IOException {
        long n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path ignored : fds) {
                n++;
            }
        }
        return n - 1; // the directory stream's own descriptor
    }

    private static java.util.OptionalDouble maxFds() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
                return parts[0].equals("unlimited") ? java.util.OptionalDouble.empty()
                                                    : java.util.OptionalDouble.of(Double.parseDouble(parts[0]));
            }
        }
        return java.util.OptionalDouble.empty();
    }

    private static GaugeSnapshot gauge(String name, String help, double value, Labels labels) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build())
                .build();
    }
}
