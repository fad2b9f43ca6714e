package io.pgvigil.exposition;

import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Summaries as client_golang writes them: quantiles (if any), then _sum and _count, per label set. */
class TextFormatSummaryTest {
    @Test
    void gcStyleSummaryWithAndWithoutQuantiles() throws IOException {
        MetricSnapshots s = new MetricSnapshots(SummarySnapshot.builder()
                .name("jvm_gc_collection_seconds").help("Time spent in a given JVM garbage collector in seconds.")
                .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().labels(Labels.of("gc", "Copy"))
                                   .count(12).sum(0.25).build())
                .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().labels(Labels.of("gc", "X"))
                                   .quantiles(Quantiles.of(new Quantile(0.5, 0.001))).count(1).sum(0.001).build())
                .build());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TextFormat.write(s, out);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
                # HELP jvm_gc_collection_seconds Time spent in a given JVM garbage collector in seconds.
                # TYPE jvm_gc_collection_seconds summary
                jvm_gc_collection_seconds_sum{gc="Copy"} 0.25
                jvm_gc_collection_seconds_count{gc="Copy"} 12
                jvm_gc_collection_seconds{gc="X",quantile="0.5"} 0.001
                jvm_gc_collection_seconds_sum{gc="X"} 0.001
                jvm_gc_collection_seconds_count{gc="X"} 1
                """);
    }
}
