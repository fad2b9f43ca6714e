package io.pgvigil.http;

import io.pgvigil.config.WebConfig;

import java.util.Optional;

/**
 * The web config's {@code rate_limit} as Go's {@code rate.Limiter} applies it: a bucket of {@code burst} tokens,
 * full at first, gaining one token per {@code interval}; each request takes one or is refused. A reload that
 * changes the limit starts a new, full bucket; one that keeps it keeps the bucket.
 */
final class TokenBucket {
    private WebConfig.RateLimit limit;
    private double tokens;
    private long last;

    /**
     * @param current the limit in force; empty for none
     * @return whether the request may go on (it took a token)
     */
    synchronized boolean allow(Optional<WebConfig.RateLimit> current) {
        if (current.isEmpty()) {
            return true;
        }
        long now = System.nanoTime();
        WebConfig.RateLimit l = current.get();
        if (!l.equals(limit)) {
            limit = l;
            tokens = l.burst();
            last = now;
        }
        tokens = Math.min(l.burst(), tokens + (now - last) / (double) l.interval().toNanos());
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
