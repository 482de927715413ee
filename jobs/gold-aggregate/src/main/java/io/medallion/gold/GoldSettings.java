package io.medallion.gold;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import io.medallion.common.deadletter.DeadLetterRateBreaker;
import java.io.Serializable;
import java.time.Duration;

/**
 * The windows of gold (shared/DESIGN.md §5): tumbling event-time windows and their allowed lateness;
 * and the dead-letter circuit breaker over late events, null when off.
 */
public record GoldSettings(Duration windowSize, Duration allowedLateness, DeadLetterRateBreaker.Limit deadLetterRate)
    implements Serializable {

  public GoldSettings(Duration windowSize, Duration allowedLateness) {
    this(windowSize, allowedLateness, null);
  }

  public static GoldSettings of(JobConfig config) {
    return new GoldSettings(
        config.get(ConfigOptions.GOLD_WINDOW_SIZE), config.get(ConfigOptions.GOLD_ALLOWED_LATENESS), config.deadLetterRateLimit().orElse(null));
  }
}
