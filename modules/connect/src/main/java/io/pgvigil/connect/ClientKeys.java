package io.pgvigil.connect;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Reads a client private key in the forms libpq users have, in memory: PEM or DER; PKCS#8
 * ({@code BEGIN PRIVATE KEY}), encrypted PKCS#8 ({@code BEGIN ENCRYPTED PRIVATE KEY}, with the passphrase), RSA
 * PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) and EC SEC1 ({@code BEGIN EC PRIVATE KEY}). The form is told from the DER
 * structure, not from the PEM label, so a DER file needs no hint. PKCS#1 and SEC1 are wrapped into PKCS#8 (their
 * algorithm identifier added) for the JDK's key factories. No message names anything but the form and the failure:
 * never the key bytes or the passphrase.
 */
final class ClientKeys {

    /** {@code 1.2.840.113549.1.1.1} rsaEncryption, with its NULL parameters. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    /** {@code 1.2.840.10045.2.1} id-ecPublicKey, without the curve. */
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02,
            0x01};
    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;
    private static final int OCTET_STRING = 0x04;
    private static final int OID = 0x06;
    private static final int CONTEXT_0 = 0xa0;

    private ClientKeys() {
    }

    /** Why a key could not be read; the message is safe to log. */
    static final class KeyException extends Exception {
        KeyException(String message) {
            super(message);
        }
    }

    /**
     * Parses a key file's bytes.
     *
     * @param file       the file's contents; not kept, and wiped by the caller
     * @param passphrase the passphrase for an encrypted key; empty when none is configured
     * @return the key
     * @throws KeyException when the bytes are no supported key, or the passphrase is missing or wrong
     */
    static PrivateKey parse(byte[] file, Optional<char[]> passphrase) throws KeyException {
        byte[] der = isPem(file) ? pemBody(file) : file.clone();
        try {
            return parseDer(der, passphrase);
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    private static PrivateKey parseDer(byte[] der, Optional<char[]> passphrase) throws KeyException {
        Element outer = Element.read(der, 0);
        if (outer.tag != SEQUENCE || outer.end != der.length) {
            throw new KeyException("not a private key in PEM or DER form");
        }
        Element first = Element.read(der, outer.start);
        if (first.tag == SEQUENCE) {
            return decrypt(der, passphrase);
        }
        if (first.tag != INTEGER || first.end >= outer.end) {
            throw new KeyException("not a private key in PEM or DER form");
        }
        Element second = Element.read(der, first.end);
        int version = first.length() == 1 ? der[first.start] : -1;
        if (second.tag == SEQUENCE && (version == 0 || version == 1)) {
            return pkcs8(der, List.of("RSA", "EC", "RSASSA-PSS", "Ed25519", "Ed448"));
        }
        if (second.tag == INTEGER && version == 0) {
            return pkcs8(wrap(RSA_ALGORITHM, der), List.of("RSA"));
        }
        if (second.tag == OCTET_STRING && version == 1) {
            return pkcs8(wrap(ecAlgorithm(der, second.end, outer.end), der), List.of("EC"));
        }
        throw new KeyException("not a private key in PEM or DER form");
    }

    /** An encrypted PKCS#8 key: PBES2 (or an older PBES1 scheme the JDK knows) with the passphrase. */
    private static PrivateKey decrypt(byte[] der, Optional<char[]> passphrase) throws KeyException {
        if (passphrase.isEmpty()) {
            throw new KeyException("the key is encrypted and no sslpassword is configured");
        }
        byte[] plain = null;
        PBEKeySpec spec = new PBEKeySpec(passphrase.get());
        try {
            EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
            AlgorithmParameters params = info.getAlgParameters();
            // For PBES2 the parameters name the full scheme (e.g. PBEWithHmacSHA256AndAES_256) and the algorithm
            // name is only "PBES2"; for the older PBES1 schemes the algorithm name is the scheme.
            for (String scheme : params == null ? List.of(info.getAlgName())
                    : List.of(params.toString(), info.getAlgName())) {
                try {
                    SecretKeyFactory factory = SecretKeyFactory.getInstance(scheme);
                    Cipher cipher = Cipher.getInstance(scheme);
                    cipher.init(Cipher.DECRYPT_MODE, factory.generateSecret(spec), params);
                    plain = cipher.doFinal(info.getEncryptedData());
                    break;
                } catch (GeneralSecurityException | RuntimeException e) {
                    // the next name, if any
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            plain = null;
        } finally {
            spec.clearPassword();
        }
        if (plain == null) {
            throw new KeyException("cannot decrypt the encrypted key: wrong sslpassword, or an encryption scheme"
                    + " the JDK does not support (PBES2 with AES and HMAC-SHA-1/2 is)");
        }
        try {
            Element inner = Element.read(plain, 0);
            if (inner.tag != SEQUENCE || inner.end != plain.length) {
                throw new KeyException("cannot decrypt the encrypted key: wrong sslpassword");
            }
            return pkcs8(plain, List.of("RSA", "EC", "RSASSA-PSS", "Ed25519", "Ed448"));
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private static PrivateKey pkcs8(byte[] der, List<String> algorithms) throws KeyException {
        for (String algorithm : algorithms) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException e) {
                // try the next algorithm
            }
        }
        throw new KeyException("not a supported private key (RSA, EC P-256/P-384/P-521, Ed25519 or Ed448)");
    }

    /** The algorithm identifier of a SEC1 key: id-ecPublicKey with the curve OID from its {@code [0]} field. */
    private static byte[] ecAlgorithm(byte[] der, int from, int end) throws KeyException {
        int at = from;
        while (at < end) {
            Element e = Element.read(der, at);
            if (e.tag == CONTEXT_0) {
                Element curve = Element.read(der, e.start);
                if (curve.tag == OID) {
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    body.writeBytes(EC_PUBLIC_KEY_OID);
                    body.write(der, curve.headerStart, curve.end - curve.headerStart);
                    return tlv(SEQUENCE, body.toByteArray());
                }
            }
            at = e.end;
        }
        throw new KeyException("the EC key names no curve (a SEC1 key without parameters is not supported)");
    }

    /** PKCS#8 {@code PrivateKeyInfo}: version 0, the algorithm, the key as an OCTET STRING. */
    private static byte[] wrap(byte[] algorithm, byte[] key) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {INTEGER, 1, 0});
        body.writeBytes(algorithm);
        byte[] octets = tlv(OCTET_STRING, key);
        body.writeBytes(octets);
        Arrays.fill(octets, (byte) 0);
        return tlv(SEQUENCE, body.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    // ------------------------------------------------------------------------------------------------ PEM

    private static boolean isPem(byte[] file) {
        String head = new String(file, 0, Math.min(file.length, 4096), StandardCharsets.ISO_8859_1);
        return head.contains("-----BEGIN ");
    }

    /** The base64 body of the first block whose label ends in {@code PRIVATE KEY}; other blocks are skipped. */
    private static byte[] pemBody(byte[] file) throws KeyException {
        String text = new String(file, StandardCharsets.ISO_8859_1);
        int at = 0;
        while (true) {
            int begin = text.indexOf("-----BEGIN ", at);
            if (begin < 0) {
                throw new KeyException("the PEM file holds no private key block");
            }
            int labelEnd = text.indexOf("-----", begin + 11);
            if (labelEnd < 0) {
                throw new KeyException("malformed PEM: an unterminated BEGIN line");
            }
            String label = text.substring(begin + 11, labelEnd);
            String endLine = "-----END " + label + "-----";
            int end = text.indexOf(endLine, labelEnd);
            if (end < 0) {
                throw new KeyException("malformed PEM: no END line for the " + label + " block");
            }
            if (label.endsWith("PRIVATE KEY")) {
                String body = text.substring(labelEnd + 5, end);
                if (body.contains("Proc-Type:") || body.contains("DEK-Info:")) {
                    throw new KeyException("legacy OpenSSL-encrypted PEM (Proc-Type/DEK-Info) is not supported;"
                            + " convert it to encrypted PKCS#8 with openssl pkcs8 -topk8");
                }
                try {
                    return Base64.getMimeDecoder().decode(body);
                } catch (IllegalArgumentException e) {
                    throw new KeyException("malformed PEM: the " + label + " block is not valid base64");
                }
            }
            at = end + endLine.length();
        }
    }

    // ------------------------------------------------------------------------------------------------ DER

    /** One DER element: its tag, where its header starts, where its content starts and ends. */
    private record Element(int tag, int headerStart, int start, int end) {
        int length() {
            return end - start;
        }

        static Element read(byte[] der, int at) throws KeyException {
            if (at + 2 > der.length) {
                throw new KeyException("not a private key in PEM or DER form (truncated)");
            }
            int tag = der[at] & 0xff;
            int first = der[at + 1] & 0xff;
            int pos = at + 2;
            long length;
            if (first < 0x80) {
                length = first;
            } else {
                int bytes = first & 0x7f;
                if (bytes == 0 || bytes > 4 || pos + bytes > der.length) {
                    throw new KeyException("not a private key in PEM or DER form (bad length)");
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (der[pos++] & 0xff);
                }
            }
            if (pos + length > der.length) {
                throw new KeyException("not a private key in PEM or DER form (truncated)");
            }
            return new Element(tag, at, pos, (int) (pos + length));
        }
    }
}
