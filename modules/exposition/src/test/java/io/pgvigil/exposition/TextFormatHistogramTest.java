package io.pgvigil.exposition;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Histograms as the collectors build them (classic buckets with per-bucket counts, +Inf last, a sum)
 * come out as Go's text format writes a constant histogram: cumulative {@code _bucket} lines with
 * {@code le} last, then {@code _sum}, then {@code _count}.
 */
class TextFormatHistogramTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    private static HistogramSnapshot.HistogramDataPointSnapshot point(Labels labels, long[] perBucket, double sum) {
        return HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .labels(labels)
                .classicHistogramBuckets(ClassicHistogramBuckets.of(new double[] {1, 2, 5, 300, INF}, perBucket))
                .sum(sum).build();
    }

    @Test
    void processIdleStyleHistogram() throws IOException {
        MetricSnapshots s = new MetricSnapshots(HistogramSnapshot.builder()
                .name("pg_process_idle_seconds").help("Idle time of server processes")
                .dataPoint(point(Labels.of("state", "idle", "application_name", "psql"), new long[] {0, 1, 0, 1, 1}, 1203))
                .dataPoint(point(Labels.of("state", "idle in transaction", "application_name", "app"), new long[] {1, 0, 0, 0, 0}, 0))
                .build());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TextFormat.write(s, out);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
                # HELP pg_process_idle_seconds Idle time of server processes
                # TYPE pg_process_idle_seconds histogram
                pg_process_idle_seconds_bucket{application_name="app",state="idle in transaction",le="1"} 1
                pg_process_idle_seconds_bucket{application_name="app",state="idle in transaction",le="2"} 1
                pg_process_idle_seconds_bucket{application_name="app",state="idle in transaction",le="5"} 1
                pg_process_idle_seconds_bucket{application_name="app",state="idle in transaction",le="300"} 1
                pg_process_idle_seconds_bucket{application_name="app",state="idle in transaction",le="+Inf"} 1
                pg_process_idle_seconds_sum{application_name="app",state="idle in transaction"} 0
                pg_process_idle_seconds_count{application_name="app",state="idle in transaction"} 1
                pg_process_idle_seconds_bucket{application_name="psql",state="idle",le="1"} 0
                pg_process_idle_seconds_bucket{application_name="psql",state="idle",le="2"} 1
                pg_process_idle_seconds_bucket{application_name="psql",state="idle",le="5"} 1
                pg_process_idle_seconds_bucket{application_name="psql",state="idle",le="300"} 2
                pg_process_idle_seconds_bucket{application_name="psql",state="idle",le="+Inf"} 3
                pg_process_idle_seconds_sum{application_name="psql",state="idle"} 1203
                pg_process_idle_seconds_count{application_name="psql",state="idle"} 3
                """);
    }
}
