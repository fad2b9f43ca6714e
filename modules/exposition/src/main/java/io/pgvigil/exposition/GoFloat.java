package io.pgvigil.exposition;

import java.math.BigDecimal;

/** Sample values as the reference exporter writes them. */
final class GoFloat {
    private GoFloat() {
    }

    /**
     * Formats a value as the reference exporter does (Go's {@code strconv.FormatFloat(v, 'g', -1, 64)}): the
     * shortest digits that read back to the same double, in exponent form when the decimal exponent is
     * below -4 or at least 6 ({@code 4.194304e+06}, {@code 1.5e-05}, but {@code 524288} and {@code 0.25}).
     */
    static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return (1 / v < 0) ? "-0" : "0";
        }
        // Double.toString yields the shortest round-tripping digits (JDK 19+).
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale();
        StringBuilder sb = new StringBuilder(24);
        if (v < 0) {
            sb.append('-');
        }
        if (exponent < -4 || exponent >= 6) {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exponent < 0 ? '-' : '+');
            int abs = Math.abs(exponent);
            if (abs < 10) {
                sb.append('0');
            }
            sb.append(abs);
        } else {
            sb.append(d.abs().toPlainString());
        }
        return sb.toString();
    }
}
