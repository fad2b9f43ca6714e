package io.pgvigil.connect;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.Provider;
import java.security.ProviderException;
import java.security.Security;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.KeySpec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.SecretKeyFactorySpi;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Remembers the SCRAM-SHA-256 salted passwords pgvigil derives, so that a new session to a server it has logged in to
 * before costs no key derivation. SCRAM's client side runs PBKDF2-HMAC-SHA256 over the password with the salt and
 * iteration count (4096 by default) the server sends for the role: the same inputs every time until the role's password
 * changes, and the largest part of the exporter's CPU for every session it opens (71% of its samples when each probe
 * opens one, measured with JFR). pgjdbc asks the JCA for a {@code PBKDF2WithHmacSHA256} {@link SecretKeyFactory} on
 * every login, so {@link #install()} puts a {@link Provider} first in the JCA's list whose factory answers from this
 * bounded cache and asks the JDK's own provider ({@code SunJCE}) for what it has not seen.
 *
 * <p>The cache holds at most {@link #CAPACITY} results, least recently used first out, in memory only; an entry is
 * found by a SHA-256 digest of all the inputs (password, salt, iterations, key length), so a changed password or a
 * new salt simply misses. It holds nothing pgvigil does not hold already: the passwords themselves are in its
 * configuration. Every {@code PBKDF2WithHmacSHA256} derivation in the process goes through it (the JCA cannot tell
 * callers apart); the results are the JDK's.
 */
final class SaltedPasswords {
    /** Entries kept: one per role, salt and password in use, so a few hundred servers' worth. */
    static final int CAPACITY = 512;
    static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final String NAME = "pgvigil-scram";

    private static final SaltedPasswords INSTANCE = new SaltedPasswords();

    private final Map<ByteBuffer, byte[]> derived = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, byte[]> eldest) {
            return size() > CAPACITY;
        }
    };
    private final LongAdder derivations = new LongAdder();
    private final LongAdder hits = new LongAdder();

    private SaltedPasswords() {
    }

    /** Puts the cache's provider first in the JCA's list, once; later calls do nothing. */
    static synchronized void install() {
        if (Security.getProvider(NAME) == null) {
            Security.insertProviderAt(new Scram(INSTANCE), 1);
        }
    }

    /** The installed instance, for its counters. */
    static SaltedPasswords instance() {
        return INSTANCE;
    }

    /** {@return derivations the JDK made for this cache (misses)} */
    long derivations() {
        return derivations.sum();
    }

    /** {@return derivations answered from the cache} */
    long hits() {
        return hits.sum();
    }

    /** {@return entries kept now} */
    int kept() {
        synchronized (derived) {
            return derived.size();
        }
    }

    /** Forgets every entry (tests). */
    void forget() {
        synchronized (derived) {
            derived.clear();
        }
    }

    /** The derived key for {@code spec}, from the cache or from the JDK's provider. */
    byte[] derive(PBEKeySpec spec) throws InvalidKeySpecException {
        ByteBuffer key = digest(spec);
        synchronized (derived) {
            byte[] known = derived.get(key);
            if (known != null) {
                hits.increment();
                return known.clone();
            }
        }
        byte[] made = jdk().generateSecret(spec).getEncoded();
        derivations.increment();
        synchronized (derived) {
            derived.put(key, made.clone());
        }
        return made;
    }

    /** A SHA-256 digest of every input of the derivation; the password's characters are cleared after use. */
    private static ByteBuffer digest(PBEKeySpec spec) {
        char[] password = spec.getPassword();
        byte[] salt = spec.getSalt();
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ByteBuffer.allocate(12).putInt(spec.getIterationCount()).putInt(spec.getKeyLength())
                               .putInt(salt == null ? -1 : salt.length).flip());
            if (salt != null) {
                sha.update(salt);
            }
            sha.update(encoded);
            return ByteBuffer.wrap(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        } finally {
            Arrays.fill(password, '\0');
            if (encoded.hasArray()) {
                Arrays.fill(encoded.array(), (byte) 0);
            }
        }
    }

    /** The provider: one service, the {@code PBKDF2WithHmacSHA256} factory below, made without reflection. */
    private static final class Scram extends Provider {
        Scram(SaltedPasswords cache) {
            super(NAME, "1", "pgvigil: SCRAM salted passwords kept between logins (" + ALGORITHM + ")");
            putService(new Service(this, "SecretKeyFactory", ALGORITHM, Factory.class.getName(), null, null) {
                @Override
                public Object newInstance(Object constructorParameter) {
                    return new Factory(cache);
                }
            });
        }
    }

    /** The factory pgjdbc gets: derivations through the cache, everything else as the JDK's provider does it. */
    private static final class Factory extends SecretKeyFactorySpi {
        private final SaltedPasswords cache;

        Factory(SaltedPasswords cache) {
            this.cache = cache;
        }

        @Override
        protected SecretKey engineGenerateSecret(KeySpec keySpec) throws InvalidKeySpecException {
            if (!(keySpec instanceof PBEKeySpec pbe) || pbe.getSalt() == null || pbe.getKeyLength() <= 0) {
                return jdk().generateSecret(keySpec);
            }
            byte[] key = cache.derive(pbe);
            try {
                return new SecretKeySpec(key, ALGORITHM);
            } finally {
                Arrays.fill(key, (byte) 0);
            }
        }

        @Override
        protected KeySpec engineGetKeySpec(SecretKey key, Class<?> keySpec) throws InvalidKeySpecException {
            return jdk().getKeySpec(key, keySpec);
        }

        @Override
        protected SecretKey engineTranslateKey(SecretKey key) throws InvalidKeyException {
            return jdk().translateKey(key);
        }
    }

    /** The JDK's own factory, which does the derivations. */
    private static SecretKeyFactory jdk() {
        try {
            return SecretKeyFactory.getInstance(ALGORITHM, "SunJCE");
        } catch (NoSuchAlgorithmException | NoSuchProviderException e) {
            throw new ProviderException(ALGORITHM + " is not available from SunJCE", e);
        }
    }
}
