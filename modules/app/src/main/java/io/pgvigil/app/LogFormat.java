package io.pgvigil.app;

import io.pgvigil.dsn.Redaction;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Formats log records as logfmt ({@code time=... level=info source=Scraper msg="..." key=value}) or as one
 * JSON object per line, like the reference exporter. A record's parameters are key/value pairs
 * (pgvigil's own log calls) unless the message holds {@code {0}}-style placeholders (Helidon's).
 * Every line goes through {@link Redaction} as a last line of defence against leaked passwords.
 */
final class LogFormat extends Formatter {
    /** The two formats of {@code --log.format}. */
    enum Kind { LOGFMT, JSON }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Kind kind;

    LogFormat(Kind kind) {
        this.kind = kind;
    }

    static String level(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "error";
        }
        if (v >= Level.WARNING.intValue()) {
            return "warn";
        }
        if (v >= Level.INFO.intValue()) {
            return "info";
        }
        return "debug";
    }

    @Override
    public String format(LogRecord record) {
        StringBuilder sb = new StringBuilder(160);
        Object[] params = record.getParameters();
        String message = record.getMessage() == null ? "" : record.getMessage();
        boolean keyValues = params != null && params.length > 0 && !message.contains("{0");
        if (!keyValues && params != null && params.length > 0) {
            message = formatMessage(record);
        }
        String source = record.getLoggerName() == null ? "" : record.getLoggerName();
        source = source.substring(source.lastIndexOf('.') + 1);
        field(sb, "time", TIME.format(Instant.ofEpochMilli(record.getMillis())), true);
        field(sb, "level", level(record.getLevel()), false);
        field(sb, "source", source, false);
        field(sb, "msg", message, false);
        if (keyValues) {
            for (int i = 0; i + 1 < params.length; i += 2) {
                field(sb, String.valueOf(params[i]), String.valueOf(params[i + 1]), false);
            }
        }
        if (record.getThrown() != null) {
            Throwable t = record.getThrown();
            field(sb, "err", t.getClass().getSimpleName() + ": " + t.getMessage(), false);
        }
        if (kind == Kind.JSON) {
            sb.insert(0, '{').append('}');
        }
        return Redaction.redact(sb.toString()) + "\n";
    }

    private void field(StringBuilder sb, String key, String value, boolean first) {
        if (kind == Kind.JSON) {
            if (!first) {
                sb.append(',');
            }
            sb.append('"').append(jsonEscape(key)).append("\":\"").append(jsonEscape(value)).append('"');
            return;
        }
        if (!first) {
            sb.append(' ');
        }
        sb.append(key).append('=');
        if (value.isEmpty() || value.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '=' || c == '\\')) {
            // logfmt quotes like Go's strconv.Quote: the JSON escapes are the same
            sb.append('"').append(jsonEscape(value)).append('"');
        } else {
            sb.append(value);
        }
    }

    private static String jsonEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
