package io.medallion.silver;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import io.medallion.common.deadletter.DeadLetterRateBreaker;
import io.medallion.common.silver.SilverEventTime;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.table.data.RowData;

/**
 * What the validation operator needs from the configuration. The HMAC key travels inside the job
 * graph like any other operator argument, so it is kept out of {@link #toString()}. {@code
 * deadLetterRate} is null when the dead-letter circuit breaker is off.
 */
public record SilverSettings(
    long maxRecordBytes,
    Duration maxFutureSkew,
    Duration maxAge,
    String hmacKey,
    Duration maxOutOfOrderness,
    Duration idleTimeout,
    DeadLetterRateBreaker.Limit deadLetterRate)
    implements Serializable {

  public static SilverSettings of(JobConfig config) {
    return new SilverSettings(
        config.get(ConfigOptions.MAX_RECORD_BYTES),
        config.get(ConfigOptions.VALIDATION_MAX_FUTURE_SKEW),
        config.get(ConfigOptions.VALIDATION_MAX_AGE),
        config.get(ConfigOptions.PII_HMAC_KEY),
        config.get(ConfigOptions.WATERMARK_MAX_OUT_OF_ORDERNESS),
        config.get(ConfigOptions.WATERMARK_IDLE_TIMEOUT),
        config.deadLetterRateLimit().orElse(null));
  }

  /**
   * How long a seen event id is remembered: an older duplicate is dead-lettered as out of range
   * anyway, so deduplication stays exact with bounded state.
   */
  public Duration dedupRetention() {
    return maxAge.plus(maxFutureSkew).plus(Duration.ofDays(1));
  }

  /**
   * The event-time watermarks of the silver rows. Paimon's committer stores the watermark with
   * every snapshot, and gold's windows advance by it: a snapshot's watermark says that the events
   * up to it are in that snapshot or an earlier one.
   */
  public WatermarkStrategy<RowData> watermarks() {
    return WatermarkStrategy.<RowData>forBoundedOutOfOrderness(maxOutOfOrderness)
        .withTimestampAssigner(new SilverEventTime())
        .withIdleness(idleTimeout);
  }

  @Override
  public String toString() {
    return "SilverSettings[maxRecordBytes=" + maxRecordBytes + ", maxFutureSkew=" + maxFutureSkew + ", maxAge=" + maxAge
        + ", maxOutOfOrderness=" + maxOutOfOrderness + ", idleTimeout=" + idleTimeout + ", deadLetterRate=" + deadLetterRate
        + ", hmacKey=****]";
  }
}
