package io.pgvigil.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects every log record (message, parameters and exception text) while installed. */
final class LogCapture extends Handler implements AutoCloseable {
    private final List<String> lines = new ArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Level previous;

    LogCapture() {
        previous = root.getLevel();
        root.setLevel(Level.ALL);
        setLevel(Level.ALL);
        root.addHandler(this);
    }

    @Override
    public synchronized void publish(LogRecord r) {
        StringBuilder sb = new StringBuilder(String.valueOf(r.getMessage()));
        if (r.getParameters() != null) {
            sb.append(' ').append(Arrays.toString(r.getParameters()));
        }
        for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
            sb.append(' ').append(t);
        }
        lines.add(sb.toString());
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
        root.setLevel(previous);
    }
}
