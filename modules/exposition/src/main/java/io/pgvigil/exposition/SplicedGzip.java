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

    /** Where a cached snapshot's text lies in a page: bytes {@code start} (inclusive) to {@code end}. */
    record Piece(int start, int end, Rendered rendered) {
    }

    private SplicedGzip() {
    }

    /**
     * Writes the first {@code size} bytes of {@code page} as a gzip stream.
     *
     * @param cachedPieces the cached texts in the page, in order, not overlapping
     */
    static void write(byte[] page, int size, List<Piece> cachedPieces, ByteArrayOutputStream out) {
        out.writeBytes(GZIP_HEADER);
        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        try {
            int at = 0;
            for (Piece p : cachedPieces) {
                if (p.start() > at) {
                    deflateFlushed(deflater, page, at, p.start() - at, out);
                    deflater.reset();
                }
                out.writeBytes(p.rendered().deflated());
                at = p.end();
            }
            deflater.setInput(page, at, size - at);
            deflater.finish();
            byte[] buffer = new byte[8192];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
        } finally {
            deflater.end();
        }
        CRC32 crc = new CRC32();
        crc.update(page, 0, size);
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
}
