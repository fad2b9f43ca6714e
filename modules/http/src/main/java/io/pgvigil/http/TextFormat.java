package io.pgvigil.http;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Writes metric snapshots in the Prometheus text exposition format 0.0.4.
 *
 * <p>Why not the client library's {@code PrometheusTextFormatWriter}: it follows the OpenMetrics data
 * model and appends {@code _total} to every counter, which would rename upstream's counters such as
 * {@code pg_stat_database_xact_commit} and break existing dashboards. Names are written exactly as the
 * snapshot was built (see docs/architecture.md).
 */
final class TextFormat {
    /** The content type Prometheus expects for this format; the same as the reference exporter's. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores";

    private TextFormat() {
    }

    static void write(MetricSnapshots snapshots, OutputStream out) throws IOException {
        render(snapshots).writeTo(out);
    }

    /**
     * Renders the snapshots into one byte array. The page is built in memory anyway (its length is known before
     * the first byte is sent), so it is written as bytes directly: going through a {@code Writer} a character
     * at a time cost more CPU than the collectors' queries (measured with JFR, docs/performance.md).
     */
    static Page render(MetricSnapshots snapshots) {
        Page w = new Page(32 * 1024);
        for (MetricSnapshot snapshot : snapshots) {
            if (snapshot.getDataPoints().size() < CACHED_FROM) {
                family(w, snapshot);
                continue;
            }
            Rendered rendered = RENDERED.computeIfAbsent(snapshot, k -> new Rendered());
            w.cached(rendered, rendered.text(snapshot));
        }
        return w;
    }

    /**
     * The text of large snapshots, kept while the snapshot lives. Snapshots are immutable, and the collectors hand
     * the same instances to many scrapes when targets share a server's server-wide result (thousands of samples
     * with many databases): those are rendered and compressed once, by the first scrape that needs them, while
     * the others that need them at the same moment wait for it instead of doing the same work. Keys are held
     * weakly, by identity (snapshots do not override {@code equals}), so a snapshot's text goes with the snapshot.
     */
    private static final Map<MetricSnapshot, Rendered> RENDERED = Collections.synchronizedMap(new WeakHashMap<>());
    /** Smaller snapshots are cheaper to write again than to look up (measured with JFR). */
    private static final int CACHED_FROM = 32;

    /**
     * The text of one snapshot and that text compressed on its own, each made when first needed. Holds no
     * reference to the snapshot (a weak map's value must not keep its key alive).
     */
    private static final class Rendered {
        private byte[] text;
        private byte[] deflated;

        synchronized byte[] text(MetricSnapshot snapshot) {
            if (text == null) {
                Page one = new Page(4096);
                family(one, snapshot);
                text = one.toByteArray();
            }
            return text;
        }

