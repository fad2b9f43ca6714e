package io.pgvigil.exposition;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A page gzip-compressed (level 1) as one gzip member whose deflate stream is spliced from pieces compressed
 * independently: the text of cached snapshots is compressed once per snapshot and reused, the rest is compressed
 * now. Each piece ends in a sync flush (byte-aligned, not final) and starts without references to earlier data,
 * so the pieces join into one valid stream; an empty final block, the CRC-32 and the length close it. With many
 * databases per server the cached pieces are most of the page (docs/performance.md).
 */
final class SplicedGzip {
    private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    /** A cached snapshot's text, which goes at offset {@code at} of the page's own text (before the byte there). */
    record Piece(int at, Rendered rendered) {
    }

    private SplicedGzip() {
    }

    /**
     * Writes a page as a gzip stream: the first {@code size} bytes of {@code own} with the cached texts inserted
     * where their pieces say.
     *
     * @param cachedPieces the cached texts of the page, in order of their offsets
     */
    static void write(byte[] own, int size, List<Piece> cachedPieces, ByteArrayOutputStream out) {
        out.writeBytes(GZIP_HEADER);
        CRC32 crc = new CRC32();
        long length = size;
        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        try {
            int at = 0;
            for (Piece p : cachedPieces) {
                if (p.at() > at) {
                    deflateFlushed(deflater, own, at, p.at() - at, out);
                    deflater.reset();
                }
                byte[] text = p.rendered().text();
                crc.update(own, at, p.at() - at);
                crc.update(text, 0, text.length);
                length += text.length;
                out.writeBytes(p.rendered().deflated());
                at = p.at();
            }
            crc.update(own, at, size - at);
            deflater.setInput(own, at, size - at);
            deflater.finish();
            byte[] buffer = new byte[8192];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
        } finally {
            deflater.end();
        }
        writeIntLe(out, (int) crc.getValue());
        writeIntLe(out, (int) length); // ISIZE: the length modulo 2^32
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
}
