package io.pgvigil.app;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One flag of the command line: a row of the {@link Flag} table, or a generated
 * {@code --[no-]collector.<name>} switch. It knows its spellings, its default after the environment, and how to
 * convert its text to a value; whether the value is acceptable is for the record that holds it.
 *
 * @param section      the help section
 * @param name         the long name, e.g. {@code --web.listen-address}
 * @param shortName    a one-letter alias, e.g. {@code -h}
 * @param kind         what it takes
 * @param label        the value's name in {@code --help} ({@code --flag=<LABEL>}); empty for actions and switches
 * @param defaultValue the default as text; for a switch {@code true} or {@code false}
 * @param env          the environment variable that replaces the default when it is set
 * @param help         the help text; {@code $ENV} stands for the environment variable
 */
record FlagDeclaration(Flag.Section section, String name, Optional<String> shortName, Flag.Kind kind, String label,
                       String defaultValue, Optional<String> env, String help) {
    private static final String ENV_MARK = "$ENV";

    FlagDeclaration {
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(kind, "kind");
        if (!name.startsWith("--")) {
            throw new IllegalArgumentException(name + ": a long flag starts with --");
        }
        if (takesValue(kind) == label.isEmpty()) {
            throw new IllegalArgumentException(name + ": a label exactly when the flag takes a value");
        }
        if (env.isPresent() != help.contains(ENV_MARK)) {
            throw new IllegalArgumentException(name + ": the help names $ENV exactly when there is an environment variable");
        }
        if (kind == Flag.Kind.SWITCH && !defaultValue.equals("true") && !defaultValue.equals("false")) {
            throw new IllegalArgumentException(name + ": a switch defaults to true or false");
        }
    }

    /**
     * A generated {@code --[no-]collector.<name>} switch.
     *
     * @param collector the collector's name
     * @param enabled   whether it runs by default
     * @return the declaration
     */
    static FlagDeclaration collector(String collector, boolean enabled) {
        return new FlagDeclaration(Flag.Section.COLLECTORS, "--collector." + collector, Optional.empty(), Flag.Kind.SWITCH,
                                   "", String.valueOf(enabled), Optional.empty(),
                                   "Enable the " + collector + " collector (default: " + (enabled ? "enabled" : "disabled") + ").");
    }

    private static boolean takesValue(Flag.Kind kind) {
        return kind != Flag.Kind.ACTION && kind != Flag.Kind.SWITCH;
    }

    /** {@return whether the flag is spelled {@code --flag=value} or {@code --flag value}} */
    boolean takesValue() {
        return takesValue(kind);
    }

    /** {@return the spellings, short one first} */
    String[] names() {
        return shortName.map(s -> new String[] {s, name}).orElseGet(() -> new String[] {name});
    }

    /** {@return the help text with the environment variable named} */
    String description() {
        return env.map(e -> help.replace(ENV_MARK, "$" + e)).orElse(help);
    }

    /** {@return the flag as {@code --help} shows it: {@code --flag=<LABEL>}, {@code --[no-]flag} or {@code --flag}} */
    String synopsis() {
        return switch (kind) {
            case ACTION -> name;
            case SWITCH -> "--[no-]" + name.substring(2);
            default -> name + "=<" + label + ">";
        };
    }

    /**
     * @param environment the environment
     * @return the default of a flag that takes a value: its environment variable when set (even empty), else the
     * declared default
     */
    String defaultIn(Function<String, String> environment) {
        return env.map(environment).orElse(defaultValue);
    }

    /**
     * @param environment the environment
     * @return the value of a switch not given on the command line: its environment variable as Go's
     * {@code strconv.ParseBool} reads it when set and not empty, else the declared default
     * @throws IllegalArgumentException when the variable is not a boolean
     */
    boolean switchDefaultIn(Function<String, String> environment) {
        Optional<String> set = env.flatMap(e -> Optional.ofNullable(environment.apply(e))).filter(v -> !v.isEmpty());
        if (set.isEmpty()) {
            return Boolean.parseBoolean(defaultValue);
        }
        return switch (set.get()) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw new IllegalArgumentException("$" + env.get() + ": \"" + set.get() + "\" is not a boolean");
        };
    }

    /**
     * @param text the flag's text
     * @return a {@link Flag.Kind#DURATION} value
     * @throws IllegalArgumentException naming the flag, when the text is not a Go duration
     */
    Duration duration(String text) {
        try {
            return GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
    }

    /**
     * @param text the flag's text
     * @return an {@link Flag.Kind#INTEGER} value
     * @throws IllegalArgumentException naming the flag, when the text is not a whole number
     */
    int integer(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": \"" + text + "\" is not a whole number");
        }
    }

    /**
     * @param text the flag's text
     * @return a {@link Flag.Kind#LIST} value: the comma-separated entries, trimmed, without empty ones
     */
    static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
