package io.pgvigil.exposition;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A rendered page of the text format: UTF-8 bytes, sent as they are ({@link #toByteArray()}, {@link #writeTo})
 * or gzip-compressed ({@link #gzipped()}). Made by {@link TextFormat#render}; complete when handed out.
 *
 * <p>While it is written it is a growing byte buffer with the few operations the format needs: {@code bytes}
 * holds the page's own text in its first {@code size} bytes. Text from the render cache is not copied into it:
 * the page keeps a reference to it and where it goes. With many databases per server that text is most of every
 * page (megabytes with 500 databases), and copying it into each page's buffer, grown by doubling, was most of
 * what a probe allocated (docs/performance.md, "Memory (issue 12)").
 */
public final class Page {
    private byte[] bytes;
    private int size;
    /** Text from the render cache and where it goes in the own text, in order: its compressed form is reused. */
    private final List<SplicedGzip.Piece> cachedPieces = new ArrayList<>();
    private int cachedSize;

    Page(int capacity) {
        bytes = new byte[capacity];
    }

    /** {@return a copy of the page} */
    public byte[] toByteArray() {
        byte[] page = new byte[size()];
        int at = 0;
        int to = 0;
        for (SplicedGzip.Piece p : cachedPieces) {
            System.arraycopy(bytes, at, page, to, p.at() - at);
            to += p.at() - at;
            byte[] text = p.rendered().text();
            System.arraycopy(text, 0, page, to, text.length);
            to += text.length;
            at = p.at();
        }
        System.arraycopy(bytes, at, page, to, size - at);
        return page;
    }

    /** {@return the length of the page in bytes} */
    public int size() {
        return size + cachedSize;
    }

    /** {@return the length of the page's own text, without the cached text it refers to} */
    int ownSize() {
        return size;
    }

    /**
     * Writes the page to {@code out}.
     *
     * @param out where the page goes
     * @throws IOException when {@code out} fails
     */
    public void writeTo(OutputStream out) throws IOException {
        int at = 0;
        for (SplicedGzip.Piece p : cachedPieces) {
            out.write(bytes, at, p.at() - at);
            out.write(p.rendered().text());
            at = p.at();
        }
        out.write(bytes, at, size - at);
    }

    /**
     * The page gzip-compressed (level 1): one gzip member, spliced from pieces compressed apart so that the text of
     * cached snapshots is compressed once, not once per page (see {@link SplicedGzip}). Level 1: Prometheus text
     * still shrinks about 7 times (8 at the default level 6) for a third of the CPU, and Prometheus asks every
     * scrape for gzip.
     *
     * @return the gzip stream
     */
    public byte[] gzipped() {
        // Room for the compressed cached texts as they are, and the own text at a quarter: sized from the whole
        // page, the buffer was 4-5 times the stream with 500 databases, a quarter of what a probe allocated.
        int estimate = size / 4 + 64;
        for (SplicedGzip.Piece p : cachedPieces) {
            estimate += p.rendered().deflated().length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(estimate);
        SplicedGzip.write(bytes, size, cachedPieces, out);
        return out.toByteArray();
    }

    private void room(int n) {
        if (size + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
        }
    }

    /** Adds a snapshot's text from the render cache at the current end, by reference. */
    void cached(Rendered r) {
        cachedPieces.add(new SplicedGzip.Piece(size, r));
        cachedSize += r.text().length;
    }

    /** Appends a constant that is known to be ASCII. */
    Page ascii(String s) {
        int n = s.length();
        room(n);
        for (int i = 0; i < n; i++) {
            bytes[size++] = (byte) s.charAt(i);
        }
        return this;
    }

    /** Appends any text as UTF-8, unescaped (names, which are ASCII after validation, and label values we add). */
    Page text(String s) {
        return escaped(s, false, false);
    }

    /** Appends a HELP text ({@code quote} false) or a label value ({@code quote} true) with its escapes. */
    Page escaped(String s, boolean quote) {
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

    /** Appends a sample value in the reference exporter's format (see {@link GoFloat#format}). */
    void value(double v) {
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
        ascii(GoFloat.format(v));
    }
}
