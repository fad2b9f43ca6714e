package io.pgvigil.app;

import java.io.PrintStream;
import java.io.UnsupportedEncodingException;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/** Installs pgvigil's log format on the JDK logging root, writing to standard error. */
final class Logging {
    private Logging() {
    }

    /**
     * @param level  {@code debug}, {@code info}, {@code warn} or {@code error}
     * @param format {@code logfmt} or {@code json}
     * @throws IllegalArgumentException for another value
     */
    static void configure(String level, String format) {
        Level jul = switch (level.toLowerCase(Locale.ROOT)) {
            case "debug" -> Level.FINE;
            case "info" -> Level.INFO;
            case "warn" -> Level.WARNING;
            case "error" -> Level.SEVERE;
            default -> throw new IllegalArgumentException(
                    "invalid --log.level \"" + level + "\" (one of debug, info, warn, error)");
        };
        LogFormat.Kind kind = switch (format.toLowerCase(Locale.ROOT)) {
            case "logfmt" -> LogFormat.Kind.LOGFMT;
            case "json" -> LogFormat.Kind.JSON;
            default -> throw new IllegalArgumentException("invalid --log.format \"" + format + "\" (one of logfmt, json)");
        };
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(jul);
        Handler handler = new FlushingHandler(System.err, new LogFormat(kind));
        handler.setLevel(jul);
        root.addHandler(handler);
        // pgjdbc logs connection problems itself at WARNING/SEVERE; pgvigil logs them once, redacted.
        Logger.getLogger("org.postgresql").setLevel(Level.OFF);
    }

    /** A stream handler that flushes every record, so logs appear at once under systemd. */
    private static final class FlushingHandler extends StreamHandler {
        FlushingHandler(PrintStream out, LogFormat format) {
            super(out, format);
            try {
                setEncoding("UTF-8");
            } catch (UnsupportedEncodingException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public synchronized void publish(java.util.logging.LogRecord record) {
            super.publish(record);
            flush();
        }

        @Override
        public synchronized void close() {
            flush();
        }
    }
}
