package io.pgvigil.exposition;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.io.ByteArrayOutputStream;
import java.util.zip.Deflater;

/**
 * The text of one snapshot, and that text compressed on its own when first asked for. The text is made when
 * the object is, so the compressed form can never be asked for before there is a text to compress. Holds no
 * reference to the snapshot.
 */
final class Rendered {
    private final byte[] text;
    private byte[] deflated;

    private Rendered(byte[] text) {
        this.text = text;
    }

    /** {@return the snapshot's family written on its own} */
    static Rendered of(MetricSnapshot snapshot) {
        Page one = new Page(4096);
        TextFormat.family(one, snapshot);
        return new Rendered(one.toByteArray());
    }

    /** {@return the text; the caller must not change the array} */
    byte[] text() {
        return text;
    }

    /** {@return the text as raw deflate blocks ending in a sync flush, to be spliced into a gzip stream} */
    synchronized byte[] deflated() {
        if (deflated == null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(text.length / 4 + 64);
            Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
            try {
                SplicedGzip.deflateFlushed(deflater, text, 0, text.length, out);
            } finally {
                deflater.end();
            }
            deflated = out.toByteArray();
        }
        return deflated;
    }
}
