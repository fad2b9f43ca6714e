package io.pgvigil.app;

import java.io.PrintStream;
import java.io.UnsupportedEncodingException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/** Installs pgvigil's log format on the JDK logging root, writing to standard error. */
final class Logging {
    /** The values of {@code --log.level}, least severe first, as the reference exporter names them. */
    enum Severity {
        DEBUG(Level.FINE), INFO(Level.INFO), WARN(Level.WARNING), ERROR(Level.SEVERE);

        private final Level jul;

        Severity(Level jul) {
            this.jul = jul;
        }
    }

    private Logging() {
    }

    /** {@return the accepted values of {@code --log.level}, e.g. for its help} */
    static List<String> levels() {
        return names(Severity.values());
    }

    /** {@return the accepted values of {@code --log.format}, e.g. for its help} */
    static List<String> formats() {
        return names(LogFormat.Kind.values());
    }

    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT)).toList();
    }

    private static int index(List<String> names, String value, String flag) {
        int i = names.indexOf(value.toLowerCase(Locale.ROOT));
        if (i < 0) {
            throw new IllegalArgumentException("invalid " + flag + " \"" + value + "\" (one of " + String.join(", ", names) + ")");
        }
        return i;
    }

    /**
     * @param level  one of {@link #levels()}, in any case
     * @param format one of {@link #formats()}, in any case
     * @throws IllegalArgumentException for another value
     */
    static void configure(String level, String format) {
        Level jul = Severity.values()[index(levels(), level, "--log.level")].jul;
        LogFormat.Kind kind = LogFormat.Kind.values()[index(formats(), format, "--log.format")];
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
