package io.pgvigil.collectors;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Gauge, counter and untyped families become the client model's snapshots; label sets are shared between scrapes. */
class FamilySnapshotTest {

    private static List<MetricSnapshot> scrape(String db, String state) {
        MetricSink sink = new MetricSink();
        sink.gauge("g", "gauge help", "datname", "state").add(1.5, db, state);
        sink.counter("c", "counter help", "state", "datname").add(7, db, state);
        sink.untyped("u", "untyped help").add(3);
        return sink.snapshots();
    }

    @Test
    void typesNamesHelpLabelsAndValues() {
        List<MetricSnapshot> s = scrape("app", "idle");
        GaugeSnapshot g = (GaugeSnapshot) s.get(0);
        CounterSnapshot c = (CounterSnapshot) s.get(1);
        UnknownSnapshot u = (UnknownSnapshot) s.get(2);
        assertThat(g.getMetadata().getName()).isEqualTo("g");
        assertThat(g.getMetadata().getHelp()).isEqualTo("gauge help");
        assertThat((Object) g.getDataPoints().getFirst().getLabels()).isEqualTo(Labels.of("datname", "app", "state", "idle"));
        assertThat(g.getDataPoints().getFirst().getValue()).isEqualTo(1.5);
        // Same values under other names: the names decide which value is which.
        assertThat((Object) c.getDataPoints().getFirst().getLabels()).isEqualTo(Labels.of("state", "app", "datname", "idle"));
        assertThat(c.getDataPoints().getFirst().getValue()).isEqualTo(7);
        assertThat(c.getMetadata().getHelp()).isEqualTo("counter help");
        assertThat(u.getDataPoints().getFirst().getLabels().isEmpty()).isTrue();
        assertThat(u.getDataPoints().getFirst().getValue()).isEqualTo(3);
    }

    @Test
    void aLabelSetSeenBeforeIsReusedAndANewOneIsNot() {
        Labels first = scrape("app", "idle").getFirst().getDataPoints().getFirst().getLabels();
        Labels again = scrape("app", "idle").getFirst().getDataPoints().getFirst().getLabels();
        Labels other = scrape("app", "active").getFirst().getDataPoints().getFirst().getLabels();
        assertThat((Object) again).isSameAs(first);
        assertThat((Object) other).isEqualTo(Labels.of("datname", "app", "state", "active"));
    }
}
