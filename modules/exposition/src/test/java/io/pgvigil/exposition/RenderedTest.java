package io.pgvigil.exposition;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;

/** A cached snapshot's compressed form stands on its own: it needs no earlier call for its text. */
class RenderedTest {
    private static GaugeSnapshot large() {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("pg_large").help("h \\ \u00e9");
        for (int i = 0; i < RenderCache.CACHED_FROM + 8; i++) {
            b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("datname", "db" + i)).value(i).build());
        }
        return b.build();
    }

    private static byte[] inflate(byte[] raw) throws DataFormatException {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(raw);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[1024];
            int n;
            while ((n = inflater.inflate(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }

    /**
     * The old render cache made the text on the first {@code text()} call and {@code deflated()} compressed that
     * field: asked first, it threw a NullPointerException. Now the compressed form is the snapshot's text whatever
     * is asked first.
     */
    @Test
    void deflatedAloneIsTheSnapshotsText() throws Exception {
        GaugeSnapshot snapshot = large();
        byte[] plain = inflate(Rendered.of(snapshot).deflated());
        assertThat(new String(plain, java.nio.charset.StandardCharsets.UTF_8))
                .startsWith("# HELP pg_large h \\\\ \u00e9\n# TYPE pg_large gauge\npg_large{datname=\"db0\"} 0\n")
                .endsWith("pg_large{datname=\"db9\"} 9\n");
        assertThat(plain).isEqualTo(TextFormat.render(new MetricSnapshots(snapshot)).toByteArray());
    }

    /** The same through the cache: the first use of a snapshot may be a gzip page. */
    @Test
    void aCachedSnapshotFirstUsedForGzipIsComplete() throws Exception {
        GaugeSnapshot snapshot = large();
        Rendered viaCache = RenderCache.rendered(snapshot);
        byte[] deflatedFirst = viaCache.deflated();
        assertThat(RenderCache.rendered(snapshot)).isSameAs(viaCache);
        assertThat(inflate(deflatedFirst)).isEqualTo(viaCache.text());
        assertThat(viaCache.text()).isEqualTo(TextFormat.render(new MetricSnapshots(snapshot)).toByteArray());
    }
}
