package io.medallion.common.kafka;

import java.util.List;
import java.util.Map;

/**
 * Topic names shared by jobs, tools and tests. Raw topics are {@code raw.<anything>}; dead-letter
 * topics default to {@code dlq.<stage>} (see {@link io.medallion.common.deadletter.Stage}).
 */
public final class Topics {
  /** Every raw topic: what jobs subscribe to by default. */
  public static final String RAW_TOPIC_PATTERN = "raw\\..*";

  /** Where the data generator sends each event type unless told otherwise. */
  public static final Map<String, String> RAW_TOPIC_BY_EVENT_TYPE =
      Map.of(
          "user_action", "raw.user-actions",
          "transaction", "raw.transactions",
          "system", "raw.system-events",
          "metric", "raw.metrics");

  public static final List<String> RAW_TOPICS =
      List.of("raw.user-actions", "raw.transactions", "raw.system-events", "raw.metrics");

  private Topics() {}
}