        /** @return the text as raw deflate blocks ending in a sync flush, to be spliced into a gzip stream */
        synchronized byte[] deflated() {
            if (deflated == null) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(text.length / 4 + 64);
                Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
                try {
                    Page.deflateFlushed(deflater, text, 0, text.length, out);
                } finally {
                    deflater.end();
                }
                deflated = out.toByteArray();
            }
            return deflated;
        }
    }

    private static void family(Page w, MetricSnapshot snapshot) {
        if (snapshot.getDataPoints().isEmpty()) {
            return;
        }
        String name = snapshot.getMetadata().getOriginalName();
        w.ascii("# HELP ").text(name).ascii(" ");
        w.escaped(snapshot.getMetadata().getHelp() == null ? "" : snapshot.getMetadata().getHelp(), false);
        w.ascii("\n# TYPE ").text(name).ascii(" ").ascii(typeOf(snapshot)).ascii("\n");
        switch (snapshot) {
            case CounterSnapshot c -> c.getDataPoints().forEach(p -> sample(w, name, p.getLabels(), null, null, p.getValue()));
            case GaugeSnapshot g -> g.getDataPoints().forEach(p -> sample(w, name, p.getLabels(), null, null, p.getValue()));
            case UnknownSnapshot u -> u.getDataPoints().forEach(p -> sample(w, name, p.getLabels(), null, null, p.getValue()));
            case HistogramSnapshot h -> h.getDataPoints().forEach(p -> histogram(w, name, p));
            case SummarySnapshot sm -> sm.getDataPoints().forEach(p -> summary(w, name, p));
            default -> throw new IllegalArgumentException("unsupported metric type " + snapshot.getClass().getSimpleName());
        }
    }

    private static String typeOf(MetricSnapshot s) {
        return switch (s) {
            case CounterSnapshot c -> "counter";
            case GaugeSnapshot g -> "gauge";
            case HistogramSnapshot h -> "histogram";
            case SummarySnapshot sm -> "summary";
            default -> "untyped";
        };
    }

    private static void histogram(Page w, String name, HistogramSnapshot.HistogramDataPointSnapshot p) {
        var buckets = p.getClassicBuckets();
        long cumulative = 0;
        for (int i = 0; i < buckets.size(); i++) {
            cumulative += buckets.getCount(i);
            sample(w, name + "_bucket", p.getLabels(), "le", formatValue(buckets.getUpperBound(i)), cumulative);
        }
        sample(w, name + "_sum", p.getLabels(), null, null, p.hasSum() ? p.getSum() : 0);
        sample(w, name + "_count", p.getLabels(), null, null, cumulative);
    }

    private static void summary(Page w, String name, SummarySnapshot.SummaryDataPointSnapshot p) {
        for (var q : p.getQuantiles()) {
            sample(w, name, p.getLabels(), "quantile", formatValue(q.getQuantile()), q.getValue());
        }
        sample(w, name + "_sum", p.getLabels(), null, null, p.hasSum() ? p.getSum() : 0);
        sample(w, name + "_count", p.getLabels(), null, null, p.hasCount() ? p.getCount() : 0);
    }

    private static void sample(Page w, String name, Labels labels, String extraName, String extraValue, double value) {
        w.text(name);
        if (!labels.isEmpty() || extraName != null) {
            w.ascii("{");
            boolean first = true;
            for (int i = 0; i < labels.size(); i++) {
                if (!first) {
                    w.ascii(",");
                }
                first = false;
                w.text(labels.getName(i)).ascii("=\"");
                w.escaped(labels.getValue(i), true);
                w.ascii("\"");
            }
            if (extraName != null) {
                if (!first) {
                    w.ascii(",");
                }
                w.text(extraName).ascii("=\"").text(extraValue).ascii("\"");
            }
            w.ascii("}");
        }
        w.ascii(" ");
        w.value(value);
        w.ascii("\n");
    }

    /**
     * Formats a value as the reference exporter does (Go's {@code strconv.FormatFloat(v, 'g', -1, 64)}): the
     * shortest digits that read back to the same double, in exponent form when the decimal exponent is
     * below -4 or at least 6 ({@code 4.194304e+06}, {@code 1.5e-05}, but {@code 524288} and {@code 0.25}).
     */
    static String formatValue(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return (1 / v < 0) ? "-0" : "0";
        }
        // Double.toString yields the shortest round-tripping digits (JDK 19+).
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale();
        StringBuilder sb = new StringBuilder(24);
        if (v < 0) {
            sb.append('-');
        }
        if (exponent < -4 || exponent >= 6) {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exponent < 0 ? '-' : '+');
            int abs = Math.abs(exponent);
            if (abs < 10) {
                sb.append('0');
            }
            sb.append(abs);
        } else {
            sb.append(d.abs().toPlainString());
        }
        return sb.toString();
    }

    /**
     * A growing UTF-8 byte buffer with the few operations the format needs. {@code bytes} holds the page in its
     * first {@code size} bytes.
     */
    static final class Page {
        private byte[] bytes;
        private int size;
        /** Where text from the render cache lies in the page, in order: its compressed form can be reused. */
        private final List<Piece> cachedPieces = new ArrayList<>();

        private record Piece(int start, int end, Rendered rendered) {
        }

        private Page(int capacity) {
            bytes = new byte[capacity];
        }

        /** @return a copy of the page */
        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }

        int size() {
            return size;
        }

        void writeTo(OutputStream out) throws IOException {
            out.write(bytes, 0, size);
        }

        private void room(int n) {
            if (size + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
            }
        }

        private void cached(Rendered r, byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, bytes, size, b.length);
            cachedPieces.add(new Piece(size, size + b.length, r));
            size += b.length;
        }

        private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

        /**
         * Writes the page gzip-compressed (level 1), as one gzip member whose deflate stream is spliced from pieces
         * compressed independently: the text of cached snapshots is compressed once per snapshot and reused, the
         * rest is compressed now. Each piece ends in a sync flush (byte-aligned, not final) and starts without
         * references to earlier data, so the pieces join into one valid stream; an empty final block, the CRC-32
         * and the length close it. With many databases per server this is most of the page (docs/performance.md).
         * Level 1: Prometheus text still shrinks about 7 times (8 at the default level 6) for a third of the CPU,
         * and Prometheus asks every scrape for gzip.
         */
        void writeGzip(ByteArrayOutputStream out) {
            out.writeBytes(GZIP_HEADER);
            Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
            try {
                int at = 0;
                for (Piece p : cachedPieces) {
                    if (p.start() > at) {
                        deflateFlushed(deflater, bytes, at, p.start() - at, out);
                        deflater.reset();
                    }
                    out.writeBytes(p.rendered().deflated());
                    at = p.end();
                }
                deflater.setInput(bytes, at, size - at);
                deflater.finish();
                byte[] buffer = new byte[8192];
                while (!deflater.finished()) {
                    out.write(buffer, 0, deflater.deflate(buffer));
                }
            } finally {
                deflater.end();
            }
            CRC32 crc = new CRC32();
            crc.update(bytes, 0, size);
            writeIntLe(out, (int) crc.getValue());
            writeIntLe(out, size);
        }

        private static void writeIntLe(ByteArrayOutputStream out, int v) {
            out.write(v);
            out.write(v >>> 8);
            out.write(v >>> 16);
            out.write(v >>> 24);
        }

        /** Compresses {@code len} bytes and flushes them to a byte boundary without ending the stream. */
        static void deflateFlushed(Deflater deflater, byte[] b, int off, int len, ByteArrayOutputStream out) {
            deflater.setInput(b, off, len);
            byte[] buffer = new byte[8192];
            int n;
            do {
                n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
                out.write(buffer, 0, n);
            } while (n == buffer.length);
        }

        /** Appends a constant that is known to be ASCII. */
        private Page ascii(String s) {
            int n = s.length();
            room(n);
            for (int i = 0; i < n; i++) {
                bytes[size++] = (byte) s.charAt(i);
            }
            return this;
        }

        /** Appends any text as UTF-8, unescaped (names, which are ASCII after validation, and label values we add). */
        private Page text(String s) {
            return escaped(s, false, false);
        }

        /** Appends a HELP text ({@code quote} false) or a label value ({@code quote} true) with its escapes. */
        private Page escaped(String s, boolean quote) {
            return escaped(s, true, quote);
        }

        private Page escaped(String s, boolean escape, boolean quote) {
            int n = s.length();
            room(n * 3); // at most 3 bytes a char: an escape is 2, a surrogate pair 4 for 2 chars
            byte[] b = bytes;
            int at = size;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    if (escape && (c == '\\' || c == '\n' || (quote && c == '"'))) {
                        b[at++] = '\\';
                        b[at++] = (byte) (c == '\n' ? 'n' : c);
                    } else {
                        b[at++] = (byte) c;
                    }
                } else if (c < 0x800) {
                    b[at++] = (byte) (0xC0 | (c >> 6));
                    b[at++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    b[at++] = (byte) (0xF0 | (cp >> 18));
                    b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    b[at++] = (byte) (0x80 | (cp & 0x3F));
                } else if (Character.isSurrogate(c)) {
                    b[at++] = '?'; // a lone surrogate has no UTF-8 form; the JDK's encoder writes '?' too
                } else {
                    b[at++] = (byte) (0xE0 | (c >> 12));
                    b[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    b[at++] = (byte) (0x80 | (c & 0x3F));
                }
            }
            size = at;
            return this;
        }

        /** Appends a sample value in the reference exporter's format (see {@link #formatValue}). */
        private void value(double v) {
            // Integral values below 2^53 are by far the most common (counters, sizes); their shortest digits are
            // the integer's own digits, so they need neither BigDecimal nor a String when below 10^6.
            if (v >= 0 && v < 1e6 && v == Math.rint(v) && !(v == 0 && 1 / v < 0)) {
                long n = (long) v;
                room(7);
                if (n == 0) {
                    bytes[size++] = '0';
                    return;
                }
                int digits = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10_000 ? 4 : n < 100_000 ? 5 : 6;
                for (int i = size + digits - 1; i >= size; i--) {
                    bytes[i] = (byte) ('0' + n % 10);
                    n /= 10;
                }
                size += digits;
                return;
            }
            ascii(formatValue(v));
        }
    }
}
