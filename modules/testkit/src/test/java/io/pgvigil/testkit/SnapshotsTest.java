package io.pgvigil.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.testkit.Snapshots.Shape;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** {@link Snapshots} on hand-built scrapes: no server involved. */
class SnapshotsTest {

    private static GaugeDataPointSnapshot gauge(double value, String... labels) {
        return GaugeDataPointSnapshot.builder().labels(Labels.of(labels)).value(value).build();
    }

    /** A scrape with the exporter's own families, two collector families, a histogram and an empty family. */
    private static MetricSnapshots scrape() {
        return new MetricSnapshots(
                GaugeSnapshot.builder().name("pg_up").dataPoint(gauge(1)).build(),
                UnknownSnapshot.builder().name("pg_static")
                        .dataPoint(UnknownDataPointSnapshot.builder()
                                           .labels(Labels.of("version", "PostgreSQL 17.5", "server", "h:1",
                                                             "short_version", "17.5.0"))
                                           .value(1).build())
                        .build(),
                CounterSnapshot.builder().name("pg_exporter_scrapes_total")
                        .dataPoint(CounterDataPointSnapshot.builder().value(3).build()).build(),
                GaugeSnapshot.builder().name("pg_scrape_collector_success")
                        .dataPoint(gauge(1, "collector", "locks"))
                        .dataPoint(gauge(0, "collector", "database")).build(),
                CounterSnapshot.builder().name("pg_stat_database_conflicts_confl_lock")
                        .dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("datname", "app")).value(0).build())
                        .build(),
                GaugeSnapshot.builder().name("pg_locks_count")
                        .dataPoint(gauge(2, "mode", "accesssharelock", "datname", "app"))
                        .dataPoint(gauge(0, "mode", "exclusivelock", "datname", "app"))
                        .dataPoint(gauge(5, "mode", "accesssharelock", "datname", "postgres")).build(),
                CounterSnapshot.builder().name("pg_stat_database_xact_commit")
                        .dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("datname", "app", "datid", "5"))
                                           .value(42).build())
                        .build(),
                HistogramSnapshot.builder().name("pg_process_idle_seconds")
                        .dataPoint(HistogramDataPointSnapshot.builder()
                                           .labels(Labels.of("state", "idle", "application_name", "a"))
                                           .classicHistogramBuckets(ClassicHistogramBuckets.of(
                                                   new double[] {1, 5, Double.POSITIVE_INFINITY}, new long[] {2, 3, 1}))
                                           .sum(9).build())
                        .build(),
                SummarySnapshot.builder().name("pg_odd_summary")
                        .dataPoint(SummaryDataPointSnapshot.builder().count(1).sum(2).build()).build(),
                GaugeSnapshot.builder().name("pg_empty").build());
    }

    @Test
    void shapesNameTypeAndSortedLabelNamesOfEveryFamily() {
        Map<String, Shape> shapes = Snapshots.shapes(scrape());
        assertThat(shapes.keySet()).containsExactly("pg_empty", "pg_exporter_scrapes_total", "pg_locks_count",
                "pg_odd_summary", "pg_process_idle_seconds", "pg_scrape_collector_success", "pg_stat_database_conflicts_confl_lock",
                "pg_stat_database_xact_commit", "pg_static", "pg_up");
        assertThat(shapes.get("pg_up")).isEqualTo(new Shape("gauge", List.of()));
        assertThat(shapes.get("pg_static")).isEqualTo(new Shape("untyped", List.of("server", "short_version", "version")));
        assertThat(shapes.get("pg_exporter_scrapes_total")).isEqualTo(new Shape("counter", List.of()));
        assertThat(shapes.get("pg_locks_count")).isEqualTo(new Shape("gauge", List.of("datname", "mode")));
        assertThat(shapes.get("pg_stat_database_xact_commit")).isEqualTo(new Shape("counter", List.of("datid", "datname")));
        assertThat(shapes.get("pg_process_idle_seconds"))
                .isEqualTo(new Shape("histogram", List.of("application_name", "state")));
        assertThat(shapes.get("pg_odd_summary")).isEqualTo(new Shape("SummarySnapshot", List.of()));
        assertThat(shapes.get("pg_empty")).isEqualTo(new Shape("gauge", List.of()));
    }

    @Test
    void collectorShapesLeaveOutTheExportersOwnFamiliesOnly() {
        assertThat(Snapshots.collectorShapes(scrape()).keySet()).containsExactly("pg_empty", "pg_locks_count",
                "pg_odd_summary", "pg_process_idle_seconds", "pg_stat_database_xact_commit");
        assertThat(List.of("pg_up", "pg_static", "pg_exporter_last_scrape_error", "pg_scrape_collector_duration_seconds",
                           "pg_stat_database_conflicts_confl_active_logicalslot"))
                .allMatch(Snapshots::isExporterFamily);
        assertThat(List.of("pg_upx", "pg_static_x", "pg_stat_database_conflicts", "pg_stat_database_xact_commit",
                           "pg_scrape_collector", "pg_locks_count"))
                .noneMatch(Snapshots::isExporterFamily);
    }

    @Test
    void valueFindsTheSeriesWithExactlyTheseLabelsInAnyOrder() {
        MetricSnapshots m = scrape();
        assertThat(Snapshots.value(m, "pg_up")).contains(1.0);
        assertThat(Snapshots.value(m, "pg_exporter_scrapes_total")).contains(3.0);
        assertThat(Snapshots.value(m, "pg_static", "server", "h:1", "short_version", "17.5.0", "version",
                                   "PostgreSQL 17.5")).contains(1.0);
        assertThat(Snapshots.value(m, "pg_locks_count", "datname", "postgres", "mode", "accesssharelock")).contains(5.0);
        assertThat(Snapshots.value(m, "pg_locks_count", "mode", "exclusivelock", "datname", "app")).contains(0.0);
        assertThat(Snapshots.value(m, "pg_scrape_collector_success", "collector", "database")).contains(0.0);
        // a subset of the labels, an unknown family or a label value that is not there is no series
        assertThat(Snapshots.value(m, "pg_locks_count", "datname", "app")).isEmpty();
        assertThat(Snapshots.value(m, "pg_locks_count")).isEmpty();
        assertThat(Snapshots.value(m, "pg_nope")).isEmpty();
        assertThat(Snapshots.value(m, "pg_scrape_collector_success", "collector", "wal")).isEmpty();
        assertThat(Snapshots.value(m, "pg_odd_summary")).hasValueSatisfying(v -> assertThat(v).isNaN());
    }

    @Test
    void requiredValueThrowsNamingFamilyAndLabels() {
        MetricSnapshots m = scrape();
        assertThat(Snapshots.requiredValue(m, "pg_stat_database_xact_commit", "datid", "5", "datname", "app")).isEqualTo(42.0);
        assertThatThrownBy(() -> Snapshots.requiredValue(m, "pg_locks_count", "datname", "nope"))
                .isInstanceOf(AssertionError.class).hasMessage("pg_locks_count has no series [datname, nope]");
    }

    @Test
    void countSeriesAndLabelsOfAFamily() {
        MetricSnapshots m = scrape();
        assertThat(Snapshots.count(m, "pg_locks_count")).isEqualTo(3);
        assertThat(Snapshots.count(m, "pg_up")).isEqualTo(1);
        assertThat(Snapshots.count(m, "pg_empty")).isZero();
        assertThat(Snapshots.count(m, "pg_nope")).isZero();
        assertThat(Snapshots.family(m, "pg_up")).hasValueSatisfying(s -> assertThat(s).isInstanceOf(GaugeSnapshot.class));
        assertThat(Snapshots.family(m, "pg_nope")).isEmpty();
        assertThat(Snapshots.series(m, "pg_locks_count")).containsExactly(
                Map.of("datname", "app", "mode", "accesssharelock"), Map.of("datname", "app", "mode", "exclusivelock"),
                Map.of("datname", "postgres", "mode", "accesssharelock"));
        assertThat(Snapshots.series(m, "pg_nope")).isEmpty();
        assertThat(Snapshots.labelValues(m, "pg_locks_count", "datname")).containsExactly("app", "app", "postgres");
        assertThatThrownBy(() -> Snapshots.labelValues(m, "pg_locks_count", "nope"))
                .isInstanceOf(AssertionError.class).hasMessageStartingWith("pg_locks_count{").hasMessageEndingWith("} has no label nope");
        assertThat(Snapshots.labelValues(m, "pg_nope", "datname")).isEmpty();
    }

    @Test
    void histogramPointAndCumulativeBuckets() {
        MetricSnapshots m = scrape();
        HistogramDataPointSnapshot p = Snapshots.histogram(m, "pg_process_idle_seconds", "application_name", "a",
                                                           "state", "idle").orElseThrow();
        assertThat(p.getSum()).isEqualTo(9.0);
        assertThat(Snapshots.bucket(p, 1)).isEqualTo(2);
        assertThat(Snapshots.bucket(p, 5)).isEqualTo(5);
        assertThat(Snapshots.bucket(p, Double.POSITIVE_INFINITY)).isEqualTo(6);
        assertThatThrownBy(() -> Snapshots.bucket(p, 2)).isInstanceOf(AssertionError.class).hasMessage("no bucket le=2.0");
        assertThat(Snapshots.histogram(m, "pg_process_idle_seconds", "state", "idle")).isEmpty();
        assertThat(Snapshots.histogram(m, "pg_locks_count", "datname", "app", "mode", "exclusivelock")).isEmpty();
    }
}
