package io.medallion.common.quality;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a quality check measures over one window of one scope. Ratios and rates are fractions in
 * [0, 1] of the scope's records in the window; lags are seconds; freshness is seconds since the
 * scope's last record. {@link #parameter()} names the one extra key a check of this metric needs.
 */
public enum Metric {
  RECORD_COUNT("record_count", Parameter.NONE),
  /** Records that decode and pass every silver rule. */
  VALID_RATIO("valid_ratio", Parameter.NONE),
  /** Dead letters (of the check's {@code error-code}, or of any code) per record of the source topic. */
  DEAD_LETTER_RATE("dead_letter_rate", Parameter.ERROR_CODE),
  /** Records that break the silver rule {@code rule} (an id of {@code Rules.ALL}). */
  RULE_VIOLATION_RATE("rule_violation_rate", Parameter.RULE),
  /** Decoded records that lack {@code field} or hold null or a blank string there. */
  MISSING_RATE("missing_rate", Parameter.FIELD),
  /** Records whose {@code event_id} the monitor has seen before (within {@code quality.duplicate-retention}). */
  DUPLICATE_RATIO("duplicate_ratio", Parameter.NONE),
  /** Kafka record time − event time of decoded records, seconds (p50 and p95 within 1 %). */
  EVENT_TIME_LAG_P50("event_time_lag_p50", Parameter.NONE),
  EVENT_TIME_LAG_P95("event_time_lag_p95", Parameter.NONE),
  EVENT_TIME_LAG_MAX("event_time_lag_max", Parameter.NONE),
  /** Decoded records of {@code schema-version}. */
  SCHEMA_VERSION_SHARE("schema_version_share", Parameter.SCHEMA_VERSION),
  /** Seconds without a record in scope, judged by processing-time timers against {@code max-silence}. */
  FRESHNESS("freshness", Parameter.MAX_SILENCE);

  /** The check key a metric needs besides the common ones; {@code error-code} is optional. */
  public enum Parameter {
    NONE(null),
    ERROR_CODE("error-code"),
    RULE("rule"),
    FIELD("field"),
    SCHEMA_VERSION("schema-version"),
    MAX_SILENCE("max-silence");

    private final String key;

    Parameter(String key) {
      this.key = key;
    }

    /** The key in a check entry, or null. */
    public String key() {
      return key;
    }
  }

  private final String id;
  private final Parameter parameter;

  Metric(String id, Parameter parameter) {
    this.id = id;
    this.parameter = parameter;
  }

  /** The name used in check files and in {@code quality.metrics}. */
  public String id() {
    return id;
  }

  public Parameter parameter() {
    return parameter;
  }

  public static Optional<Metric> byId(String id) {
    return Arrays.stream(values()).filter(m -> m.id.equals(id)).findFirst();
  }
}
