package io.medallion.common.silver;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed pseudonymization of PII: HMAC-SHA256 of the value under a secret key, as lower-case hex.
 * The same value and key give the same pseudonym, so silver rows still join on it; without the key
 * the value cannot be recovered or confirmed by hashing guesses. Not thread-safe: one per operator.
 */
public final class Pseudonymizer {
  private static final String ALGORITHM = "HmacSHA256";
  private final Mac mac;

  /** @param key the secret, e.g. from {@code pii.hmac-key}; never logged */
  public Pseudonymizer(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("the pseudonymization key is empty");
    }
    try {
      mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), ALGORITHM));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  public String pseudonym(String value) {
    return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public String toString() {
    return "Pseudonymizer{" + ALGORITHM + ", key hidden}";
  }
}
