package io.medallion.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process Kafka broker per test class: {@code @RegisterExtension static final
 * KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();}, or {@link #secured} for a SASL_SSL one.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {
  private final Map<String, String> scramUsers;
  private KafkaBroker broker;
  private Path certificateDir;
  private TestCertificates certificates;

  /** A PLAINTEXT broker. */
  public KafkaBrokerExtension() {
    this(null);
  }

  private KafkaBrokerExtension(Map<String, String> scramUsers) {
    this.scramUsers = scramUsers;
  }

  /**
   * A SASL_SSL broker (see {@link KafkaBroker#startSecured}) with these SCRAM-SHA-512 users (name →
   * password) and a CA and broker certificate made before all tests, in a directory removed after
   * them. Needs {@code org.bouncycastle:bcpkix-jdk18on} on the test class path.
   */
  public static KafkaBrokerExtension secured(Map<String, String> scramUsers) {
    return new KafkaBrokerExtension(Map.copyOf(scramUsers));
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    if (scramUsers == null) {
      broker = KafkaBroker.start();
    } else {
      certificateDir = Files.createTempDirectory("medallion-kafka-tls");
      certificates = TestCertificates.create(certificateDir, "broker");
      broker = KafkaBroker.startSecured(certificates, scramUsers);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (broker != null) {
      broker.close();
    }
    if (certificateDir != null) {
      try (Stream<Path> files = Files.walk(certificateDir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }

  public KafkaBroker broker() {
    if (broker == null) {
      throw new IllegalStateException("the broker starts before all tests; register the extension as a static field");
    }
    return broker;
  }

  /** The CA and broker certificate of a {@link #secured} broker. */
  public TestCertificates certificates() {
    if (certificates == null) {
      throw new IllegalStateException("only a secured broker has certificates, made before all tests");
    }
    return certificates;
  }
}
