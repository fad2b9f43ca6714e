package io.pgvigil.collectors;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Histogram families: cumulative bucket counts in, the client model's classic-bucket snapshot out. */
class HistogramFamilyTest {
    private static final double[] BOUNDS = {1, 2, 5};

    private static HistogramSnapshot only(MetricSink sink) {
        List<MetricSnapshot> snapshots = sink.snapshots();
        assertThat(snapshots).hasSize(1);
        return (HistogramSnapshot) snapshots.getFirst();
    }

    @Test
    void cumulativeCountsBecomeClassicBucketsWithInfAndSum() {
        MetricSink sink = new MetricSink();
        Family f = sink.histogram("h_seconds", "help text", BOUNDS, "state", "application_name");
        // 5 observations: 1 at most 1 s, 3 at most 2 s, 3 at most 5 s, so 2 above 5 s
        f.addHistogram(5, 42.5, new long[] {1, 3, 3}, "idle", "app");

        HistogramSnapshot h = only(sink);
        assertThat(h.getMetadata().getName()).isEqualTo("h_seconds");
        assertThat(h.getMetadata().getHelp()).isEqualTo("help text");
        assertThat(h.isGaugeHistogram()).isFalse();
        HistogramSnapshot.HistogramDataPointSnapshot p = h.getDataPoints().getFirst();
        assertThat((Object) p.getLabels()).isEqualTo(Labels.of("state", "idle", "application_name", "app"));
        assertThat(p.getSum()).isEqualTo(42.5);
        assertThat(p.getCount()).isEqualTo(5);
        ClassicHistogramBuckets b = p.getClassicBuckets();
        assertThat(b.size()).isEqualTo(4);
        assertThat(new double[] {b.getUpperBound(0), b.getUpperBound(1), b.getUpperBound(2), b.getUpperBound(3)})
                .containsExactly(1, 2, 5, Double.POSITIVE_INFINITY);
        // the model stores per-bucket counts; the writer adds them up again
        assertThat(new long[] {b.getCount(0), b.getCount(1), b.getCount(2), b.getCount(3)}).containsExactly(1, 2, 0, 2);
    }

    @Test
    void everyLabelSetIsItsOwnSeriesAndDuplicatesAreDropped() {
        MetricSink sink = new MetricSink();
        Family f = sink.histogram("h", "h", BOUNDS, "l");
        f.addHistogram(1, 0.5, new long[] {1, 1, 1}, "a");
        f.addHistogram(2, 20, new long[] {0, 0, 0}, "b");
        f.addHistogram(9, 9, new long[] {9, 9, 9}, "a");
        assertThat(only(sink).getDataPoints()).extracting(p -> p.getLabels().get("l")).containsExactlyInAnyOrder("a", "b");
        assertThat(only(sink).getDataPoints()).filteredOn(p -> p.getLabels().get("l").equals("a"))
                .extracting(HistogramSnapshot.HistogramDataPointSnapshot::getCount).containsExactly(1L);
        assertThat(sink.duplicates()).isEqualTo(1);
    }

    @Test
    void aHistogramWithoutObservationsHasOnlyEmptyBuckets() {
        MetricSink sink = new MetricSink();
        sink.histogram("h", "h", BOUNDS).addHistogram(0, 0, new long[] {0, 0, 0});
        HistogramSnapshot.HistogramDataPointSnapshot p = only(sink).getDataPoints().getFirst();
        assertThat(p.getCount()).isZero();
        assertThat(p.getClassicBuckets().size()).isEqualTo(4);
    }

    @Test
    void anEmptyHistogramFamilyIsLeftOut() {
        MetricSink sink = new MetricSink();
        sink.histogram("h", "h", BOUNDS, "l");
        assertThat(sink.snapshots()).isEmpty();
    }

    @Test
    void inconsistentCountsAreRejected() {
        Family f = new MetricSink().histogram("h", "h", BOUNDS);
        assertThatThrownBy(() -> f.addHistogram(3, 0, new long[] {2, 1, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not decrease");
        assertThatThrownBy(() -> f.addHistogram(2, 0, new long[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceed the count");
        assertThatThrownBy(() -> f.addHistogram(2, 0, new long[] {-1, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.addHistogram(2, 0, new long[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 3 bucket counts");
    }

    @Test
    void boundsMustBeFiniteAndAscending() {
        MetricSink sink = new MetricSink();
        assertThatThrownBy(() -> sink.histogram("a", "h", new double[] {2, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sink.histogram("b", "h", new double[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sink.histogram("c", "h", new double[] {1, Double.POSITIVE_INFINITY}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void histogramAndPlainSamplesDoNotMix() {
        MetricSink sink = new MetricSink();
        Family h = sink.histogram("h", "h", BOUNDS);
        Family g = sink.gauge("g", "g");
        assertThatThrownBy(() -> h.add(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> g.addHistogram(1, 1, new long[0])).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void redeclaringWithOtherBucketsIsAMistake() {
        MetricSink sink = new MetricSink();
        Family first = sink.histogram("h", "h", BOUNDS, "l");
        assertThat(sink.histogram("h", "h", BOUNDS.clone(), "l")).isSameAs(first);
        assertThatThrownBy(() -> sink.histogram("h", "h", new double[] {1, 2}, "l"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> sink.gauge("h", "h", "l")).isInstanceOf(IllegalStateException.class);
    }
}
