package io.medallion.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process Kafka broker per test class: {@code @RegisterExtension static final
 * KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();}.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {
  private KafkaBroker broker;

  @Override
  public void beforeAll(ExtensionContext context) {
    broker = KafkaBroker.start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  public KafkaBroker broker() {
    if (broker == null) {
      throw new IllegalStateException("the broker starts before all tests; register the extension as a static field");
    }
    return broker;
  }
}
