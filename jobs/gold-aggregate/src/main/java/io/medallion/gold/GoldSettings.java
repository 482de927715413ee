package io.medallion.gold;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import java.io.Serializable;
import java.time.Duration;

/** The windows of gold (shared/DESIGN.md §5): tumbling event-time windows and their allowed lateness. */
public record GoldSettings(Duration windowSize, Duration allowedLateness) implements Serializable {

  public static GoldSettings of(JobConfig config) {
    return new GoldSettings(config.get(ConfigOptions.GOLD_WINDOW_SIZE), config.get(ConfigOptions.GOLD_ALLOWED_LATENESS));
  }
}
