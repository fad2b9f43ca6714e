package io.pgvigil.dsn;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Percent-encoding (RFC 3986) of UTF-8 text, without exceptions for bad input. */
final class PercentCodec {
    private static final String HEX = "0123456789ABCDEF";

    private PercentCodec() {
    }

    /**
     * Decodes {@code %XX} escapes.
     *
     * @param text        the encoded text
     * @param plusIsSpace whether {@code +} means a space (query strings, as Go's {@code url.ParseQuery})
     * @return the decoded text, empty when an escape is malformed or the bytes are not UTF-8
     */
    static Optional<String> decode(String text, boolean plusIsSpace) {
        if (text.indexOf('%') < 0 && !(plusIsSpace && text.indexOf('+') >= 0)) {
            return Optional.of(text);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length()) {
                    return Optional.empty();
                }
                int hi = hex(text.charAt(i + 1));
                int lo = hex(text.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                bytes.write(hi << 4 | lo);
                i += 3;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
                i++;
            } else {
                int cp = text.codePointAt(i);
                byte[] encoded = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
                i += Character.charCount(cp);
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** The value of an ASCII hex digit, -1 for anything else (Character.digit also takes non-ASCII digits). */
    private static int hex(char c) {
        return c < 0x80 ? HEX.indexOf(Character.toUpperCase(c)) : -1;
    }

    /**
     * Encodes every character except the RFC 3986 unreserved ones and {@code safe}.
     *
     * @param text the text
     * @param safe further ASCII characters to leave as they are
     */
    static String encode(String text, String safe) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~'
                    || c < 0x80 && c > 0x20 && safe.indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
            }
        }
        return out.toString();
    }
}
