package io.pgvigil.config;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Optional;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Turns YAML text into a SnakeYAML node tree. Scalars stay exactly as written (no YAML 1.1 typing),
 * merge keys ({@code <<: *anchor}) are applied, and every node keeps its line. A syntax error becomes one
 * message with the line, the column and the key path reached so far. SnakeYAML's own exception text is
 * not used because it quotes the offending source line, which may hold a password.
 */
final class YamlDocument {
    private YamlDocument() {
    }

    /**
     * Parses a single YAML document.
     *
     * @param text     the file's text
     * @param problems where a syntax error is recorded
     * @return the root node; empty if the text holds no document or has a syntax error (then recorded)
     */
    static Optional<Node> parse(String text, Problems problems) {
        LoaderOptions options = new LoaderOptions();
        options.setMergeOnCompose(true);
        PathTracker tracker = new PathTracker(new ParserImpl(new StreamReader(text), options));
        try {
            return Optional.ofNullable(new Composer(tracker, new Resolver(), options).getSingleNode());
        } catch (MarkedYAMLException e) {
            problems.add(tracker.path(), syntaxMessage(e));
        } catch (ReaderException e) {
            problems.add(tracker.path(), "YAML syntax error at " + position(text, e.getPosition()) + ": "
                    + firstLine(e.getMessage()) + String.format(" (code point U+%04X)", e.getCodePoint()));
        } catch (YAMLException e) {
            // Limits (alias count, nesting depth, size): fixed texts without source excerpts.
            problems.add(tracker.path(), "YAML error: " + firstLine(e.getMessage()));
        } catch (RuntimeException e) {
            problems.add(tracker.path(), "unexpected error while reading YAML: " + e.getClass().getSimpleName());
        }
        return Optional.empty();
    }

    /** {@return "line L, column C" of a mark, both counted from 1} */
    static String position(Mark mark) {
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    private static String syntaxMessage(MarkedYAMLException e) {
        String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
        Mark problemMark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        StringBuilder out = new StringBuilder("YAML syntax error");
        if (problemMark != null) {
            out.append(" at ").append(position(problemMark));
        }
        out.append(": ").append(problem != null ? firstLine(problem) : "invalid YAML");
        if (e.getProblem() != null && e.getContext() != null) {
            out.append(" (").append(firstLine(e.getContext()));
            if (e.getContextMark() != null) {
                out.append(" at ").append(position(e.getContextMark()));
            }
            out.append(')');
        }
        return out.toString();
    }

    private static String position(String text, int codePointIndex) {
        int line = 1;
        int column = 1;
        int seen = 0;
        for (int i = 0; i < text.length() && seen < codePointIndex; i += Character.charCount(text.codePointAt(i))) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
            seen++;
        }
        return "line " + line + ", column " + column;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        String trimmed = text.strip();
        int newline = trimmed.indexOf('\n');
        return newline < 0 ? trimmed : trimmed.substring(0, newline).strip();
    }

    /**
     * Passes events through to the composer and remembers which mapping keys and list indexes enclose the
     * current position, so that an error can name its key path. Only keys are remembered, never values.
     */
    private static final class PathTracker implements Parser {
        private final Parser delegate;
        private final Deque<Frame> frames = new ArrayDeque<>();

        PathTracker(Parser delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean checkEvent(Event.ID choice) {
            return delegate.checkEvent(choice);
        }

        @Override
        public Event peekEvent() {
            return delegate.peekEvent();
        }

        @Override
        public Event getEvent() {
            Event event = delegate.getEvent();
            switch (event.getEventId()) {
                case MappingStart -> frames.push(new Frame(true));
                case SequenceStart -> frames.push(new Frame(false));
                case MappingEnd, SequenceEnd -> {
                    frames.pop();
                    nodeDone("?");
                }
                case Scalar -> nodeDone(((ScalarEvent) event).getValue());
                case Alias -> nodeDone("*" + ((AliasEvent) event).getAnchor());
                default -> { }
            }
            return event;
        }

        private void nodeDone(String text) {
            Frame top = frames.peek();
            if (top == null) {
                return;
            }
            if (!top.mapping) {
                top.index++;
            } else if (top.expectingKey) {
                top.key = text;
                top.expectingKey = false;
            } else {
                top.expectingKey = true;
            }
        }

        String path() {
            String path = "";
            for (Iterator<Frame> it = frames.descendingIterator(); it.hasNext(); ) {
                Frame frame = it.next();
                if (!frame.mapping) {
                    path = path + "[" + frame.index + "]";
                } else if (!frame.expectingKey) {
                    path = Problems.child(path, frame.key);
                }
            }
            return path;
        }
    }

    private static final class Frame {
        final boolean mapping;
        boolean expectingKey = true;
        String key = "";
        int index;

        Frame(boolean mapping) {
            this.mapping = mapping;
        }
    }

    /** A scalar as written; null ({@code ~}, {@code null} or nothing) is the empty string, as in yaml.v3. */
    static String text(Node scalar) {
        return isNull(scalar) ? "" : ((ScalarNode) scalar).getValue();
    }

    /** Whether a node is YAML null ({@code ~}, {@code null} or nothing); shared by the mappers. */
    static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    /** What a node is, for "must be X, not Y" messages; never its value. */
    static String kind(Node node) {
        return switch (node) {
            case MappingNode m -> "a map";
            case SequenceNode s -> "a list";
            case ScalarNode s when isNull(s) -> "null";
            case ScalarNode s when Tag.INT.equals(s.getTag()) || Tag.FLOAT.equals(s.getTag()) -> "a number";
            case ScalarNode s when Tag.BOOL.equals(s.getTag()) -> "a boolean";
            case ScalarNode s -> "a string";
            default -> "an unsupported YAML node";
        };
    }
}
