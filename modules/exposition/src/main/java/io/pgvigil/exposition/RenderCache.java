package io.pgvigil.exposition;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The text of large snapshots, kept while the snapshot lives. Snapshots are immutable, and the collectors hand
 * the same instances to many scrapes when targets share a server's server-wide result (thousands of samples
 * with many databases): those are rendered and compressed once, by the first scrape that needs them, while
 * the others that need them at the same moment wait for it instead of doing the same work. Keys are held
 * weakly, by identity (snapshots do not override {@code equals}), so a snapshot's text goes with the snapshot.
 */
final class RenderCache {
    /** Smaller snapshots are cheaper to write again than to look up (measured with JFR). */
    static final int CACHED_FROM = 32;

    private static final Map<MetricSnapshot, Slot> SLOTS = Collections.synchronizedMap(new WeakHashMap<>());

    private RenderCache() {
    }

    /** {@return whether the snapshot is large enough to be taken from and kept in the cache} */
    static boolean worthCaching(MetricSnapshot snapshot) {
        return snapshot.getDataPoints().size() >= CACHED_FROM;
    }

    /** {@return the snapshot rendered, by this call or an earlier one} */
    static Rendered rendered(MetricSnapshot snapshot) {
        return SLOTS.computeIfAbsent(snapshot, k -> new Slot()).rendered(snapshot);
    }

    /**
     * Where one snapshot's rendering is made once. The map's lock is held only to find the slot; the rendering
     * happens under the slot's own lock, so scrapes that need other snapshots do not wait. Holds no reference to
     * the snapshot (a weak map's value must not keep its key alive).
     */
    private static final class Slot {
        private Rendered rendered;

        synchronized Rendered rendered(MetricSnapshot snapshot) {
            if (rendered == null) {
                rendered = Rendered.of(snapshot);
            }
            return rendered;
        }
    }
}
