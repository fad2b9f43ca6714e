package io.pgvigil.dsn;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many connections pgvigil may hold open to one server at once ({@code --connection.server-budget}, an auth
 * module's {@code connection_budget}): a share of the server's connection slots, or a fixed number. Written as
 * {@code 5%} (up to two decimals, more than 0 and at most 100) or {@code 3} (at least 1).
 */
public sealed interface ConnectionBudget {

    /** {@code 5%}: the default. */
    ConnectionBudget DEFAULT = new Share(500);

    /**
     * @param available the server's slots that an ordinary role can take ({@code max_connections} minus the reserved
     *                  ones), when known
     * @return how many connections pgvigil may hold to that server: at least 1
     */
    int connections(OptionalInt available);

    /**
     * A share of the server's available slots, rounded down, at least 1; 1 while the server's slots are not known.
     *
     * @param basisPoints hundredths of a percent: 500 is 5%, 10000 is 100%
     */
    record Share(int basisPoints) implements ConnectionBudget {
        public Share {
            if (basisPoints < 1 || basisPoints > 10_000) {
                throw new IllegalArgumentException("a share must be more than 0% and at most 100%");
            }
        }

        @Override
        public int connections(OptionalInt available) {
            if (available.isEmpty()) {
                return 1;
            }
            long share = (long) Math.max(0, available.getAsInt()) * basisPoints / 10_000;
            return (int) Math.max(1, share);
        }

        /** @return e.g. {@code 5%} or {@code 2.5%} */
        @Override
        public String toString() {
            String whole = Integer.toString(basisPoints / 100);
            int fraction = basisPoints % 100;
            if (fraction == 0) {
                return whole + "%";
            }
            String decimals = fraction % 10 == 0 ? Integer.toString(fraction / 10) : String.format("%02d", fraction);
            return whole + "." + decimals + "%";
        }
    }

    /**
     * A fixed number of connections, whatever the server's size.
     *
     * @param count at least 1
     */
    record Fixed(int count) implements ConnectionBudget {
        public Fixed {
            if (count < 1) {
                throw new IllegalArgumentException("a number of connections must be at least 1");
            }
        }

        @Override
        public int connections(OptionalInt available) {
            return count;
        }

        /** @return the number */
        @Override
        public String toString() {
            return Integer.toString(count);
        }
    }

    /**
     * Parses {@code 5%}, {@code 2.5%}, {@code 100%} or {@code 3} (surrounding blanks ignored).
     *
     * @param text the value as written
     * @return the budget
     * @throws IllegalArgumentException naming what is wrong; the message quotes the value only when it is short and
     *                                  printable (a budget is not a secret)
     */
    static ConnectionBudget parse(String text) {
        String value = text.strip();
        // Few enough digits to keep the arithmetic inside a long; the range is checked after.
        Matcher share = Pattern.compile("(\\d{1,7})(?:\\.(\\d{1,2}))?%").matcher(value);
        if (share.matches()) {
            String decimals = share.group(2) == null ? "" : share.group(2);
            long points = Long.parseLong(share.group(1)) * 100 + (decimals.isEmpty() ? 0
                    : Integer.parseInt(decimals.length() == 1 ? decimals + "0" : decimals));
            if (points < 1 || points > 10_000) {
                throw new IllegalArgumentException(shown(value) + " is not a share between 0.01% and 100%");
            }
            return new Share((int) points);
        }
        if (value.matches("\\d{1,9}")) {
            long count = Long.parseLong(value);
            if (count < 1 || count > 100_000) {
                throw new IllegalArgumentException(shown(value) + " is not a number of connections between 1 and 100000");
            }
            return new Fixed((int) count);
        }
        throw new IllegalArgumentException(shown(value) + " is neither a share of the server's connection slots "
                                           + "(like 5% or 2.5%) nor a number of connections (like 3)");
    }

    private static String shown(String value) {
        if (value.isEmpty()) {
            return "an empty value";
        }
        boolean printable = value.length() <= 20 && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
        return printable ? "\"" + value + "\"" : "the value";
    }
}
