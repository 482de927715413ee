package io.medallion.quality;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import io.medallion.common.quality.Metric;
import io.medallion.common.quality.QualityCheck;
import io.medallion.common.quality.QualityChecks;
import io.medallion.common.quality.Scope;
import java.io.Serializable;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;

/**
 * What the monitor's operators need: the checks, the fields missing-value checks ask about (a bit
 * each in a record's profile), and the settings of decoding, validation, duplicates and watermarks.
 */
public record QualitySettings(
    List<QualityCheck> checks,
    long maxRecordBytes,
    Duration maxFutureSkew,
    Duration maxAge,
    Duration duplicateRetention,
    Duration allowedLateness,
    Duration maxOutOfOrderness,
    Duration idleTimeout)
    implements Serializable {

  /** Reads the settings and the check file; a bad check file fails here, naming every bad entry. */
  public static QualitySettings of(JobConfig config) {
    return new QualitySettings(
        QualityChecks.load(Path.of(config.get(ConfigOptions.QUALITY_CHECKS)), config.get(ConfigOptions.QUALITY_WINDOW)),
        config.get(ConfigOptions.MAX_RECORD_BYTES),
        config.get(ConfigOptions.VALIDATION_MAX_FUTURE_SKEW),
        config.get(ConfigOptions.VALIDATION_MAX_AGE),
        config.get(ConfigOptions.QUALITY_DUPLICATE_RETENTION),
        config.get(ConfigOptions.QUALITY_ALLOWED_LATENESS),
        config.get(ConfigOptions.WATERMARK_MAX_OUT_OF_ORDERNESS),
        config.get(ConfigOptions.WATERMARK_IDLE_TIMEOUT));
  }

  /**
   * Event time is the Kafka record's timestamp (a dead letter's: its failure time), with the
   * configured out-of-orderness; idle partitions do not hold windows back.
   */
  public <T> WatermarkStrategy<T> watermarks(SerializableTimestampAssigner<T> timestamp) {
    return WatermarkStrategy.<T>forBoundedOutOfOrderness(maxOutOfOrderness).withTimestampAssigner(timestamp).withIdleness(idleTimeout);
  }

  /** The fields of the missing-value checks, in a fixed order: bit {@code i} of a profile is field {@code i}. */
  public List<String> missingFields() {
    Set<String> fields = new LinkedHashSet<>();
    checks.stream().filter(c -> c.metric() == Metric.MISSING_RATE).forEach(c -> fields.add(c.parameter()));
    return List.copyOf(fields);
  }

  /** What the windowed checks count and judge separately, each window size with each of its scopes; a slot's index names it. */
  public List<WindowSlot> windowSlots() {
    List<WindowSlot> slots = new ArrayList<>();
    for (Duration window : windows()) {
      for (Scope scope : scopes(window)) {
        slots.add(new WindowSlot(window, scope));
      }
    }
    return slots;
  }

  /** The distinct windows of the windowed checks. */
  public List<Duration> windows() {
    return checks.stream().filter(c -> c.metric() != Metric.FRESHNESS).map(QualityCheck::window).distinct().sorted().toList();
  }

  /** The distinct scopes of the windowed checks of one window size. */
  public List<Scope> scopes(Duration window) {
    return checks.stream().filter(c -> c.metric() != Metric.FRESHNESS && c.window().equals(window)).map(QualityCheck::scope).distinct().toList();
  }

  /** The freshness checks by scope ({@code Scope#toString()}), in file order. */
  public Map<String, List<QualityCheck>> freshnessChecks() {
    Map<String, List<QualityCheck>> byScope = new LinkedHashMap<>();
    checks.stream()
        .filter(c -> c.metric() == Metric.FRESHNESS)
        .forEach(c -> byScope.computeIfAbsent(c.scope().toString(), scope -> new ArrayList<>()).add(c));
    return byScope;
  }

  /** The distinct scopes of the freshness checks. */
  public List<Scope> freshnessScopes() {
    return checks.stream().filter(c -> c.metric() == Metric.FRESHNESS).map(QualityCheck::scope).distinct().toList();
  }

  /** The windowed checks of one scope and window size, in file order. */
  public List<QualityCheck> checks(Scope scope, Duration window) {
    return checks.stream()
        .filter(c -> c.metric() != Metric.FRESHNESS && c.window().equals(window) && c.scope().equals(scope))
        .toList();
  }
}
