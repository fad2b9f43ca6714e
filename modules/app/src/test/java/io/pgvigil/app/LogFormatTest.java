package io.pgvigil.app;

import org.junit.jupiter.api.Test;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

class LogFormatTest {
    private static LogRecord record(Level level, String msg, Object... params) {
        LogRecord r = new LogRecord(level, msg);
        r.setLoggerName("io.pgvigil.app.Main");
        r.setParameters(params);
        r.setMillis(0);
        return r;
    }

    @Test
    void logfmtWithKeyValues() {
        String line = new LogFormat(LogFormat.Kind.LOGFMT).format(
                record(Level.INFO, "Configured auth module", "module", "prod_db", "options", "sslmode=disable"));
        assertThat(line).isEqualTo("time=1970-01-01T00:00:00.000Z level=info source=Main msg=\"Configured auth module\""
                                   + " module=prod_db options=\"sslmode=disable\"\n");
    }

    @Test
    void jsonWithKeyValues() {
        String line = new LogFormat(LogFormat.Kind.JSON).format(record(Level.WARNING, "x \"y\"", "k", "v"));
        assertThat(line).isEqualTo("{\"time\":\"1970-01-01T00:00:00.000Z\",\"level\":\"warn\",\"source\":\"Main\","
                                   + "\"msg\":\"x \\\"y\\\"\",\"k\":\"v\"}\n");
    }

    @Test
    void helidonStyleMessagesAreFormatted() {
        String line = new LogFormat(LogFormat.Kind.LOGFMT).format(record(Level.INFO, "Started in {0} ms", 42));
        assertThat(line).contains("msg=\"Started in 42 ms\"");
    }

    @Test
    void passwordsThatSlipIntoAMessageAreMasked() {
        String line = new LogFormat(LogFormat.Kind.LOGFMT).format(
                record(Level.SEVERE, "oops", "dsn", "postgresql://u:hunter2@db:5432/x", "kv", "host=db password=hunter2"));
        assertThat(line).doesNotContain("hunter2").contains("u:******@db:5432");
    }
}
