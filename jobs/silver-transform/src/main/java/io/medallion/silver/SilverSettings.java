package io.medallion.silver;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import java.io.Serializable;
import java.time.Duration;

/**
 * What the validation operator needs from the configuration. The HMAC key travels inside the job
 * graph like any other operator argument, so it is kept out of {@link #toString()}.
 */
public record SilverSettings(long maxRecordBytes, Duration maxFutureSkew, Duration maxAge, String hmacKey)
    implements Serializable {

  public static SilverSettings of(JobConfig config) {
    return new SilverSettings(
        config.get(ConfigOptions.MAX_RECORD_BYTES),
        config.get(ConfigOptions.VALIDATION_MAX_FUTURE_SKEW),
        config.get(ConfigOptions.VALIDATION_MAX_AGE),
        config.get(ConfigOptions.PII_HMAC_KEY));
  }

  /**
   * How long a seen event id is remembered: an older duplicate is dead-lettered as out of range
   * anyway, so deduplication stays exact with bounded state.
   */
  public Duration dedupRetention() {
    return maxAge.plus(maxFutureSkew).plus(Duration.ofDays(1));
  }

  @Override
  public String toString() {
    return "SilverSettings[maxRecordBytes=" + maxRecordBytes + ", maxFutureSkew=" + maxFutureSkew + ", maxAge=" + maxAge + ", hmacKey=****]";
  }
}
