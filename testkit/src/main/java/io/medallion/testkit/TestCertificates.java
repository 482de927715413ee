package io.medallion.testkit;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for one test and a broker certificate it signed, for
 * {@code localhost} and {@code 127.0.0.1}, written as PKCS12 files: the broker's key store and the
 * clients' trust store. Keys are EC P-256 (generated in milliseconds, unlike RSA); nothing is kept
 * beyond the directory given. Needs {@code org.bouncycastle:bcpkix-jdk18on} on the test class path.
 */
public final class TestCertificates {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SIGNATURE = "SHA256withECDSA";

  private final Path keyStore;
  private final Path trustStore;
  private final String keyStorePassword;
  private final String trustStorePassword;

  private TestCertificates(Path keyStore, Path trustStore, String keyStorePassword, String trustStorePassword) {
    this.keyStore = keyStore;
    this.trustStore = trustStore;
    this.keyStorePassword = keyStorePassword;
    this.trustStorePassword = trustStorePassword;
  }

  /** A new CA named {@code name} and a broker certificate, as {@code dir/<name>-keystore.p12} and {@code dir/<name>-truststore.p12}, with random passwords. */
  public static TestCertificates create(Path dir, String name) {
    try {
      Files.createDirectories(dir);
      Instant now = Instant.now();
      KeyPair caKeys = ecKeys();
      X500Name caName = new X500Name("CN=" + name + " test CA");
      X509v3CertificateBuilder ca =
          new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), caName, caKeys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate caCert = sign(ca, caKeys.getPrivate());

      KeyPair brokerKeys = ecKeys();
      X509v3CertificateBuilder broker =
          new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), new X500Name("CN=localhost"), brokerKeys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
              .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
      X509Certificate brokerCert = sign(broker, caKeys.getPrivate());

      String keyStorePassword = password();
      String trustStorePassword = password();
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("broker", brokerKeys.getPrivate(), keyStorePassword.toCharArray(), new Certificate[] {brokerCert, caCert});
      Path keyStore = dir.resolve(name + "-keystore.p12");
      store(keys, keyStore, keyStorePassword);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", caCert);
      Path trustStore = dir.resolve(name + "-truststore.p12");
      store(trust, trustStore, trustStorePassword);
      return new TestCertificates(keyStore, trustStore, keyStorePassword, trustStorePassword);
    } catch (Exception e) {
      throw new IllegalStateException("creating test certificates in " + dir + " failed", e);
    }
  }

  private static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey)));
  }

  private static String password() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static void store(KeyStore store, Path file, String password) throws Exception {
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password.toCharArray());
    }
  }

  /** The broker's PKCS12 key store: its key and certificate chain. */
  public Path keyStore() {
    return keyStore;
  }

  /** The clients' PKCS12 trust store: this CA's certificate only. */
  public Path trustStore() {
    return trustStore;
  }

  /** Also the password of the key inside the key store. */
  public String keyStorePassword() {
    return keyStorePassword;
  }

  public String trustStorePassword() {
    return trustStorePassword;
  }
}
